"""Tests of the weekly digest (pressmon.digest, press_weekly_digest, pressmon digest)."""
