"""The Lambda Python runtimes and architectures pylambda builds for, with the facts
`build` and `check` decide by.

Why a table: the runtime a user picks fixes the operating system the function runs on,
and that fixes the newest glibc an artifact may ask for. python3.11 still runs on
Amazon Linux 2 (glibc 2.26); python3.12 and later run on Amazon Linux 2023 (2.34).
`build` always targets the oldest floor, 2.26, so one zip serves every runtime here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Runtime:
    """One Lambda Python runtime identifier and what it runs on."""

    name: str
    python: tuple[int, int]
    os: str
    glibc: tuple[int, int]

    @property
    def python_version(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"


RUNTIMES: dict[str, Runtime] = {
    r.name: r
    for r in (
        Runtime("python3.11", (3, 11), "Amazon Linux 2", (2, 26)),
        Runtime("python3.12", (3, 12), "Amazon Linux 2023", (2, 34)),
        Runtime("python3.13", (3, 13), "Amazon Linux 2023", (2, 34)),
        Runtime("python3.14", (3, 14), "Amazon Linux 2023", (2, 34)),
        # In preview (late 2026): the same OS, and awslambdaric already knows it.
        Runtime("python3.15", (3, 15), "Amazon Linux 2023", (2, 34)),
    )
}

# The oldest supported runtime: its Python version configures a default build and its
# OS's glibc is the floor every build targets.
DEFAULT_RUNTIME = "python3.11"
GLIBC_TARGET: tuple[int, int] = RUNTIMES[DEFAULT_RUNTIME].glibc


@dataclass(frozen=True)
class Arch:
    """A Lambda architecture: its name in Lambda, its Rust triple, its ELF machine."""

    name: str
    triple: str
    elf_machine: str


ARCHES: dict[str, Arch] = {
    "x86_64": Arch("x86_64", "x86_64-unknown-linux-gnu", "EM_X86_64"),
    "arm64": Arch("arm64", "aarch64-unknown-linux-gnu", "EM_AARCH64"),
}
DEFAULT_ARCH = "x86_64"

# Lambda's limit on a function's unzipped deployment package (with its layers):
# 250 MB, which the Lambda quotas page gives in bytes as 262,144,000.
UNZIPPED_LIMIT = 262_144_000


def glibc_str(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)
