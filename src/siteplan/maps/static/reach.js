// A site's rings along the roads (isochrone bands), redrawn in the page after an edit,
// as siteplan.measure.network.isochrones computes them: one Dijkstra on the reversed
// graph gives every node's cost of travel TO the site (place -> site), the site's own
// connector is walked first (subtracted from each ring), and for each ring the part of
// every segment from which the site is reached within the ring is cut out exactly (a
// segment is entered at either node, in the directions it may be travelled, one-way
// roads honoured; on the site's own segment directly too). Python buffers the pieces
// into polygons; the page draws the pieces themselves (scenario_ui.js).
siteplan.reach = (function () {
  "use strict";

  // The reversed graph's adjacency (each allowed travel x -> y as an arc y -> x), built
  // once per graph, in the shape siteplan.network.search reads.
  function reversed(g) {
    if (g.reversed) { return g.reversed; }
    var n = g.n, count = new Int32Array(n + 1), s;
    for (s = 0; s < g.m; s += 1) {
      if (g.fwd[s]) { count[g.v[s] + 1] += 1; }
      if (g.bwd[s]) { count[g.u[s] + 1] += 1; }
    }
    for (var k = 0; k < n; k += 1) { count[k + 1] += count[k]; }
    var fill = count.slice(0, n), head = new Int32Array(count[n]), seg = new Int32Array(count[n]);
    for (s = 0; s < g.m; s += 1) {
      if (g.fwd[s]) { head[fill[g.v[s]]] = g.u[s]; seg[fill[g.v[s]]++] = s; }
      if (g.bwd[s]) { head[fill[g.u[s]]] = g.v[s]; seg[fill[g.u[s]]++] = s; }
    }
    g.reversed = {n: n, start: count, head: head, seg: seg, w: g.w, w2: g.w2};
    return g.reversed;
  }

  // Each node's cost of travel to the joined place p ({seg, t}), its connector not
  // included (inf beyond limit): the place is entered from its own segment's nodes,
  // from u when the segment runs forward, from v when it runs backward.
  function costsTo(g, p, limit) {
    var s = p.seg, starts = [];
    if (g.fwd[s]) { starts.push({node: g.u[s], cost: p.t * g.w[s], other: 0}); }
    if (g.bwd[s]) { starts.push({node: g.v[s], cost: (1 - p.t) * g.w[s], other: 0}); }
    return siteplan.network.search(reversed(g), starts, limit).dist;
  }

  function clip(x) { return Math.min(Math.max(x, 0), 1); }

  // The segment pieces from which p is reached within budget (connector already
  // subtracted), as isochrones._reached_pieces gives them (a segment reached from both ends in parts
  // that meet is one whole piece; other overlaps kept): a flat list
  // seg, start, end (fractions along u -> v).
  function pieces(g, dist, p, budget) {
    var out = [];
    function keep(s, a, b) {
      var lo = clip(a), hi = clip(b);
      if (hi > lo) { out.push(s, lo, hi); }
    }
    for (var s = 0; s < g.m; s += 1) {
      var w = g.w[s];
      var fromU = clip(g.bwd[s] ? (budget - dist[g.u[s]]) / w : -Infinity);
      var fromV = clip(1 - (g.fwd[s] ? (budget - dist[g.v[s]]) / w : -Infinity));
      if (fromU > 0 && fromV < 1 && fromV <= fromU) {
        keep(s, 0, 1);  // reached from both ends in parts that meet: one whole piece
      } else {
        keep(s, 0, fromU);
        keep(s, fromV, 1);
      }
    }
    var span = budget / g.w[p.seg];
    if (g.fwd[p.seg]) { keep(p.seg, p.t - span, p.t); }
    if (g.bwd[p.seg]) { keep(p.seg, p.t, p.t + span); }
    return out;
  }
  // The summed length (metres) of pieces, overlaps counted twice (as Python's pieces).
  function length(g, flat) {
    var total = 0;
    for (var k = 0; k < flat.length; k += 3) { total += (flat[k + 2] - flat[k + 1]) * g.len[flat[k]]; }
    return total;
  }

  // Pieces merged per segment: {seg: [[start, end], ...]} sorted, disjoint.
  function merged(flat) {
    var by = {};
    for (var k = 0; k < flat.length; k += 3) {
      (by[flat[k]] = by[flat[k]] || []).push([flat[k + 1], flat[k + 2]]);
    }
    Object.keys(by).forEach(function (s) {
      var list = by[s].sort(function (a, b) { return a[0] - b[0]; }), out = [list[0].slice()];
      for (var i = 1; i < list.length; i += 1) {
        var last = out[out.length - 1];
        if (list[i][0] <= last[1]) { last[1] = Math.max(last[1], list[i][1]); }
        else { out.push(list[i].slice()); }
      }
      by[s] = out;
    });
    return by;
  }
  // The intervals of a not covered by b (both sorted and disjoint).
  function minus(a, b) {
    var out = [];
    a.forEach(function (iv) {
      var lo = iv[0];
      (b || []).forEach(function (cut) {
        if (cut[1] <= lo || cut[0] >= iv[1]) { return; }
        if (cut[0] > lo) { out.push([lo, cut[0]]); }
        lo = Math.max(lo, cut[1]);
      });
      if (iv[1] > lo) { out.push([lo, iv[1]]); }
    });
    return out;
  }

  // A site's bands: for the joined place p ({seg, t, connector}, or null when it cannot
  // join) and increasing rings (the cost's unit), one band per ring {from, to,
  // reached_m (the ring's reached length, pieces summed as Python's), lines: [[x0, y0,
  // x1, y1], ...] (metres from the page's origin: what this ring reaches and the ring
  // before it does not)}.
  function bands(g, p, rings) {
    var out = [], before = {};
    var connector = p ? (g.cost === "time" ? p.connector / g.walk : p.connector) : Infinity;
    var dist = p ? costsTo(g, p, rings[rings.length - 1]) : null;
    rings.forEach(function (ring, k) {
      var budget = ring - connector;
      var flat = dist && budget >= 0 ? pieces(g, dist, p, budget) : [];
      var now = merged(flat), lines = [];
      Object.keys(now).forEach(function (s) {
        var ax = g.xy[2 * g.u[s]], ay = g.xy[2 * g.u[s] + 1];
        var dx = g.xy[2 * g.v[s]] - ax, dy = g.xy[2 * g.v[s] + 1] - ay;
        minus(now[s], before[s]).forEach(function (iv) {
          lines.push([ax + iv[0] * dx, ay + iv[0] * dy, ax + iv[1] * dx, ay + iv[1] * dy]);
        });
      });
      out.push({from: k ? rings[k - 1] : 0, to: ring, reached_m: length(g, flat), lines: lines});
      before = now;
    });
    return out;
  }

  // -- drawing (the page; Leaflet) ----------------------------------------------------
  function ringLabel(v, unit) {  // as siteplan.maps.sites._ring_label
    return unit === "min" ? String(Number(v.toPrecision(4))) + " min" :
      Math.round(v).toLocaleString("en-US") + " m";
  }
  // Draw found ({site, bands}, or null) into group: each band as lines along the reached
  // streets (Python buffers them into areas), in the rings' colour, band k's opacity
  // 4 x fills[k], with Python's tooltip text (a text node: names stay inert). back maps
  // metres from the origin to the drawn [lat, lng].
  function draw(group, found, back, unit, fills) {
    if (!found) { return; }
    found.bands.forEach(function (band, k) {
      if (!band.lines.length) { return; }
      var latlngs = band.lines.map(function (l) {
        return [back([l[0], l[1]]), back([l[2], l[3]])];
      });
      var line = L.polyline(latlngs, {pane: "siteplan-rings",
        className: "siteplan-scenario-ring siteplan-scenario-road-ring", color: "#2c7fb8",
        weight: 7, opacity: 4 * fills[Math.min(k, fills.length - 1)], lineCap: "butt"});
      var tip = document.createElement("div");
      tip.textContent = ringLabel(band.from, unit) + " to " + ringLabel(band.to, unit) +
        " along the roads (reached network) to " + found.site.name;
      line.bindTooltip(tip, {sticky: true, className: "siteplan-tooltip"});
      line.addTo(group);
    });
  }

  return {draw: draw, reversed: reversed, costsTo: costsTo, pieces: pieces, length: length,
    minus: minus, bands: bands};
}());
