"""Measure: pairwise distances, rings and overlaps in the study's metric CRS."""
