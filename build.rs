//! Finds the Python that the crate's own tests embed, and links libpython into those test
//! binaries only.
//!
//! An extension module must never link libpython (the interpreter that loads it provides the
//! symbols; linking a second copy is the classic `PyThreadState_Get: no current thread`
//! crash), so nothing here applies to the cdylibs users build. Integration tests in `tests/`
//! start an interpreter of their own and need the library and its home directory:
//!
//! 1. the interpreter is `$PYTHON_SYS_EXECUTABLE` (the variable python3-sys reads too), else
//!    `python3`, else `python` on `PATH`;
//! 2. link flags come from pkg-config (`python-X.Y-embed`, searched in the interpreter's own
//!    `LIBPC` first), else from sysconfig (`LIBDIR`, `LDLIBRARY`);
//! 3. with neither, the build stops with an error naming the variable to set.

use std::env;
use std::process::Command;

const INTERPRETER_VAR: &str = "PYTHON_SYS_EXECUTABLE";

/// What we need to know about the interpreter.
struct Python {
    version: String,
    libdir: String,
    libpc: String,
    ldversion: String,
    home: String,
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={INTERPRETER_VAR}");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    let python = find_python().unwrap_or_else(|tried| {
        panic!(
            "pylambda: no Python interpreter found (tried {tried}). Set {INTERPRETER_VAR} to a \
             CPython 3 interpreter, e.g. {INTERPRETER_VAR}=/usr/bin/python3"
        )
    });
    let flags = pkg_config_flags(&python).unwrap_or_else(|| sysconfig_flags(&python));
    for flag in &flags {
        println!("cargo:rustc-link-arg-tests={flag}");
    }
    // Tests start the interpreter from a binary in target/, so tell it where its stdlib is.
    println!("cargo:rustc-env=PYLAMBDA_BUILD_PYTHONHOME={}", python.home);
    println!(
        "cargo:rustc-env=PYLAMBDA_BUILD_PYTHON_VERSION={}",
        python.version
    );
}

fn find_python() -> Result<Python, String> {
    let candidates: Vec<String> = match env::var(INTERPRETER_VAR) {
        Ok(path) if !path.is_empty() => vec![path],
        _ => vec!["python3".into(), "python".into()],
    };
    for candidate in &candidates {
        if let Some(python) = query(candidate) {
            return Ok(python);
        }
    }
    Err(candidates.join(", "))
}

fn query(interpreter: &str) -> Option<Python> {
    let script = "import sys, sysconfig\n\
        v = sysconfig.get_config_var\n\
        print('%d.%d' % sys.version_info[:2])\n\
        print(v('LIBDIR') or '')\n\
        print(v('LIBPC') or '')\n\
        print(v('LDVERSION') or '%d.%d' % sys.version_info[:2])\n\
        print(sys.base_prefix)";
    let out = Command::new(interpreter)
        .arg("-c")
        .arg(script)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let mut lines = text.lines().map(str::to_owned);
    let python = Python {
        version: lines.next()?,
        libdir: lines.next()?,
        libpc: lines.next()?,
        ldversion: lines.next()?,
        home: lines.next()?,
    };
    python.version.starts_with("3.").then_some(python)
}

/// `pkg-config --libs python-X.Y-embed`, preferring the interpreter's own .pc files.
fn pkg_config_flags(python: &Python) -> Option<Vec<String>> {
    let mut search = python.libpc.clone();
    if let Ok(existing) = env::var("PKG_CONFIG_PATH") {
        search = format!("{search}:{existing}");
    }
    let out = Command::new("pkg-config")
        .env("PKG_CONFIG_PATH", search)
        .args(["--libs", &format!("python-{}-embed", python.version)])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut flags: Vec<String> = String::from_utf8(out.stdout)
        .ok()?
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    // Let the test binary find a libpython outside the system paths (pyenv, venvs).
    let dirs: Vec<String> = flags
        .iter()
        .filter_map(|f| f.strip_prefix("-L"))
        .map(str::to_owned)
        .collect();
    for dir in dirs {
        flags.push(format!("-Wl,-rpath,{dir}"));
    }
    if !flags.iter().any(|f| f.starts_with("-l")) {
        return None;
    }
    Some(flags)
}

fn sysconfig_flags(python: &Python) -> Vec<String> {
    let mut flags = Vec::new();
    if !python.libdir.is_empty() {
        flags.push(format!("-L{}", python.libdir));
        flags.push(format!("-Wl,-rpath,{}", python.libdir));
    }
    flags.push(format!("-lpython{}", python.ldversion));
    flags
}
