"""Scenarios: sensitivity sweeps and comparisons of two studies."""
