"""Read the facts about a shared object that decide whether Lambda can load it.

Only what the dynamic loader and CPython's importer look at matters here: the
NEEDED libraries, the glibc symbol versions asked for, the undefined C-API symbols
(resolved against whichever interpreter loads the module), and the module's
`PyInit_<name>` entry point. pyelftools reads them without running anything, so
`check` works on an artifact built for another architecture too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import BinaryIO

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
from elftools.elf.sections import SymbolTableSection

_GLIBC = re.compile(r"^GLIBC_(\d+(?:\.\d+)*)$")
# The C API's namespaces: everything CPython exports starts with one of these.
_PYTHON_SYMBOL = re.compile(r"^_?Py")


class NotElf(Exception):
    """The file is not an ELF shared object pyelftools can read."""


@dataclass
class ElfFacts:
    machine: str
    elf_type: str
    needed: list[str]
    # glibc version -> the undefined symbols that ask for exactly that version
    glibc: dict[tuple[int, ...], list[str]] = field(default_factory=dict)
    # defined, exported functions named PyInit_*
    pyinit: list[str] = field(default_factory=list)
    # undefined Py*/_Py* symbols: taken from the interpreter at load time
    python_imports: list[str] = field(default_factory=list)

    @property
    def max_glibc(self) -> tuple[int, ...] | None:
        return max(self.glibc) if self.glibc else None


def read_elf(stream: BinaryIO | bytes) -> ElfFacts:
    """Read the loader-relevant facts of one ELF file (a path's stream or its bytes)."""
    if isinstance(stream, bytes | bytearray):
        stream = io.BytesIO(stream)
    try:
        elf = ELFFile(stream)
        facts = ElfFacts(machine=elf.header["e_machine"], elf_type=elf.header["e_type"], needed=[])
        _read(elf, facts)
    except (ELFError, ValueError, KeyError) as exc:
        raise NotElf(str(exc)) from exc
    return facts


def _read(elf: ELFFile, facts: ElfFacts) -> None:
    dynsym: SymbolTableSection | None = None
    versym: GNUVerSymSection | None = None
    version_names: dict[int, str] = {}
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection):
            facts.needed = [tag.needed for tag in section.iter_tags("DT_NEEDED")]
        elif isinstance(section, GNUVerNeedSection):
            for _needed, auxiliaries in section.iter_versions():
                for aux in auxiliaries:
                    version_names[aux["vna_other"]] = aux.name
        elif isinstance(section, GNUVerSymSection):
            versym = section
        elif isinstance(section, SymbolTableSection) and section["sh_type"] == "SHT_DYNSYM":
            dynsym = section

    # Every GLIBC_x version the file names counts, even one no symbol refers to:
    # the loader refuses the file if libc lacks any of them.
    for name in version_names.values():
        if match := _GLIBC.match(name):
            facts.glibc.setdefault(_version(match.group(1)), [])
    if dynsym is None:
        return
    for index, sym in enumerate(dynsym.iter_symbols()):
        if not sym.name or sym["st_info"]["bind"] == "STB_LOCAL":
            continue
        undefined = sym["st_shndx"] == "SHN_UNDEF"
        if undefined and _PYTHON_SYMBOL.match(sym.name):
            facts.python_imports.append(sym.name)
        elif not undefined and sym.name.startswith("PyInit_"):
            facts.pyinit.append(sym.name)
        if undefined and versym is not None:
            ndx = versym.get_symbol(index).entry["ndx"]
            if isinstance(ndx, int):
                name = version_names.get(ndx & 0x7FFF, "")
                if match := _GLIBC.match(name):
                    facts.glibc[_version(match.group(1))].append(sym.name)
    facts.python_imports.sort()
    facts.pyinit.sort()


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def module_name(filename: str) -> str:
    """The module name CPython's importer gives a file: its name up to the first dot
    (`libecho.so` and `libecho.cpython-311-x86_64-linux-gnu.so` are both `libecho`)."""
    return filename.rsplit("/", 1)[-1].split(".", 1)[0]


@cache
def stable_abi(version: str = "3.11") -> frozenset[str]:
    """The functions and data symbols of CPython's stable ABI as of `version`
    (shipped as data/stable_abi_<version>.txt; see its header for the source)."""
    text = resources.files("pylambda").joinpath(f"data/stable_abi_{version}.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
