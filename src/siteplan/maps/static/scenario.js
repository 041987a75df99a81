// The page's scenario: the study's sites, editable (move, add, remove, reweight), scored
// as siteplan.analyze scores them: straight-line measures, or routed along the embedded
// road network (network.js) for network measures. Pure maths and state; the
// map and the panels are wired by scenario_ui.js. Contract (DESIGN.md, "Scenario page
// API"): calls are synchronous, mutators return result(), bad input throws and leaves
// the state unchanged.
siteplan.scenarioModel = (function () {
  "use strict";
  var geo = siteplan.geo;
  var SCORE_TIE = 1e-9;
  var MAX_ID = 200, MAX_NAME = 500, MAX_VERTICES = 10000;

  // Code-point order, as Python compares str (JavaScript's < compares UTF-16 units).
  function compareIds(a, b) {
    if (a === b) { return 0; }
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var ca = a.codePointAt(i), cb = b.codePointAt(j);
      if (ca !== cb) { return ca < cb ? -1 : 1; }
      i += ca > 0xffff ? 2 : 1;
      j += cb > 0xffff ? 2 : 1;
    }
    return (a.length - i) - (b.length - j) < 0 ? -1 : 1;
  }

  // Rank order: score descending; neighbours within SCORE_TIE are one group; in a group,
  // by id (siteplan.score.rank). Returns the ranks aligned to scores.
  function ranks(scores, ids) {
    var n = scores.length, idx = [];
    for (var i = 0; i < n; i += 1) { idx.push(i); }
    idx.sort(function (p, q) { return scores[q] - scores[p] || compareIds(ids[p], ids[q]); });
    var group = [], g = 0;
    idx.forEach(function (p, k) {
      if (k > 0 && scores[idx[k - 1]] - scores[p] > SCORE_TIE) { g += 1; }
      group[p] = g;
    });
    idx.sort(function (p, q) { return group[p] - group[q] || compareIds(ids[p], ids[q]); });
    var out = new Array(n);
    idx.forEach(function (p, k) { out[p] = k + 1; });
    return out;
  }

  function finite(value, what) {
    if (typeof value !== "number" || !isFinite(value)) {
      throw new TypeError(what + " must be a finite number, not " + String(value));
    }
    return value;
  }
  function weightOf(value) {
    finite(value, "weight");
    if (value < 0) { throw new RangeError("weight must be >= 0, not " + value); }
    return value;
  }

  // Shoelace centroid of flat rings (the polygon's, holes subtracted); a point's own xy.
  function centroid(rings, polygonal) {
    if (!polygonal) {
      var sx = 0, sy = 0, n = 0;
      rings.forEach(function (r) {
        for (var k = 0; k + 1 < r.length; k += 2) { sx += r[k]; sy += r[k + 1]; n += 1; }
      });
      return [sx / n, sy / n];
    }
    var a = 0, cx = 0, cy = 0, x0 = rings[0][0], y0 = rings[0][1];
    rings.forEach(function (r) {
      for (var k = 0; k + 3 < r.length; k += 2) {
        var ax = r[k] - x0, ay = r[k + 1] - y0, bx = r[k + 2] - x0, by = r[k + 3] - y0;
        var c = ax * by - bx * ay;
        a += c;
        cx += (ax + bx) * c;
        cy += (ay + by) * c;
      }
    });
    return [x0 + cx / (3 * a), y0 + cy / (3 * a)];
  }

  // The site's bounding box and what distances are measured to: itself (edge), or a
  // point at its centroid (centroid measure).
  function withBox(site) {
    site.box = geo.bbox(site.rings);
    var c = site.centroid;
    site.target = site.measure === "centroid" ?
      {rings: [[c[0], c[1]]], polygonal: false, box: [c[0], c[1], c[0], c[1]]} : site;
    return site;
  }

  function copySite(s) {
    return withBox({id: s.id, name: s.name, weight: s.weight, polygonal: s.polygonal,
      rings: s.rings.map(function (r) { return r.slice(); }), centroid: s.centroid.slice(),
      measure: s.measure, status: s.status, moved: s.moved.slice(), lonlat: s.lonlat,
      properties: s.properties, joined: s.joined, searches: s.searches});
  }

  // -- routing on the road network (network measures) -----------------------------------
  // Where a site joins the network: as Python joined it (entrances included) until it is
  // moved or when it is new; then at the nearest point of the nearest segment from its
  // footprint. A site that cannot join has no places.
  function placesOf(graph, site) {
    if (!site.joined) {
      var p = siteplan.network.snap(graph, {rings: site.rings, polygonal: site.polygonal});
      site.joined = p ? [p] : [];
    }
    return site.joined;
  }
  // One forward search per place of a site, kept until the site moves.
  function searchesOf(graph, site) {
    if (!site.searches) {
      site.searches = placesOf(graph, site).map(function (p) {
        return siteplan.network.search(graph, siteplan.network.departures(graph, p));
      });
    }
    return site.searches;
  }
  // The cheapest trip from site a to site b over their places (ties: the first places).
  function route(graph, a, b) {
    var best = {cost: Infinity, metres: Infinity, minutes: Infinity};
    var from = placesOf(graph, a), to = placesOf(graph, b), found = searchesOf(graph, a);
    from.forEach(function (p, i) {
      to.forEach(function (q) {
        var t = siteplan.network.trip(graph, found[i], p, q);
        if (t.cost < best.cost) { best = t; }
      });
    });
    return best;
  }
  // A pair's network fields, as the JSON report gives them: the mean of both directions;
  // null (and reachable false) when either direction cannot be travelled.
  function networkPair(graph, a, b) {
    var ab = route(graph, a, b), ba = route(graph, b, a);
    var ok = isFinite(ab.cost) && isFinite(ba.cost);
    function keep(v) { return ok ? v : null; }
    return {network_m_ab: keep(ab.metres), network_m_ba: keep(ba.metres),
      network_m: keep((ab.metres + ba.metres) / 2), time_min_ab: keep(ab.minutes),
      time_min_ba: keep(ba.minutes), time_min: keep((ab.minutes + ba.minutes) / 2),
      reachable: ok};
  }
  var NETWORK_FIELDS = ["network_m_ab", "network_m_ba", "network_m", "time_min_ab",
    "time_min_ba", "time_min", "reachable"];

  function make(data, decay, graph) {
    var routing = data.network && graph ? graph : null;
    var project = geo.projection(data.projection);
    var origin = data.origin;
    var initial = data.sites.map(function (s, k) {
      return withBox({id: s.id, name: s.name, weight: s.weight, polygonal: s.polygonal,
        rings: s.rings, centroid: s.centroid, measure: data.measure, status: "original",
        moved: [0, 0], lonlat: s.geometry, properties: s.properties || {},
        joined: routing ? data.network[k] : null, searches: null});
    });
    var sites = [], index = {};

    function load(list) {
      sites = list.map(copySite);
      sites.sort(function (p, q) { return compareIds(p.id, q.id); });
      index = {};
      sites.forEach(function (s, i) { index[s.id] = i; });
    }
    function find(id) {
      if (typeof id !== "string" || !Object.prototype.hasOwnProperty.call(index, id)) {
        throw new RangeError("no site with id " + JSON.stringify(String(id)));
      }
      return sites[index[id]];
    }

    function compute() {
      var n = sites.length, pairs = [], total = 0, sums = [], wsum = [];
      for (var i = 0; i < n; i += 1) { sums.push(0); wsum.push(0); }
      for (i = 0; i < n; i += 1) {
        for (var j = i + 1; j < n; j += 1) {
          var a = sites[i], b = sites[j], found = geo.siteDistance(a.target, b.target);
          var s, pair = {a: a.id, b: b.id, edge_m: found.d, from: found.from, to: found.to};
          if (routing) {
            var net = networkPair(routing, a, b);
            NETWORK_FIELDS.forEach(function (k) { pair[k] = net[k]; });
            pair.d = data.unit === "min" ? net.time_min : net.network_m;
            s = net.reachable ? decay(pair.d) : 0;
          } else {
            pair.d = found.d;
            s = decay(found.d);
          }
          pair.score = s;
          pairs.push(pair);
          total += s;
          sums[i] += b.weight * s;
          wsum[i] += b.weight;
          sums[j] += a.weight * s;
          wsum[j] += a.weight;
        }
      }
      var scores = sums.map(function (v, k) { return wsum[k] > 0 ? v / wsum[k] : 0; });
      var ids = sites.map(function (x) { return x.id; });
      var r = ranks(scores, ids);
      var out = sites.map(function (x, k) { return {id: x.id, score: scores[k], rank: r[k]}; });
      out.sort(function (p, q) { return p.rank - q.rank; });
      return {sites: out, pairs: pairs,
        cluster_score: pairs.length ? total / pairs.length : 0};
    }

    function result() {
      var full = compute();
      return {
        sites: full.sites,
        pairs: full.pairs.map(function (p) {
          var out = {a: p.a, b: p.b, edge_m: p.edge_m, score: p.score};
          if (routing) { NETWORK_FIELDS.forEach(function (k) { out[k] = p[k]; }); }
          return out;
        }),
        cluster_score: full.cluster_score
      };
    }

    function moveSite(id, dx, dy) {
      var site = find(id);
      finite(dx, "dx_m");
      finite(dy, "dy_m");
      site.rings = site.rings.map(function (r) {
        var out = r.slice();
        for (var k = 0; k + 1 < out.length; k += 2) { out[k] += dx; out[k + 1] += dy; }
        return out;
      });
      site.centroid = [site.centroid[0] + dx, site.centroid[1] + dy];
      site.moved = [site.moved[0] + dx, site.moved[1] + dy];
      site.joined = null;  // it joins the network again, from its moved footprint
      site.searches = null;
      if (site.status === "original") { site.status = "edited"; }
      withBox(site);
      return result();
    }

    function lonLat(value, what) {
      finite(value[0], what + " longitude");
      finite(value[1], what + " latitude");
      if (Math.abs(value[0]) > 180 || Math.abs(value[1]) > 90) {
        throw new RangeError(what + " must be WGS84 longitude, latitude in degrees");
      }
      return project(value[0], value[1]);
    }

    // spec: {id, name, lon, lat, weight} (a point site), or with polygon: a ring of
    // [lon, lat] (a drawn rectangle or polygon; lon, lat are then ignored).
    function addSite(spec) {
      if (spec === null || typeof spec !== "object") {
        throw new TypeError("addSite takes {id, name, lon, lat, weight}");
      }
      var id = spec.id;
      if (typeof id !== "string" || !id.length || id.length > MAX_ID) {
        throw new TypeError("id must be a non-empty string of at most " + MAX_ID + " characters");
      }
      if (Object.prototype.hasOwnProperty.call(index, id)) {
        throw new RangeError("a site with id " + JSON.stringify(id) + " exists already");
      }
      var name = spec.name === undefined ? id : spec.name;
      if (typeof name !== "string" || name.length > MAX_NAME) {
        throw new TypeError("name must be a string of at most " + MAX_NAME + " characters");
      }
      var weight = weightOf(spec.weight === undefined ? 1 : spec.weight);
      var rings, polygonal, geometry;
      if (spec.polygon !== undefined) {
        var ring = spec.polygon;
        if (!Array.isArray(ring) || ring.length < 3 || ring.length > MAX_VERTICES) {
          throw new TypeError("polygon must be a list of at least 3 [lon, lat] points");
        }
        var flat = [], coords = [];
        ring.forEach(function (p, k) {
          if (!Array.isArray(p)) { throw new TypeError("polygon point " + k + " is not a pair"); }
          var xy = lonLat(p, "polygon point " + k);
          flat.push(xy[0] - origin[0], xy[1] - origin[1]);
          coords.push([p[0], p[1]]);
        });
        var first = coords[0], last = coords[coords.length - 1];
        if (first[0] !== last[0] || first[1] !== last[1]) {
          coords.push(first.slice());
          flat.push(flat[0], flat[1]);
        }
        var degrees = [];
        coords.forEach(function (p) { degrees.push(p[0], p[1]); });
        if (signedArea(degrees) === 0) { throw new RangeError("polygon has no area"); }
        if (signedArea(flat) < 0) {  // RFC 7946: exterior rings counter-clockwise
          coords.reverse();
          flat = reverseFlat(flat);
        }
        rings = [flat];
        polygonal = true;
        geometry = {type: "Polygon", coordinates: [coords]};
      } else {
        var xy0 = lonLat([spec.lon, spec.lat], "the site's");
        rings = [[xy0[0] - origin[0], xy0[1] - origin[1]]];
        polygonal = false;
        geometry = {type: "Point", coordinates: [spec.lon, spec.lat]};
      }
      var site = withBox({id: id, name: name, weight: weight, polygonal: polygonal,
        rings: rings, centroid: centroid(rings, polygonal), measure: data.measure,
        status: "new", moved: [0, 0], lonlat: geometry, properties: {}, joined: null,
        searches: null});
      sites.push(site);
      load(sites);
      return result();
    }

    function removeSite(id) {
      var site = find(id);
      load(sites.filter(function (s) { return s !== site; }));
      return result();
    }

    function setWeight(id, w) {
      var site = find(id);
      site.weight = weightOf(w);
      if (site.status === "original") { site.status = "edited"; }
      return result();
    }

    function reset() {
      load(initial);
      return result();
    }

    // The site's geometry in WGS84 (GeoJSON): as given unless moved, else each vertex
    // inverse-projected from the metric CRS.
    function geometryOf(site) {
      if (site.moved[0] === 0 && site.moved[1] === 0) { return site.lonlat; }
      var guess = data.centre;
      function back(x, y) {
        guess = geo.inverse(project, x + origin[0], y + origin[1], guess);
        return guess;
      }
      function ringOf(r) {
        var out = [];
        for (var k = 0; k + 1 < r.length; k += 2) { out.push(back(r[k], r[k + 1])); }
        var n = r.length;
        if (n > 2 && r[0] === r[n - 2] && r[1] === r[n - 1]) {  // closed rings stay closed
          out[out.length - 1] = out[0].slice();
        }
        return out;
      }
      var g = site.lonlat;
      if (g.type === "Point") { return {type: "Point", coordinates: ringOf(site.rings[0])[0]}; }
      // rings are listed polygon by polygon, exterior first (as the page data holds them)
      var k = 0;
      if (g.type === "Polygon") {
        return {type: "Polygon", coordinates: g.coordinates.map(function () {
          return ringOf(site.rings[k++]);
        })};
      }
      if (g.type === "MultiPolygon") {
        return {type: "MultiPolygon", coordinates: g.coordinates.map(function (poly) {
          return poly.map(function () { return ringOf(site.rings[k++]); });
        })};
      }
      if (g.type === "MultiPoint") {
        return {type: "MultiPoint", coordinates: site.rings.map(function (r) {
          return ringOf(r)[0];
        })};
      }
      return {type: g.type, coordinates: ringOf(site.rings[0])};
    }

    load(initial);
    return {
      moveSite: moveSite, addSite: addSite, removeSite: removeSite, setWeight: setWeight,
      reset: reset, result: result, compute: compute,
      sites: function () { return sites; },
      // where a site joins the road network (network measures; [] otherwise)
      placesOf: function (site) { return routing ? placesOf(routing, site) : []; },
      geometryOf: geometryOf,
      originalIds: initial.map(function (s) { return s.id; })
    };
  }

  function signedArea(flat) {
    var a = 0;
    for (var k = 0; k + 3 < flat.length; k += 2) {
      a += flat[k] * flat[k + 3] - flat[k + 2] * flat[k + 1];
    }
    return a / 2;
  }
  function reverseFlat(flat) {
    var out = [];
    for (var k = flat.length - 2; k >= 0; k -= 2) { out.push(flat[k], flat[k + 1]); }
    return out;
  }

  make.compareIds = compareIds;
  make.ranks = ranks;
  make.centroid = centroid;
  return make;
}());
