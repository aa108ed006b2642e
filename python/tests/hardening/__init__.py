"""Helpers of the hardening suites (issue 8): generators, leak runner, emulator payloads."""
