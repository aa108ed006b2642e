import aws_lambda_powertools as pt, libinterop  # noqa: E401, I001

handler = pt.Logger(service="orders").inject_lambda_context(libinterop.handler, log_event=True)
