"""Benchmarks that print figures; see docs/performance.md. Not collected by pytest."""
