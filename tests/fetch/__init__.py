"""Fetching and feed parsing tests (a package, so its conftest does not shadow tests/conftest.py)."""
