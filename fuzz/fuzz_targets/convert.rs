//! libFuzzer entry point: every input runs all of the harness's properties
//! (pylambda_fuzz::run, src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pylambda_fuzz::run(data));
