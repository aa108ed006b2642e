"""How `hardening/valgrind_summary.py` attributes memcheck reports (the valgrind run is too slow
for `make test`; its judge is not). Report texts are shortened from real logs."""

from __future__ import annotations

from hardening.valgrind_summary import blocks, is_projects

HEAD = "==1== "


def report(*lines: str) -> list[str]:
    (block,) = list(blocks("\n".join(HEAD + line for line in lines)))
    return block


# A use in pylambda's code of a value CPython's `json.loads` made (CPython 3.11's
# PyLong_FromString leaves the digit of a parsed 0 undefined), pylambda further out on the
# creating stack because it called `json.loads`.
CPYTHON_MADE = report(
    "Use of uninitialised value of size 8",
    "   at 0x255281: type_ptr (object.rs:139)",
    "   by 0x255281: pylambda::convert::value::from_python_into (value.rs:34)",
    " Uninitialised value was created by a heap allocation",
    "   at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
    "   by 0x49D80C0: _PyLong_New (longobject.c:161)",
    "   by 0x49E1EF8: PyLong_FromString (longobject.c:2509)",
    "   by 0x88DCBBB: _match_number_unicode (_json.c:1019)",
    "   by 0x49AB311: PyObject_CallFunctionObjArgs (call.c:925)",
    "   by 0x26C3B9: pylambda::ffi::construct::json_loads (construct.rs:187)",
)

# A value pylambda's own code made (through Rust's allocation glue) and left undefined.
PYLAMBDA_MADE = report(
    "Conditional jump or move depends on uninitialised value(s)",
    "   at 0x49E22CA: PyLong_FromString (longobject.c:2611)",
    " Uninitialised value was created by a heap allocation",
    "   at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
    "   by 0x1D0000: alloc::alloc::alloc (alloc.rs:95)",
    "   by 0x1D0001: alloc::raw_vec::RawVec<T,A>::allocate_in (raw_vec.rs:184)",
    "   by 0x1D0002: alloc::vec::Vec<T>::with_capacity (mod.rs:480)",
    "   by 0x26C3B0: pylambda::convert::keys::text (keys.rs:40)",
)


def test_a_value_cpython_made_is_cpythons_even_when_pylambda_called_the_maker():
    assert not is_projects(CPYTHON_MADE)


def test_a_value_pylambda_made_is_pylambdas_past_the_allocator_frames():
    assert is_projects(PYLAMBDA_MADE)


def test_an_invalid_read_anywhere_under_pylambda_is_pylambdas():
    invalid = report(
        "Invalid read of size 8",
        "   at 0x4A0B858: PyDict_Next (dictobject.c:2100)",
        "   by 0x255C21: pylambda::convert::value::from_python_into (value.rs:76)",
    )
    assert is_projects(invalid)
