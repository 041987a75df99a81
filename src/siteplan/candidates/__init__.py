"""Candidate locations: grids and parcels, scoring engines and picks."""
