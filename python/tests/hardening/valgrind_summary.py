"""Summarizes valgrind memcheck logs: errors in all, and errors attributed to the project.

    python valgrind_summary.py LOG...

An error is *the project's* when its stack has a frame in pylambda's shipped code: a symbol of
the `pylambda` crate (in the test and fuzz binaries) or the built example and probe modules
(`target/.../lib*.so`, stripped, so named by object). The test harnesses' own frames
(`embedded::`, `pylambda_fuzz::`) are not the project's code: every stack starts in them. For
invalid accesses, bad frees and definite leaks any frame counts (CPython reading through a
pointer pylambda handed it is pylambda's error); for uses of uninitialised values only the
innermost three frames do (CPython's start-up has known ones, reached from the harness), and
with --track-origins=yes the frames where the value was *created* decide (the innermost three
past the allocator's, `creator`): a value CPython left undefined and pylambda then read is
CPython's (counted apart, as cpython_origin_at_our_site), also when pylambda's code is further
out on the creating stack (it called `json.loads`, whose parser made the value).
Prints a JSON summary; exits 1 if the project has any error, so
`scripts/hardening/valgrind.sh` fails on it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SUMMARY = re.compile(r"ERROR SUMMARY: (\d+) errors from (\d+) contexts")
PROJECT_FRAME = re.compile(r"\bpylambda::|/target/\S*/lib(echo|errors|probe|hello|multi|apigw)\.so")
FRAME = re.compile(r"^\s+(at|by) 0x")


def blocks(text: str):
    """Error reports: runs of `==PID== ` lines separated by blank `==PID== ` lines."""
    block: list[str] = []
    for line in text.splitlines():
        body = re.sub(r"^==\d+== ?", "", line)
        if re.match(r"Thread \d+", body):  # "Thread 2 name:" heads a report of thread 2
            continue
        if body.strip():
            block.append(body)
        elif block:
            yield block
            block = []
    if block:
        yield block


def is_projects(block: list[str]) -> bool:
    """Whether the report is pylambda's (see the module docs)."""
    if not uninitialised(block):
        return any(PROJECT_FRAME.search(line) for line in block if FRAME.match(line))
    site, origin = split_origin(block)
    if origin:
        return any(PROJECT_FRAME.search(line) for line in creator(origin))
    return any(PROJECT_FRAME.search(line) for line in site[:3])


#: Functions that only hand out memory: C's and CPython's allocators, Rust's allocation glue.
ALLOCATORS = (
    "malloc", "calloc", "realloc", "memalign", "posix_memalign", "aligned_alloc",
    "PyMem_", "_PyMem_", "PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc",
    "_PyObject_Malloc", "_PyObject_Calloc", "_PyObject_Realloc",
    "__rust_", "__rdl_", "alloc::", "<alloc::", "mi_", "_mi_",
)  # fmt: skip
FUNCTION = re.compile(r"0x[0-9A-Fa-f]+: (\S+)")


def creator(origin: list[str]) -> list[str]:
    """The innermost three frames of the code that made an uninitialised value, its allocator's
    frames skipped. Only they decide: a value CPython's own code made (`_PyLong_New` in
    `PyLong_FromString`, called by `json.loads`) stays CPython's even when pylambda's code is
    further out on that stack, having called `json.loads`."""
    frames = [line for line in origin if FRAME.match(line)]
    for i, line in enumerate(frames):
        name = FUNCTION.search(line)
        if not (name and name.group(1).startswith(ALLOCATORS)):
            return frames[i : i + 3]
    return []


def uninitialised(block: list[str]) -> bool:
    return block[0].startswith(("Conditional jump", "Use of uninitialised"))


def split_origin(block: list[str]) -> tuple[list[str], list[str]]:
    """The frames where an uninitialised value was used, and those where it was created
    (present with --track-origins=yes)."""
    for i, line in enumerate(block):
        if "Uninitialised value was created" in line:
            return [x for x in block[1:i] if FRAME.match(x)], block[i + 1 :]
    return [x for x in block[1:] if FRAME.match(x)], []


def cpython_origin_at_our_site(block: list[str]) -> bool:
    """An uninitialised value CPython made, used in pylambda's code (not pylambda's error: e.g.
    CPython 3.11's PyLong_FromString leaves the digit of a zero int undefined, and every
    reader of that int's type inherits the taint)."""
    if not uninitialised(block):
        return False
    site, origin = split_origin(block)
    return bool(origin) and any(PROJECT_FRAME.search(line) for line in site[:3])


def is_error(block: list[str]) -> bool:
    head = block[0]
    return (
        head.startswith(("Invalid ", "Conditional jump", "Use of uninitialised", "Syscall param"))
        or "Mismatched free" in head
        or "definitely lost" in head
        or "Source and destination overlap" in head
    )


def main() -> int:
    totals = {
        "logs": 0,
        "errors": 0,
        "contexts": 0,
        "reports": 0,
        "project_errors": 0,
        "cpython_origin_at_our_site": 0,
    }
    project = []
    for name in sys.argv[1:]:
        text = Path(name).read_text(errors="replace")
        totals["logs"] += 1
        for match in SUMMARY.finditer(text):
            totals["errors"] += int(match.group(1))
            totals["contexts"] += int(match.group(2))
        for block in blocks(text):
            if not is_error(block):
                continue
            totals["reports"] += 1
            if not is_projects(block) and cpython_origin_at_our_site(block):
                totals["cpython_origin_at_our_site"] += 1
            if is_projects(block):
                totals["project_errors"] += 1
                project.append(f"{name}:\n  " + "\n  ".join(block[:25]))
    print(json.dumps(totals))
    for report in project[:20]:
        print(report, file=sys.stderr)
    return 1 if project else 0


if __name__ == "__main__":
    sys.exit(main())
