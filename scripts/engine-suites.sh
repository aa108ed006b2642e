#!/usr/bin/env bash
# Run the conversion engine's and the bridge's own test suites (the ones that reach every
# unsafe FFI path: both conversion directions, subclasses, OrderedDict, errors, panics,
# threads, the context; the property tests against the model of the conversion table; the
# leak and reference-count runs, 20,000 invocations per case; the logging bridge) under each Lambda CPython other
# than the tooling's 3.11, which `make test-python` covers: pyenv's 3.12 and 3.13, Debian
# sid's 3.14 and 3.15 (scripts/compat-env.sh makes them). The modules are the workspace's
# release builds (`make build-examples`), as built for 3.11's stable ABI: the same files
# under every interpreter.
#
# Left out here (they run under 3.11): the two tests that need the build tools, which the sid
# chroot does not have (cargo, readelf).
# A missing interpreter is a warning, or an error with PYLAMBDA_STRICT_COMPAT=1 (CI).
set -euo pipefail
cd "$(dirname "$0")/../python"

cache=../.cache
suites=(tests/test_conversions.py tests/test_hardening_subclasses.py tests/test_bridge.py
  tests/test_hardening_properties.py tests/test_hardening_leaks.py tests/test_logging.py)
deselect="not crate_named_lambda and not links_libpython"
strict=${PYLAMBDA_STRICT_COMPAT:-}
status=0

for interp in "$cache/venvs/3.12/bin/python" "$cache/venvs/3.13/bin/python" \
  "$cache/chroot/sid-python3.14" "$cache/chroot/sid-python3.15"; do
  if [ ! -x "$interp" ]; then
    if [ "$strict" = 1 ]; then echo "engine-suites: no $interp (PYLAMBDA_STRICT_COMPAT=1)" >&2; exit 1; fi
    echo "engine-suites: no $interp; skipped" >&2
    continue
  fi
  version=$("$interp" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  echo "engine-suites: CPython $version ($interp)" >&2
  "$interp" -m pytest -q -p no:cacheprovider "${suites[@]}" -k "$deselect" || status=1
done
exit $status
