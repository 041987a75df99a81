"""Folium HTML maps: site and candidate layers, click-to-score, tiles and page assets."""
