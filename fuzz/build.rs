//! Links libpython into the fuzz binary (it embeds the interpreter, unlike a real extension
//! module) and records where the interpreter's standard library is.
//!
//! The interpreter is `$PYTHON_SYS_EXECUTABLE` (the one python3-sys configures for), else
//! `python3`: the same rule as the main crate's build.rs.

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PYTHON_SYS_EXECUTABLE");
    let python = env::var("PYTHON_SYS_EXECUTABLE").unwrap_or_else(|_| "python3".into());
    let script = "import sys, sysconfig\n\
        v = sysconfig.get_config_var\n\
        print(v('LIBDIR'))\n\
        print(v('LDVERSION'))\n\
        print(sys.base_prefix)";
    let out = Command::new(&python)
        .args(["-c", script])
        .output()
        .unwrap_or_else(|e| panic!("pylambda-fuzz: cannot run {python}: {e}"));
    assert!(out.status.success(), "pylambda-fuzz: {python} failed");
    let text = String::from_utf8(out.stdout).expect("UTF-8 from sysconfig");
    let mut lines = text.lines();
    let (libdir, ldversion, home) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    println!("cargo:rustc-link-search=native={libdir}");
    println!("cargo:rustc-link-lib=dylib=python{ldversion}");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
    println!("cargo:rustc-env=PYLAMBDA_FUZZ_PYTHONHOME={home}");
}
