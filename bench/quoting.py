"""Quoting a benchmark's results.md in the docs, shared by bench/convert and bench/e2e.

Each benchmark writes results.md, and its page under docs/ quotes the headline sections of it
between two HTML-comment markers, rewritten on every run so the docs never drift from the
numbers."""

from __future__ import annotations

from pathlib import Path


def quote(markdown: str, sections: tuple[str, ...]) -> str:
    """The machine description (the `- ` lines before the first section) and the sections
    whose headings start with one of `sections`, each one heading level down."""
    head, *rest = markdown.split("\n## ")
    machine = [line for line in head.splitlines() if line.startswith("- ")]
    kept = ["## " + s.rstrip() for s in rest if ("## " + s).startswith(sections)]
    return "\n".join(machine) + "\n\n" + "\n\n".join("#" + s for s in kept) + "\n"


def rewrite_between(path: Path, begin: str, end: str, text: str) -> bool:
    """Replaces what stands between the markers `begin` and `end` in `path` with `text`;
    False (and nothing written) if the file lacks them."""
    old = path.read_text("utf-8") if path.exists() else ""
    if begin not in old or end not in old:
        return False
    before, rest = old.split(begin, 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{begin}\n{text}{end}{after}", "utf-8")
    return True
