# Ecosystem (issue 7): logging and tracing bridges, Python interop, typed events, deployment
# templates, `python -m pylambda new`. Their pytest suites (test_logging, test_interop,
# test_events_examples, test_deploy, test_new) run in `test-python` with the others, on the
# examples `build-examples` built (examples/logging, interop, sqs, s3, eventbridge, deploy).
#
# This file adds the one check pytest cannot do from the project's venv: `sam validate --lint`
# (aws-sam-cli pins an older boto3 than the venv's), from a venv of its own under .cache/,
# pinned by python/constraints-sam.txt. About 30 s to create once, 10 s to run.
.PHONY: test-deploy-sam sam-venv
TEST_STEPS += test-deploy-sam

SAM_VENV := .cache/sam-venv
SAM := $(abspath $(SAM_VENV))/bin/sam

sam-venv: $(SAM_VENV)/.setup-done
$(SAM_VENV)/.setup-done: python/constraints-sam.txt
	rm -rf $(SAM_VENV)
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet -c python/constraints-sam.txt aws-sam-cli
	touch $@

test-deploy-sam: setup sam-venv
	cd python && PYLAMBDA_SAM=$(SAM) SAM_CLI_TELEMETRY=0 $(PY) -m pytest -q -ra tests/test_deploy.py -k sam_validate
