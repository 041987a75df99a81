"""Score: distance-decay functions, the scoring rule, site and cluster scores, constraints."""
