"""Deployment files, validated offline: `examples/deploy/template.yaml` (AWS SAM) and `main.tf`
(Terraform), and the same pair that `pylambda new` generates.

- `cfn-lint` (pinned in the venv) validates the SAM templates: it expands the
  `AWS::Serverless-2016-10-31` transform with aws-sam-translator and checks the result against
  CloudFormation's resource schemas (property names, types, allowed values such as runtimes).
- `sam validate --lint` (aws-sam-cli, in its own venv because it pins an older boto3 than the
  project's) runs when PYLAMBDA_SAM names its executable: `make test-deploy-sam` sets it.
- Terraform cannot be installed from the registries this project may use (no terraform or
  OpenTofu package on PyPI or in Debian), and `terraform validate` would also need
  `terraform init` to download the AWS provider. So `main.tf` is parsed as HCL2
  (python-hcl2) and checked to configure the same function as the SAM template.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
import yaml

from pylambda.commands import new

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "examples" / "deploy"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (`!Ref`, `!Sub`, `!GetAtt`) kept as text."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: f"!{suffix}")


def load_template(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 (a SafeLoader subclass)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    crate = tmp_path_factory.mktemp("new") / "orders"
    new.create("orders", crate)
    return crate


def cfn_lint(path: Path) -> subprocess.CompletedProcess:
    """cfn-lint from this interpreter's environment (the venv's pinned one)."""
    executable = Path(sys.executable).parent / "cfn-lint"
    return subprocess.run([str(executable), str(path)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("which", ["example", "generated"])
def test_sam_template_passes_cfn_lint(which, generated):
    path = DEPLOY / "template.yaml" if which == "example" else generated / "template.yaml"
    proc = cfn_lint(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("before", "after", "rule"),
    [
        ("python3.13", "python2.7", "E2533"),  # a runtime Lambda no longer accepts
        ("MemorySize: 256", "MemorySize: 20", "E3034"),  # below Lambda's minimum
    ],
)
def test_cfn_lint_is_not_vacuous(tmp_path, before, after, rule):
    """The same template made wrong fails: the check checks."""
    broken = tmp_path / "template.yaml"
    broken.write_text((DEPLOY / "template.yaml").read_text().replace(before, after))
    proc = cfn_lint(broken)
    assert proc.returncode != 0 and rule in proc.stdout, proc.stdout


@pytest.mark.parametrize("which", ["example", "generated"])
def test_sam_template_deploys_the_built_zip(which, generated):
    root = DEPLOY if which == "example" else generated
    package = "deploy" if which == "example" else "orders"
    template = load_template(root / "template.yaml")
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    props = template["Resources"]["Function"]["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Handler"] == "liblambda.handler"
    # The zip `python -m pylambda build` writes for this package (dist/<package>-<arch>.zip).
    assert props["CodeUri"] == f"dist/{package}-x86_64.zip"
    assert props["Architectures"] == ["x86_64"]
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    assert props["Tracing"] == "Active"


def _unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _resource(tf: dict, kind: str, name: str) -> dict:
    for block in tf["resource"]:
        if f'"{kind}"' in block and f'"{name}"' in block[f'"{kind}"']:
            return block[f'"{kind}"'][f'"{name}"']
    raise KeyError(f"{kind}.{name}")


@pytest.mark.parametrize("which", ["example", "generated"])
def test_terraform_configures_the_same_function(which, generated):
    root = DEPLOY if which == "example" else generated
    package = "deploy" if which == "example" else "orders"
    with (root / "main.tf").open() as f:
        tf = hcl2.load(f)
    function = _resource(tf, "aws_lambda_function", "function")
    assert _unquote(function["runtime"]) == "python3.13"
    assert _unquote(function["handler"]) == "liblambda.handler"
    assert [_unquote(a) for a in function["architectures"]] == ["x86_64"]
    assert function["filename"] == "${var.package}"
    assert function["source_code_hash"] == "${filebase64sha256(var.package)}"
    (variables,) = [v for v in tf["variable"] if '"package"' in v]
    assert _unquote(variables['"package"']["default"]) == f"dist/{package}-x86_64.zip"
    (logging_config,) = function["logging_config"]
    assert _unquote(logging_config["log_format"]) == "JSON"
    (tracing,) = function["tracing_config"]
    assert _unquote(tracing["mode"]) == "Active"
    # The role it runs as may write logs.
    logs = _resource(tf, "aws_iam_role_policy_attachment", "logs")
    assert _unquote(logs["policy_arn"]).endswith("/AWSLambdaBasicExecutionRole")


@pytest.fixture(scope="module")
def deploy_zip(tmp_path_factory) -> Path:
    """The zip the templates deploy, built as their comments say (zigbuild, glibc 2.26)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pylambda", "build", "--manifest-path", str(DEPLOY / "Cargo.toml")]
        + ["--runtime", "python3.13"]
        + ["--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out / "deploy-x86_64.zip"


def test_the_deployed_zip_runs_as_configured(deploy_zip):
    """The zip `CodeUri`/`filename` name, under the templates' settings: JSON logs, tracing."""
    from pylambda.emulator import Function

    template = load_template(DEPLOY / "template.yaml")
    assert Path(template["Resources"]["Function"]["Properties"]["CodeUri"]).name == deploy_zip.name
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    with Function(
        deploy_zip, handler="liblambda.handler", log_format="JSON", log_level="INFO"
    ) as fn:
        result = fn.invoke({"name": "Ferris"}, trace_id=trace)
    assert result.json() == {
        "message": "Hello, Ferris!",
        "requestId": result.request_id,
        "traceId": trace,
    }
    expected = (
        f'"message": "greeting Ferris", "logger": "lambda", "requestId": "{result.request_id}"'
    )
    assert expected in result.logs


@pytest.mark.skipif(not os.environ.get("PYLAMBDA_SAM"), reason="PYLAMBDA_SAM not set")
@pytest.mark.parametrize("which", ["example", "generated"])
def test_sam_validate_lint(which, generated):
    root = DEPLOY if which == "example" else generated
    proc = subprocess.run(
        [os.environ["PYLAMBDA_SAM"], "validate", "--lint", "--template", "template.yaml"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "is a valid SAM Template" in proc.stdout + proc.stderr
