// The page's road network: the graph siteplan built (decoded from compact base64 arrays),
// places joined at the nearest point of the nearest segment, and Dijkstra with a binary
// heap. The rules are siteplan.measure.network's: connectors are walked in every mode,
// drive honours one-way segments, a place farther than snap_max_m is unreachable. Used
// by clickscore.js (with per-site node costs precomputed in Python) and scenario.js
// (routing the edited sites).
siteplan.network = (function () {
  "use strict";
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var LOOKUP = {};
  for (var i = 0; i < B64.length; i += 1) { LOOKUP[B64.charAt(i)] = i; }

  // base64 -> ArrayBuffer (no atob: the node tests run this in a bare vm context)
  function bytes(text) {
    var clean = text.replace(/=+$/, ""), n = Math.floor(clean.length * 3 / 4);
    var out = new Uint8Array(n), k = 0;
    for (var j = 0; j < clean.length; j += 4) {
      var a = LOOKUP[clean.charAt(j)], b = LOOKUP[clean.charAt(j + 1)];
      var c = LOOKUP[clean.charAt(j + 2)], d = LOOKUP[clean.charAt(j + 3)];
      var v = (a << 18) | (b << 12) | ((c || 0) << 6) | (d || 0);
      if (k < n) { out[k++] = (v >> 16) & 255; }
      if (k < n) { out[k++] = (v >> 8) & 255; }
      if (k < n) { out[k++] = v & 255; }
    }
    return out.buffer;
  }
  function f64(text) { return new Float64Array(bytes(text)); }
  function f32(text) { return new Float32Array(bytes(text)); }
  function i32(text) { return new Int32Array(bytes(text)); }
  function u8(text) { return new Uint8Array(bytes(text)); }

  // The graph: node xy (metres from the page's origin), segments u -> v (drawing
  // direction) with their travel directions and speeds, and forward adjacency (CSR).
  function decode(d) {
    var xy = f64(d.nodes), u = i32(d.u), v = i32(d.v), dir = u8(d.dir), kmh = f64(d.kmh);
    var n = xy.length / 2, m = u.length, walk = d.walk_kmh * 1000 / 60;
    var len = new Float64Array(m), minutes = new Float64Array(m);
    for (var s = 0; s < m; s += 1) {
      len[s] = Math.hypot(xy[2 * v[s]] - xy[2 * u[s]], xy[2 * v[s] + 1] - xy[2 * u[s] + 1]);
      minutes[s] = len[s] / (kmh[s] * 1000 / 60);
    }
    var time = d.cost === "time";
    var g = {n: n, m: m, xy: xy, u: u, v: v, fwd: new Uint8Array(m), bwd: new Uint8Array(m),
      len: len, minutes: minutes, w: time ? minutes : len, w2: time ? len : minutes,
      cost: d.cost, walk: walk, snapMax: d.snap_max_m, mode: d.mode};
    var count = new Int32Array(n + 1);
    for (s = 0; s < m; s += 1) {
      g.fwd[s] = dir[s] & 1;
      g.bwd[s] = (dir[s] >> 1) & 1;
      if (g.fwd[s]) { count[u[s] + 1] += 1; }
      if (g.bwd[s]) { count[v[s] + 1] += 1; }
    }
    for (var k = 0; k < n; k += 1) { count[k + 1] += count[k]; }
    var fill = count.slice(0, n), head = new Int32Array(count[n]), seg = new Int32Array(count[n]);
    for (s = 0; s < m; s += 1) {
      if (g.fwd[s]) { head[fill[u[s]]] = v[s]; seg[fill[u[s]]++] = s; }
      if (g.bwd[s]) { head[fill[v[s]]] = u[s]; seg[fill[v[s]]++] = s; }
    }
    g.start = count;
    g.head = head;
    g.seg = seg;
    return g;
  }

  // A binary min-heap of (key, node); stale entries are skipped by the search.
  function Heap() { this.keys = []; this.nodes = []; }
  Heap.prototype.push = function (key, node) {
    var keys = this.keys, nodes = this.nodes, k = keys.length;
    keys.push(key);
    nodes.push(node);
    while (k > 0) {
      var p = (k - 1) >> 1;
      if (keys[p] <= key) { break; }
      keys[k] = keys[p];
      nodes[k] = nodes[p];
      k = p;
    }
    keys[k] = key;
    nodes[k] = node;
  };
  Heap.prototype.pop = function () {
    var keys = this.keys, nodes = this.nodes, top = {key: keys[0], node: nodes[0]};
    var key = keys.pop(), node = nodes.pop(), n = keys.length, k = 0;
    if (n === 0) { return top; }
    for (;;) {
      var c = 2 * k + 1;
      if (c >= n) { break; }
      if (c + 1 < n && keys[c + 1] < keys[c]) { c += 1; }
      if (keys[c] >= key) { break; }
      keys[k] = keys[c];
      nodes[k] = nodes[c];
      k = c;
    }
    keys[k] = key;
    nodes[k] = node;
    return top;
  };
  Heap.prototype.size = function () { return this.keys.length; };

  // Dijkstra from starts [{node, cost, other}] on the forward graph: the cheapest cost
  // to every node (inf beyond limit) and the other unit along that path.
  function search(g, starts, limit) {
    var dist = new Float64Array(g.n).fill(Infinity), other = new Float64Array(g.n);
    var done = new Uint8Array(g.n), heap = new Heap(), max = limit === undefined ? Infinity : limit;
    starts.forEach(function (s) {
      if (s.cost < dist[s.node] && s.cost <= max) {
        dist[s.node] = s.cost;
        other[s.node] = s.other;
        heap.push(s.cost, s.node);
      }
    });
    while (heap.size()) {
      var top = heap.pop(), x = top.node;
      if (done[x] || top.key > dist[x]) { continue; }
      done[x] = 1;
      for (var a = g.start[x]; a < g.start[x + 1]; a += 1) {
        var y = g.head[a], s = g.seg[a], c = dist[x] + g.w[s];
        if (c < dist[y] && c <= max) {
          dist[y] = c;
          other[y] = other[x] + g.w2[s];
          heap.push(c, y);
        }
      }
    }
    return {dist: dist, other: other};
  }

  // -- joining places ------------------------------------------------------------------
  function project(px, py, ax, ay, bx, by) {  // the parameter of (px, py) along a -> b
    var dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    if (!(len2 > 0)) { return 0; }
    var t = ((px - ax) * dx + (py - ay) * dy) / len2;
    return t < 0 ? 0 : (t > 1 ? 1 : t);
  }
  function at(t, ax, ay, bx, by) { return [ax + t * (bx - ax), ay + t * (by - ay)]; }
  // Where segments p-q and a-b cross (the parameter along a-b), or -1.
  function crossing(px, py, qx, qy, ax, ay, bx, by) {
    var rx = qx - px, ry = qy - py, sx = bx - ax, sy = by - ay, den = rx * sy - ry * sx;
    if (den === 0) { return -1; }
    var tp = ((ax - px) * sy - (ay - py) * sx) / den, ta = ((ax - px) * ry - (ay - py) * rx) / den;
    return tp >= 0 && tp <= 1 && ta >= 0 && ta <= 1 ? ta : -1;
  }
  function inside(rings, x, y) {
    var odd = false;
    rings.forEach(function (r) {
      for (var k = 0; k + 3 < r.length; k += 2) {
        var ay = r[k + 1], by = r[k + 3];
        if ((ay > y) !== (by > y) && x < (r[k + 2] - r[k]) * (y - ay) / (by - ay) + r[k]) {
          odd = !odd;
        }
      }
    });
    return odd;
  }
  // The nearest point of segment a-b to a place ({rings, polygonal}), as GEOS's nearest
  // points give it: {d, t} (distance, parameter along a-b).
  function nearest(place, ax, ay, bx, by) {
    if (place.polygonal && inside(place.rings, ax, ay)) { return {d: 0, t: 0}; }
    var best = {d: Infinity, t: 0};
    function consider(d, t) { if (d < best.d) { best.d = d; best.t = t; } }
    for (var i = 0; i < place.rings.length; i += 1) {
      var r = place.rings[i];
      if (r.length === 2) {
        var t0 = project(r[0], r[1], ax, ay, bx, by), q0 = at(t0, ax, ay, bx, by);
        consider(Math.hypot(q0[0] - r[0], q0[1] - r[1]), t0);
        continue;
      }
      for (var k = 0; k + 3 < r.length; k += 2) {
        var px = r[k], py = r[k + 1], qx = r[k + 2], qy = r[k + 3];
        var cross = crossing(px, py, qx, qy, ax, ay, bx, by);
        if (cross >= 0) { return {d: 0, t: cross}; }
        var c = [], d = Infinity, t = 0, e;
        // the candidates in GEOS's order: a, b, then p and q projected onto a-b
        e = at(project(ax, ay, px, py, qx, qy), px, py, qx, qy);
        c = Math.hypot(e[0] - ax, e[1] - ay);
        if (c < d) { d = c; t = 0; }
        e = at(project(bx, by, px, py, qx, qy), px, py, qx, qy);
        c = Math.hypot(e[0] - bx, e[1] - by);
        if (c < d) { d = c; t = 1; }
        var tp = project(px, py, ax, ay, bx, by);
        e = at(tp, ax, ay, bx, by);
        c = Math.hypot(e[0] - px, e[1] - py);
        if (c < d) { d = c; t = tp; }
        var tq = project(qx, qy, ax, ay, bx, by);
        e = at(tq, ax, ay, bx, by);
        c = Math.hypot(e[0] - qx, e[1] - qy);
        if (c < d) { d = c; t = tq; }
        consider(d, t);
      }
    }
    return best;
  }
  function box(rings) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    rings.forEach(function (r) {
      for (var k = 0; k + 1 < r.length; k += 2) {
        b[0] = Math.min(b[0], r[k]);
        b[1] = Math.min(b[1], r[k + 1]);
        b[2] = Math.max(b[2], r[k]);
        b[3] = Math.max(b[3], r[k + 1]);
      }
    });
    return b;
  }
  // Join a place ({rings, polygonal}, metres from the origin) at the nearest point of the
  // nearest segment (ties: the lowest segment): {seg, t, connector} or null beyond snapMax.
  function snap(g, place) {
    var b = box(place.rings), best = null, limit = g.snapMax, xy = g.xy;
    for (var s = 0; s < g.m; s += 1) {
      var ax = xy[2 * g.u[s]], ay = xy[2 * g.u[s] + 1], bx = xy[2 * g.v[s]], by = xy[2 * g.v[s] + 1];
      // a cheap gap between bounding boxes first
      var gx = Math.max(0, Math.min(ax, bx) - b[2], b[0] - Math.max(ax, bx));
      var gy = Math.max(0, Math.min(ay, by) - b[3], b[1] - Math.max(ay, by));
      var gap = Math.hypot(gx, gy);
      if (gap > limit || (best && gap > best.connector)) { continue; }
      var found = nearest(place, ax, ay, bx, by);
      if (found.d <= limit && (!best || found.d < best.connector)) {
        best = {seg: s, t: found.t, connector: found.d};
      }
    }
    return best;
  }
  function snapPoint(g, x, y) { return snap(g, {rings: [[x, y]], polygonal: false}); }

  // -- costs ---------------------------------------------------------------------------
  function walked(g, metres) { return g.cost === "time" ? metres / g.walk : metres; }
  function walkedOther(g, metres) { return g.cost === "time" ? metres : metres / g.walk; }
  // The starts of a search leaving a joined place ({seg, t, connector}).
  function departures(g, p) {
    var s = p.seg, out = [];
    if (g.bwd[s]) { out.push({node: g.u[s], cost: p.t * g.w[s], other: p.t * g.w2[s]}); }
    if (g.fwd[s]) {
      out.push({node: g.v[s], cost: (1 - p.t) * g.w[s], other: (1 - p.t) * g.w2[s]});
    }
    return out;
  }
  // The cost of arriving at a joined place q from a search {dist, other} that left the
  // joined place p (p's own segment may be travelled directly): {cost, other}, no
  // connectors.
  function arrival(g, found, p, q) {
    var s = q.seg, best = {cost: Infinity, other: Infinity};
    if (g.fwd[s]) {
      best = {cost: found.dist[g.u[s]] + q.t * g.w[s], other: found.other[g.u[s]] + q.t * g.w2[s]};
    }
    if (g.bwd[s]) {
      var c = found.dist[g.v[s]] + (1 - q.t) * g.w[s];
      if (c < best.cost) {
        best = {cost: c, other: found.other[g.v[s]] + (1 - q.t) * g.w2[s]};
      }
    }
    if (p && p.seg === s) {
      var ahead = q.t - p.t;
      if (ahead >= 0 ? g.fwd[s] : g.bwd[s]) {
        var direct = Math.abs(ahead) * g.w[s];
        if (direct < best.cost) { best = {cost: direct, other: Math.abs(ahead) * g.w2[s]}; }
      }
    }
    return best;
  }
  // Travel from place p to place q (both joined, with connectors in metres): metres and
  // minutes along the path cheapest in the graph's cost (inf when it cannot be travelled).
  function trip(g, found, p, q) {
    var a = arrival(g, found, p, q);
    if (!isFinite(a.cost)) { return {cost: Infinity, metres: Infinity, minutes: Infinity}; }
    var conn = p.connector + q.connector;
    var cost = a.cost + walked(g, conn), other = a.other + walkedOther(g, conn);
    return {cost: cost, metres: g.cost === "time" ? other : cost,
      minutes: g.cost === "time" ? cost : other};
  }
  // A click's cost to each site from precomputed node costs (sites x nodes, connectors
  // of the sites included) and the sites' places [{site, seg, t, cost}]: inf beyond limit.
  function clickCosts(g, pre, x, y) {
    var p = snapPoint(g, x, y), k = pre.sites, out = [];
    for (var j = 0; j < k; j += 1) { out.push(Infinity); }
    if (!p) { return {costs: out, snapped: null}; }
    var s = p.seg, n = g.n, own = walked(g, p.connector);
    var leaveU = g.bwd[s] ? p.t * g.w[s] : Infinity;
    var leaveV = g.fwd[s] ? (1 - p.t) * g.w[s] : Infinity;
    for (j = 0; j < k; j += 1) {
      out[j] = Math.min(leaveU + pre.nodeCost[j * n + g.u[s]], leaveV + pre.nodeCost[j * n + g.v[s]]);
    }
    pre.places.forEach(function (q) {
      if (q.seg !== s) { return; }
      var ahead = q.t - p.t;
      if (ahead >= 0 ? g.fwd[s] : g.bwd[s]) {
        out[q.site] = Math.min(out[q.site], Math.abs(ahead) * g.w[s] + q.cost);
      }
    });
    for (j = 0; j < k; j += 1) {
      out[j] += own;
      if (!(out[j] <= pre.limit)) { out[j] = Infinity; }
    }
    return {costs: out, snapped: p};
  }
  function decodeCosts(d) {
    return {sites: d.sites, nodeCost: f32(d.node_cost), places: d.places,
      limit: d.limit === null ? Infinity : d.limit};
  }

  return {bytes: bytes, decode: decode, decodeCosts: decodeCosts, Heap: Heap, search: search,
    snap: snap, snapPoint: snapPoint, nearest: nearest, departures: departures,
    arrival: arrival, trip: trip, clickCosts: clickCosts};
}());
