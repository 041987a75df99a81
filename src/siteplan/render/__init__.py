"""Render results: reports, exports, the static map and shared text helpers."""
