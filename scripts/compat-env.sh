#!/usr/bin/env bash
# Prepare the interpreters the compatibility suite runs the built examples under:
#   .cache/venvs/3.12, .cache/venvs/3.13  pyenv's CPython with awslambdaric (pinned)
#   .cache/chroot/sid-python3.14          Debian sid's CPython 3.14 with awslambdaric
#   .cache/chroot/sid-python3.15          the same chroot's CPython 3.15 (Lambda's python3.15
#                                         runtime, in preview), with awslambdaric
#   .cache/chroot/bullseye-python3.9      Debian bullseye: glibc 2.31, for the load test
# CPython 3.11 is the tooling's own venv; 3.6 is used bare (awslambdaric needs 3.10+).
#
# Idempotent: what exists and matches python/constraints.txt is reused. A missing pyenv
# version is a warning, or an error with PYLAMBDA_STRICT_COMPAT=1 (CI: nothing may skip).
set -euo pipefail
cd "$(dirname "$0")/.."

py=${PY:-.venv/bin/python}
pyenv=${PYENV_VERSIONS:-$HOME/.pyenv/versions}
constraints=python/constraints.txt
strict=${PYLAMBDA_STRICT_COMPAT:-}
# What each environment gets: awslambdaric (the runtime client); pytest and hypothesis, which run
# the engine's own test suites under every interpreter (scripts/engine-suites.sh).
packages="awslambdaric pytest hypothesis"
stamp=$( (cat "$constraints"; echo "$packages") | sha256sum | cut -c1-16)

missing() {
  if [ "$strict" = 1 ]; then echo "compat-env: $1 (PYLAMBDA_STRICT_COMPAT=1)" >&2; exit 1; fi
  echo "compat-env: $1; its tests will be skipped" >&2
}

for version in 3.12 3.13; do
  venv=.cache/venvs/$version
  if [ "$(cat "$venv/.ready" 2>/dev/null)" = "$stamp" ]; then continue; fi
  interp=$(ls -d "$pyenv/$version".*/bin/"python$version" 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$interp" ]; then missing "no CPython $version under $pyenv"; continue; fi
  echo "compat-env: $venv from $interp" >&2
  rm -rf "$venv"
  "$interp" -m venv "$venv"
  # shellcheck disable=SC2086 # a list of package names
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -c "$constraints" $packages
  echo "$stamp" >"$venv/.ready"
done

scripts/chroot.sh sid >/dev/null
scripts/chroot.sh bullseye >/dev/null

# awslambdaric's cp314 and cp315 wheels (and pytest's), installed from the host into sid's site
# directories: no pip or venv package needed inside the chroot.
for version in 3.14 3.15; do
  site=.cache/chroot/sid/usr/local/lib/python$version/dist-packages
  if [ "$(cat "$site/.pylambda-ready" 2>/dev/null)" = "$stamp" ]; then continue; fi
  abi=cp${version/./}
  echo "compat-env: $packages for CPython $version into $site" >&2
  rm -rf "$site"
  # shellcheck disable=SC2086 # a list of package names
  "$py" -m pip install -q --disable-pip-version-check --target "$site" \
    --only-binary=:all: --implementation cp --python-version "$version" --abi "$abi" \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -c "$constraints" $packages
  echo "$stamp" >"$site/.pylambda-ready"
done
echo "compat-env: ready" >&2
