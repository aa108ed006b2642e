#!/usr/bin/env bash
# Make (or reuse) a Debian sid chroot holding CPython 3.14's and 3.15's *debug* builds, and a
# wrapper for each that runs it on host paths. Prints the wrappers' paths, one per line (3.14d
# last).
#
#   scripts/hardening/debug-python.sh   -> .cache/chroot/sid-dbg + .cache/chroot/sid-dbg-python3.15d
#                                                                + .cache/chroot/sid-dbg-python3.14d
#
# Why: only a debug interpreter has sys.gettotalrefcount(), the sum of every object's reference
# count, which shows a leaked reference to *any* object (the leak runs check it stays flat).
# The machine image has none; Debian's python3.14-dbg and python3.15-dbg have one. scripts/chroot.sh makes it (suite
# sid-dbg), with the same wrapper as the compatibility suite's chroots.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
exec "$repo/scripts/chroot.sh" sid-dbg "${1:-$repo/.cache/chroot}"
