# Terraform: the same function as template.yaml.
#
#   python -m pylambda build --manifest-path examples/deploy/Cargo.toml --runtime python3.13 --out examples/deploy/dist
#   cd examples/deploy && terraform init && terraform apply
#
# `source_code_hash` makes `apply` update the code whenever the zip changes (pylambda's zips
# are reproducible: the same source gives the same hash, so no-op builds deploy nothing).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30"
    }
  }
}

variable "function_name" {
  type    = string
  default = "pylambda-demo"
}

variable "package" {
  description = "The zip `python -m pylambda build` wrote"
  type        = string
  default     = "dist/deploy-x86_64.zip"
}

variable "log_level" {
  description = "Application log level; Rust log records below it cost no Python work"
  type        = string
  default     = "INFO"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = 14
}

resource "aws_lambda_function" "function" {
  function_name    = var.function_name
  description      = "liblambda.handler, from examples/deploy"
  filename         = var.package
  source_code_hash = filebase64sha256(var.package)
  handler          = "liblambda.handler"
  runtime          = "python3.13"
  architectures    = ["x86_64"]
  memory_size      = 256
  timeout          = 10
  role             = aws_iam_role.function.arn

  # JSON logs: every Rust `log` record is one line with the requestId.
  logging_config {
    log_format            = "JSON"
    application_log_level = var.log_level
    system_log_level      = "WARN"
    log_group             = aws_cloudwatch_log_group.function.name
  }

  # X-Ray: the trace id reaches the handler as `Context::xray_trace_id`.
  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy_attachment.logs]
}

output "function_name" {
  value = aws_lambda_function.function.function_name
}

output "function_arn" {
  value = aws_lambda_function.function.arn
}
