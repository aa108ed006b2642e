"""`python -m pylambda new NAME`: the generated crate, and the issue's acceptance run.

Acceptance: `python -m pylambda new demo`, then in `demo`: `cargo test`, `python -m pylambda
build --runtime python3.13`, `python -m pylambda invoke dist/demo-x86_64.zip --event ...` all
succeed. The run below does exactly that, in a fresh temporary directory, really compiling (the
workspace's target directory is shared through CARGO_TARGET_DIR only to reuse compiled
dependencies; about 40 s on 2 cores when the release dependencies are not built yet).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import hcl2
import pytest

from pylambda.commands import new

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, CARGO_TARGET_DIR=str(REPO_ROOT / "target"))
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def pylambda(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "pylambda", *args], cwd)


def test_new_demo_tests_builds_and_invokes(tmp_path):
    created = pylambda("new", "demo", cwd=tmp_path)
    assert "liblambda.handler" in created.stdout
    demo = tmp_path / "demo"
    tested = run(["cargo", "test"], demo)
    assert "test result: ok. 2 passed" in tested.stdout
    built = pylambda("build", "--runtime", "python3.13", cwd=demo)
    assert "dist/demo-x86_64.zip: ok for python3.13" in built.stdout
    assert "handler: liblambda.handler" in built.stdout
    invoked = pylambda(
        "invoke",
        "dist/demo-x86_64.zip",
        "--event",
        "events/event.json",
        "--log-format",
        "JSON",
        "--log-level",
        "INFO",
        cwd=demo,
    )
    response = json.loads(invoked.stdout)
    assert response["message"] == "Hello, Ferris!"
    # The handler's log::info! record, as Lambda would log it, with the same request id.
    (record,) = [json.loads(x) for x in invoked.stderr.splitlines() if x.startswith("{")]
    assert record["message"] == "greeting Ferris"
    assert record["requestId"] == response["requestId"]
    # A bundled sample event works too.
    again = pylambda("invoke", "dist/demo-x86_64.zip", "--event", "hello", cwd=demo)
    assert json.loads(again.stdout)["message"] == "Hello, Ferris!"


def test_generated_crate_layout(tmp_path):
    crate = tmp_path / "orders-api"
    written = new.create("orders-api", crate)
    assert sorted(p.relative_to(crate).as_posix() for p in written) == [
        ".gitignore",
        "Cargo.toml",
        "README.md",
        "events/event.json",
        "main.tf",
        "src/lib.rs",
        "template.yaml",
    ]
    manifest = tomllib.loads((crate / "Cargo.toml").read_text())
    assert manifest["package"]["name"] == "orders-api"
    assert manifest["lib"] == {"name": "lambda", "crate-type": ["cdylib"]}
    assert manifest["profile"]["release"]["panic"] == "unwind"
    assert manifest["workspace"] == {}  # its own workspace, wherever it is created
    # Outside the checkout: an absolute path to it.
    assert manifest["dependencies"]["pylambda"] == {"path": str(REPO_ROOT)}
    text = "\n".join(p.read_text() for p in written)
    assert "{{" not in text and "orders-api-x86_64.zip" in text
    json.loads((crate / "events" / "event.json").read_text())
    terraform = hcl2.load((crate / "main.tf").open())
    (function,) = [
        r['"aws_lambda_function"'] for r in terraform["resource"] if '"aws_lambda_function"' in r
    ]
    assert function['"function"']["handler"] == '"liblambda.handler"'


def test_inside_the_checkout_the_path_is_relative():
    target = REPO_ROOT / "target" / "pylambda-new-test"
    line = new.dependency_line(target / "fn")
    assert line == 'pylambda = { path = "../../.." }'


def test_git_dependency(tmp_path):
    new.create(
        "gitdep",
        tmp_path / "gitdep",
        git="https://example.invalid/pylambda.git",
        rev="v0.1.0",
    )
    manifest = tomllib.loads((tmp_path / "gitdep" / "Cargo.toml").read_text())
    assert manifest["dependencies"]["pylambda"] == {
        "git": "https://example.invalid/pylambda.git",
        "rev": "v0.1.0",
    }


def test_explicit_checkout_path(tmp_path):
    line = new.dependency_line(tmp_path / "x", pylambda_path=str(REPO_ROOT))
    assert line == f'pylambda = {{ path = "{REPO_ROOT}" }}'
    with pytest.raises(new.NewError, match="not a pylambda checkout"):
        new.dependency_line(tmp_path / "x", pylambda_path=str(tmp_path))
    with pytest.raises(new.NewError, match="needs --pylambda-git"):
        new.dependency_line(tmp_path / "x", rev="main")


@pytest.mark.parametrize("name", ["lambda", "1fn", "has space", "self", "a/b", ""])
def test_unusable_names(tmp_path, name):
    with pytest.raises(new.NewError, match="not a usable package name"):
        new.create(name, tmp_path / "x")


def test_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "keep.txt").write_text("mine")
    proc = subprocess.run(
        [sys.executable, "-m", "pylambda", "new", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "already exists and is not empty" in proc.stderr
    assert (tmp_path / "demo" / "keep.txt").read_text() == "mine"
