# syntax=docker/dockerfile:1
# Build a pylambda deployment zip inside the official Lambda Python base image: the
# alternative for those who prefer Docker to `python -m pylambda build` on their own
# machine. The same command runs in here, so the zip is the same kind: glibc 2.26, the
# CPython 3.11 stable ABI, checked with `pylambda check` for the runtime you name.
#
#   docker build --build-arg RUNTIME=3.12 --build-arg PACKAGE=hello --output dist .
#       (BuildKit/buildx: the zip lands in ./dist/hello-x86_64.zip)
#   docker build --build-arg RUNTIME=3.12 --build-arg PACKAGE=hello --target build -t fn .
#   docker run --rm --entrypoint cat fn /dist/hello-x86_64.zip > hello-x86_64.zip
#       (the legacy builder, without --output)
#
# RUNTIME: 3.11 (Amazon Linux 2, yum) or 3.12, 3.13, 3.14 (Amazon Linux 2023, dnf).
# PACKAGE: the workspace package holding the function; empty builds the root package.
# ARCH: x86_64, or arm64 together with `--platform linux/arm64` (the image's own Rust
#       toolchain is then aarch64, so the target's standard library is there).
ARG RUNTIME=3.11
FROM public.ecr.aws/lambda/python:${RUNTIME} AS build
ARG RUNTIME
ARG PACKAGE=
ARG ARCH=x86_64

# gcc links cargo's build scripts and proc macros for the build machine; zig (from PyPI)
# links the function itself against glibc 2.26.
RUN if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi \
 && "$pm" install -y gcc tar gzip \
 && "$pm" clean all

ENV RUSTUP_HOME=/opt/rustup CARGO_HOME=/opt/cargo PATH=/opt/cargo/bin:$PATH
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain stable

WORKDIR /src
# The build tools only, pinned like the project's own venv (awslambdaric is in the image).
COPY python/constraints.txt python/constraints.txt
RUN python3 -m pip install --no-cache-dir -c python/constraints.txt \
    cargo-zigbuild ziglang pyelftools

COPY . .
ENV PYTHONPATH=/src/python
RUN python3 -m pylambda build ${PACKAGE:+-p "$PACKAGE"} --runtime "python${RUNTIME}" --arch "${ARCH}" --out /dist

# `--output dist` exports this stage's files: just the zip(s).
FROM scratch AS artifact
COPY --from=build /dist/ /
