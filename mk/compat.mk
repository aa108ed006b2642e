# Runtime compatibility: build the examples once with `pylambda build` (zigbuild, glibc
# 2.26, stable ABI) and run THE SAME .so files under CPython 3.11, 3.12, 3.13 (pyenv),
# 3.14 and 3.15 (Debian sid chroot), 3.6 (pyenv), and under glibc 2.31 (Debian bullseye chroot).
# Interpreters, venvs and chroots are made by scripts/compat-env.sh under .cache/ and
# reused. In CI (CI=true) nothing may be skipped: PYLAMBDA_STRICT_COMPAT=1.
.PHONY: test-compat compat-env compat-build test-engine-versions
TEST_STEPS += test-compat test-engine-versions

COMPAT_DIST := target/pylambda/compat-dist
COMPAT_EXAMPLES := echo errors hello
PYENV_VERSIONS ?= $(HOME)/.pyenv/versions
export PYLAMBDA_STRICT_COMPAT ?= $(if $(filter true 1,$(CI)),1,)

compat-env: setup
	PY=$(PY) scripts/compat-env.sh

compat-build: setup
	$(PY) -m pylambda build $(addprefix -p ,$(COMPAT_EXAMPLES)) --out $(COMPAT_DIST)
	@# The same echo with python3-sys configured by a real CPython 3.13 instead of 3.11:
	@# the suite checks the two .so files are byte-identical.
	@py313=$$(ls -d $(PYENV_VERSIONS)/3.13.*/bin/python3.13 2>/dev/null | sort -V | tail -1); \
	if [ -n "$$py313" ]; then \
	  $(PY) -m pylambda build -p echo --runtime python3.13 --python "$$py313" --out $(COMPAT_DIST)/py313; \
	else echo "compat-build: no pyenv CPython 3.13; the byte-identity test will skip or fail"; fi

test-compat: compat-env compat-build
	cd python && PYLAMBDA_COMPAT_DIST=$(abspath $(COMPAT_DIST)) $(PY) -m pytest -q -ra tests/test_compat.py

# The engine's and the bridge's pytest suites under 3.12, 3.13, 3.14 and 3.15 (3.11: test-python).
test-engine-versions: compat-env build-examples
	scripts/engine-suites.sh
