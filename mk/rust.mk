# Rust unit, integration and doc tests of the crate and every example, then the crate again
# with `arbitrary_precision` (exact big numbers in serde_json::Value), which changes the
# conversion of ints beyond 64 bits and of Decimals.
.PHONY: test-rust
TEST_STEPS += test-rust
test-rust: setup
	$(CARGO) test --workspace
	$(CARGO) test -p pylambda --features arbitrary_precision --test embedded
