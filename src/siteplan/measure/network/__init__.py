"""Distances and travel times along a road network.

The steps, each in its own module: build the directed graph for a mode
(:mod:`.graph`), join places to it (:mod:`.snap`), compute origin-destination
costs (:mod:`.paths`), check the network's quality (:mod:`.quality`), draw
reached areas (:mod:`.isochrones`) and cache built graphs (:mod:`.cache`).
"""
