"""Access: who is served. Accessibility indices, coverage and the OD cost table.

Everything here works on a cost matrix: one row per demand point, one column per site, in
the measure's unit (metres, or minutes for time), ``inf`` where a site cannot be reached. The
matrix comes from any measure (straight line now, a road network later), so the indices and
coverage are the same code for every measure.
"""
