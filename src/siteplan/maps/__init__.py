"""Folium HTML maps: site and candidate layers, click-to-score, tiles and page assets.

The modules, in the order a map is built:

- :mod:`~siteplan.maps.make`: :func:`make_map`, :func:`render_map`, :func:`write_map`;
- :mod:`~siteplan.maps.tiles`: the base map (named providers, URL templates, datums);
- :mod:`~siteplan.maps.sites`: sites, ring bands, site pairs, boundary, context;
- :mod:`~siteplan.maps.candidate_layers`: the candidate surface, picks, excluded areas;
- :mod:`~siteplan.maps.panels`: title, legend and notes;
- :mod:`~siteplan.maps.clickscore`: what the page needs to score a click (projections);
- :mod:`~siteplan.maps.features`: shared colour scales, formatters and GeoJSON features;
- :mod:`~siteplan.maps.elements`: the folium template classes;
- :mod:`~siteplan.maps.escape`: escaping of user text for HTML and scripts;
- :mod:`~siteplan.maps.assets`: Leaflet and the page's own ``static/`` JavaScript and CSS.
"""
