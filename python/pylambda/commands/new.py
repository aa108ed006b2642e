"""`python -m pylambda new NAME`: a ready function crate.

The crate builds `liblambda.so` (`[lib] name = "lambda"`, `crate-type = ["cdylib"]`), so the
handler setting is `liblambda.handler`; it has a typed handler with unit tests, a sample event,
a README, and deployment files (AWS SAM `template.yaml`, Terraform `main.tf`). Then, in the new
directory: `cargo test`, `python -m pylambda build --runtime python3.13`,
`python -m pylambda invoke dist/NAME-x86_64.zip --event events/event.json`.

Where pylambda comes from:

- `--pylambda-path DIR`: a local checkout, as a path dependency;
- `--pylambda-git URL [--pylambda-rev REV]`: a git dependency;
- neither: the checkout this tooling runs from (the usual case: the tooling is installed with
  `pip install -e <checkout>/python`), by a relative path when the new crate is inside it and an
  absolute one otherwise. Without a checkout to find, pass one of the two options.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib import resources
from pathlib import Path

#: Files of the template: (path in the template, path in the new crate).
TEMPLATE_FILES = [
    ("Cargo.toml.tmpl", "Cargo.toml"),
    ("src/lib.rs.tmpl", "src/lib.rs"),
    ("README.md.tmpl", "README.md"),
    ("events/event.json", "events/event.json"),
    ("gitignore.tmpl", ".gitignore"),
    ("template.yaml.tmpl", "template.yaml"),
    ("main.tf.tmpl", "main.tf"),
]

# A crates.io-style package name: ASCII letters, digits, `-` and `_`, starting with a letter.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
# Names cargo refuses for a package (keywords and the like), and the library's own name.
_RESERVED = {"lambda", "test", "self", "crate", "super", "core", "std", "alloc", "proc_macro"}


class NewError(Exception):
    """The crate cannot be created as asked."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new",
        help="create a function crate (liblambda.handler) ready to test, build, invoke, deploy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", metavar="NAME", help="the package name, e.g. orders-api")
    parser.add_argument(
        "--path", metavar="DIR", help="where to create it (default: ./NAME); must not exist"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--pylambda-path", metavar="DIR", help="depend on the pylambda checkout at DIR"
    )
    source.add_argument("--pylambda-git", metavar="URL", help="depend on pylambda from git")
    parser.add_argument(
        "--pylambda-rev", metavar="REV", help="with --pylambda-git: a commit, tag or branch"
    )
    parser.set_defaults(run=run)


def find_checkout() -> Path | None:
    """The pylambda source checkout this tooling runs from, if it runs from one."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        manifest = parent / "Cargo.toml"
        if manifest.is_file() and re.search(
            r'^name\s*=\s*"pylambda"\s*$', manifest.read_text(), re.M
        ):
            return parent
    return None


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dependency_line(
    crate_dir: Path,
    pylambda_path: str | None = None,
    git: str | None = None,
    rev: str | None = None,
) -> str:
    """The `pylambda = {...}` line of the new crate's Cargo.toml."""
    if git:
        spec = f"git = {_toml_string(git)}"
        if rev:
            spec += f", rev = {_toml_string(rev)}"
        return f"pylambda = {{ {spec} }}"
    if rev:
        raise NewError("--pylambda-rev needs --pylambda-git")
    checkout = Path(pylambda_path) if pylambda_path else find_checkout()
    if checkout is None:
        raise NewError(
            "no pylambda checkout found for this tooling; pass --pylambda-path DIR (a local "
            "checkout) or --pylambda-git URL"
        )
    checkout = checkout.resolve()
    if not (checkout / "Cargo.toml").is_file():
        raise NewError(f"{checkout} is not a pylambda checkout (no Cargo.toml)")
    crate_dir = crate_dir.resolve()
    if crate_dir.is_relative_to(checkout):
        # Inside the checkout: a relative path keeps working wherever the checkout moves.
        path = os.path.relpath(checkout, crate_dir)
    else:
        path = str(checkout)
    return f"pylambda = {{ path = {_toml_string(path)} }}"


def render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    leftover = re.search(r"\{\{\w+\}\}", text)
    if leftover:
        raise AssertionError(f"template placeholder {leftover.group()} not filled")
    return text


def create(
    name: str,
    crate_dir: Path,
    *,
    pylambda_path: str | None = None,
    git: str | None = None,
    rev: str | None = None,
) -> list[Path]:
    """Write the crate; returns the files written."""
    if not _NAME.match(name) or name.replace("-", "_").lower() in _RESERVED:
        raise NewError(
            f"{name!r} is not a usable package name (letters, digits, - and _, starting with a "
            "letter; not a Rust keyword nor `lambda`, the library's own name)"
        )
    if crate_dir.exists() and any(crate_dir.iterdir()):
        raise NewError(f"{crate_dir} already exists and is not empty")
    values = {
        "name": name,
        "pylambda_dependency": dependency_line(crate_dir, pylambda_path, git, rev),
    }
    templates = resources.files("pylambda").joinpath("templates", "function")
    written = []
    for source, target in TEMPLATE_FILES:
        text = templates.joinpath(*source.split("/")).read_text(encoding="utf-8")
        path = crate_dir / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(text, values), encoding="utf-8")
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    crate_dir = Path(args.path or args.name)
    try:
        create(
            args.name,
            crate_dir,
            pylambda_path=args.pylambda_path,
            git=args.pylambda_git,
            rev=args.pylambda_rev,
        )
    except NewError as exc:
        print(f"pylambda new: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Created {crate_dir}/ (package {args.name}, handler liblambda.handler). Next:\n"
        f"  cd {crate_dir}\n"
        "  cargo test\n"
        "  python -m pylambda build --runtime python3.13\n"
        f"  python -m pylambda invoke dist/{args.name}-x86_64.zip --event events/event.json"
    )
    return 0
