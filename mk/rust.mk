# Rust unit, integration and doc tests of the crate and every example.
.PHONY: test-rust
TEST_STEPS += test-rust
test-rust: setup
	$(CARGO) test --workspace
