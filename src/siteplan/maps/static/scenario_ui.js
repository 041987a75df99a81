// Edit mode on the map: drag handles, the scenario panel (ranking, change against the
// original, weights, remove, add), the redrawn sites, rings and pair lines, and the
// "Download scenario" files. Every edit goes through window.siteplan.scenario (the
// contract in DESIGN.md); text typed in is shown with textContent only.
siteplan.editMap = (function () {
  "use strict";
  var geo = siteplan.geo;
  var RING_FILL = [0.16, 0.12, 0.08, 0.05, 0.03];
  var files_ = siteplan.scenarioFiles;

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function fixed(x, digits) { return x.toFixed(digits); }
  function signed(x, digits) {
    var t = x.toFixed(digits);
    if (Number(t) === 0) { return "\u00b10"; }
    return (x > 0 ? "+" : "") + t;
  }
  function metres(d) {
    if (d < 1000) { return Math.round(d).toLocaleString("en-US") + " m"; }
    return (d / 1000).toFixed(2) + " km";
  }

  return function (map, data, decay, hidden) {
    var model = siteplan.scenarioModel(data, decay, siteplan.networkGraph);
    var project = geo.projection(data.projection);
    var origin = data.origin;
    var original = {};
    model.result().sites.forEach(function (s) { original[s.id] = s; });
    var originalNames = {};
    model.sites().forEach(function (s) { originalNames[s.id] = s.name; });
    var originalCluster = model.result().cluster_score;
    var selected = data.study.focus;
    var layers = L.layerGroup(), handles = L.layerGroup().addTo(map);
    var pristine = true, next = 1, timing = {recompute_ms: 0, redraw_ms: 0}, roads = null;

    function shown(lon, lat) {  // WGS84 -> the datum the overlays are drawn in
      if (data.datum === "gcj02") {
        var o = geo.gcjOffset(lon, lat);
        return [lat + o[1], lon + o[0]];
      }
      return [lat, lon];
    }
    function wgs(latlng) {
      var ll = latlng.wrap ? latlng.wrap() : latlng, lon = ll.lng, lat = ll.lat;
      return data.datum === "gcj02" ? geo.gcjToWgs(lon, lat) : [lon, lat];
    }
    function metric(latlng) {
      var p = wgs(latlng), xy = project(p[0], p[1]);
      return [xy[0] - origin[0], xy[1] - origin[1]];
    }
    function back(xy) {
      var p = geo.inverse(project, xy[0] + origin[0], xy[1] + origin[1], data.centre);
      return shown(p[0], p[1]);
    }
    function colour(score) {
      var n = data.palette.length;
      return data.palette[Math.max(0, Math.min(n - 1, Math.round(score / 100 * (n - 1))))];
    }
    function latlngsOf(g) {
      function ring(r) { return r.map(function (p) { return shown(p[0], p[1]); }); }
      if (g.type === "Polygon") { return g.coordinates.map(ring); }
      if (g.type === "MultiPolygon") {
        return g.coordinates.map(function (poly) { return poly.map(ring); });
      }
      return null;
    }
    // Ring bands around a site: the outline of its footprint grown by each radius (exact
    // for convex footprints; around the convex hull otherwise).
    function bands(site) {
      var pts = [];
      site.rings.forEach(function (r) {
        for (var k = 0; k + 1 < r.length; k += 2) { pts.push([r[k], r[k + 1]]); }
      });
      var out = [];
      data.rings_m.slice().reverse().forEach(function (radius, k) {
        var grown = [];
        pts.forEach(function (p) {
          for (var a = 0; a < 48; a += 1) {
            var t = 2 * Math.PI * a / 48;
            grown.push([p[0] + radius * Math.cos(t), p[1] + radius * Math.sin(t)]);
          }
        });
        out.push({radius: radius, k: data.rings_m.length - 1 - k,
          latlngs: hull(grown).map(back)});
      });
      return out;
    }
    function hull(points) {
      var p = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
      var lower = [], upper = [];
      p.forEach(function (q) {
        while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) { lower.pop(); }
        lower.push(q);
      });
      for (var i = p.length - 1; i >= 0; i -= 1) {
        while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p[i]) <= 0) { upper.pop(); }
        upper.push(p[i]);
      }
      return lower.slice(0, -1).concat(upper.slice(0, -1));
    }

    // -- the panel ------------------------------------------------------------------------
    var panel = node("div", "siteplan-panel siteplan-scenario");
    panel.id = "siteplan-scenario";
    panel.appendChild(node("h2", "", "Plan in the page"));
    panel.appendChild(node("div", "siteplan-scenario-help",
      "Drag a site's handle to move it, change a weight, remove a site or add one; every " +
      "score is recomputed here (" + (data.measure === "edge" ? "edge" : "centroid") +
      " distances in " + data.crs + ", " + data.decay.kind + " decay)."));
    if (data.study.schematic) {
      panel.appendChild(node("div", "siteplan-scenario-schematic",
        "Schematic positions: these scores illustrate the tool, they are not survey results."));
    }
    var summary = node("div", "siteplan-scenario-summary");
    var table = node("table", "siteplan-scenario-table");
    var removed = node("div", "siteplan-scenario-removed");
    var status = node("div", "siteplan-scenario-status");
    status.setAttribute("role", "status");
    panel.appendChild(summary);
    panel.appendChild(table);
    panel.appendChild(removed);

    var form = node("form", "siteplan-scenario-add");
    var nameInput = node("input");
    nameInput.type = "text";
    nameInput.name = "name";
    nameInput.placeholder = "new site name";
    nameInput.setAttribute("aria-label", "New site name");
    var weightInput = node("input");
    weightInput.type = "number";
    weightInput.name = "weight";
    weightInput.value = "1";
    weightInput.min = "0";
    weightInput.step = "any";
    weightInput.setAttribute("aria-label", "New site weight");
    var shape = node("select");
    shape.name = "shape";
    ["point", "rectangle", "polygon"].forEach(function (k) {
      var o = node("option", "", k);
      o.value = k;
      shape.appendChild(o);
    });
    var place = node("button", "", "Add site");
    place.type = "submit";
    var finish = node("button", "siteplan-scenario-finish", "Finish polygon");
    finish.type = "button";
    finish.style.display = "none";
    [nameInput, weightInput, shape, place, finish].forEach(function (el) {
      form.appendChild(el);
    });
    panel.appendChild(form);
    var buttons = node("div", "siteplan-scenario-buttons");
    var resetButton = node("button", "siteplan-scenario-reset", "Reset");
    resetButton.type = "button";
    var download = node("button", "siteplan-scenario-download", "Download scenario");
    download.type = "button";
    buttons.appendChild(resetButton);
    buttons.appendChild(download);
    panel.appendChild(buttons);
    panel.appendChild(status);

    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    };
    control.addTo(map);

    function say(text, bad) {
      status.textContent = text;
      status.className = "siteplan-scenario-status" + (bad ? " siteplan-scenario-error" : "");
    }

    function row(site, entry) {
      var tr = node("tr", "siteplan-scenario-site");
      tr.setAttribute("data-site-id", site.id);
      tr.setAttribute("data-score", String(entry.score));
      tr.setAttribute("data-rank", String(entry.rank));
      tr.setAttribute("data-status", site.status);
      tr.appendChild(node("td", "", String(entry.rank)));
      var name = node("td", "siteplan-scenario-name", site.name);
      if (site.status !== "original") {
        name.appendChild(node("span", "siteplan-scenario-edited", " " + site.status));
      }
      tr.appendChild(name);
      tr.appendChild(node("td", "", fixed(entry.score, 1)));
      var before = original[site.id];
      var change = before ? signed(entry.score - before.score, 1) +
        (before.rank !== entry.rank ? " (was #" + before.rank + ")" : "") : "new";
      tr.appendChild(node("td", "siteplan-scenario-change", change));
      var wcell = node("td"), w = node("input");
      w.type = "number";
      w.min = "0";
      w.step = "any";
      w.value = String(site.weight);
      w.className = "siteplan-scenario-weight";
      w.setAttribute("aria-label", "Weight of " + site.name);
      w.addEventListener("change", function () {
        try {
          api.setWeight(site.id, Number(w.value === "" ? NaN : w.value));
        } catch (err) {
          w.value = String(site.weight);
          say(err.message, true);
        }
      });
      wcell.appendChild(w);
      tr.appendChild(wcell);
      var rcell = node("td"), rm = node("button", "siteplan-scenario-remove", "\u2715");
      rm.type = "button";
      rm.setAttribute("aria-label", "Remove " + site.name);
      rm.addEventListener("click", function () { api.removeSite(site.id); });
      rcell.appendChild(rm);
      tr.appendChild(rcell);
      tr.addEventListener("click", function (e) {
        if (e.target === tr || e.target.tagName === "TD") {
          selected = site.id;
          redraw(model.compute());
        }
      });
      return tr;
    }

    function fillPanel(full) {
      var bySite = {};
      model.sites().forEach(function (s) { bySite[s.id] = s; });
      summary.textContent = "";
      summary.setAttribute("data-cluster-score", String(full.cluster_score));
      summary.appendChild(node("span", "", model.sites().length + " sites \u00b7 cluster score " +
        fixed(full.cluster_score, 1) + " (" + signed(full.cluster_score - originalCluster, 1) +
        " against the original)"));
      table.textContent = "";
      var head = node("tr");
      ["#", "Site", "Score", "Change", "Weight", ""].forEach(function (t) {
        head.appendChild(node("th", "", t));
      });
      table.appendChild(head);
      full.sites.forEach(function (entry) { table.appendChild(row(bySite[entry.id], entry)); });
      var gone = model.originalIds.filter(function (id) { return !bySite[id]; });
      var legend = document.querySelector(".siteplan-legend");
      if (legend) {
        var line = legend.querySelector(".siteplan-scenario-legend");
        if (!line) {
          line = node("p", "siteplan-scenario-legend");
          legend.appendChild(line);
        }
        line.textContent = pristine ? "Edit mode: drag a site's handle, or use the panel." :
          "Scenario: " + model.sites().length + " sites, cluster score " +
          fixed(full.cluster_score, 1) + "; the orange outline marks the selected site, " +
          "whose ring bands are drawn.";
      }
      removed.textContent = gone.length ? "Removed: " + gone.map(function (id) {
        return originalNames[id];
      }).join(", ") : "";
    }

    // -- the map --------------------------------------------------------------------------
    function drawSites(full, scores) {
      model.sites().forEach(function (site) {
        var entry = scores[site.id], fill = colour(entry.score);
        var latlngs = latlngsOf(model.geometryOf(site));
        var style = {pane: "siteplan-sites", className: "siteplan-scenario-footprint",
          color: site.id === selected ? "#d95f02" : "#252525",
          weight: site.id === selected ? 3 : 1.5, fillColor: fill, fillOpacity: 0.8};
        var shapeLayer = latlngs ? L.polygon(latlngs, style) :
          L.circleMarker(back(site.centroid), L.extend({radius: 9}, style));
        var tip = node("div", "", site.name + ": score " + fixed(entry.score, 1) + ", rank " +
          entry.rank + " of " + full.sites.length);
        shapeLayer.bindTooltip(tip, {sticky: true, className: "siteplan-tooltip"});
        shapeLayer.addTo(layers);
      });
    }
    // Above 50 sites, only the selected site's pair lines are drawn.
    function drawPairs(full) {
      var many = full.sites.length > 50;
      full.pairs.forEach(function (p) {
        if (many && p.a !== selected && p.b !== selected) { return; }
        var a = back(p.from), b = back(p.to);
        var d = p.d === null ? Infinity : p.d;
        var text = (!isFinite(d) ? "\u2014" : data.unit === "min" ? fixed(d, 1) + " min" :
          metres(d)) + " \u00b7 " + fixed(p.score, 1);
        if (p.edge_m > 0) {
          L.polyline([a, b], {pane: "siteplan-pairs", className: "siteplan-scenario-pair",
            color: "#3a3a3a", weight: 2.5, opacity: 0.9, dashArray: "6 4"}).addTo(layers);
        }
        var label = node("span", "", text);
        var holder = node("div");
        holder.appendChild(label);
        L.marker([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], {pane: "siteplan-labels",
          interactive: false, keyboard: false,
          icon: L.divIcon({className: "siteplan-pair-label", html: holder, iconSize: null})
        }).addTo(layers);
      });
    }
    // The selected site's rings along the roads (network measures): siteplan.reach's
    // bands, from its first place (as Python draws them), or null.
    function roadBands() {
      var site = null;
      model.sites().forEach(function (s) { if (s.id === selected) { site = s; } });
      if (!data.network || !site) { return null; }
      var p = model.placesOf(site)[0] || null;
      return {site: site, bands: siteplan.reach.bands(siteplan.networkGraph, p, data.rings_m)};
    }
    // Ring bands of the selected site (straight-line measures).
    function drawRings() {
      if (data.network) {
        siteplan.reach.draw(layers, roads, back, data.unit, RING_FILL);
        return;
      }
      var site = null;
      model.sites().forEach(function (s) { if (s.id === selected) { site = s; } });
      if (!site) { return; }
      var target = data.measure === "centroid" ?
        {rings: [[site.centroid[0], site.centroid[1]]]} : site;
      bands(target).forEach(function (band) {
        L.polygon(band.latlngs, {pane: "siteplan-rings", className: "siteplan-scenario-ring",
          color: "#2c7fb8", weight: 1, dashArray: "4 4", fillColor: "#2c7fb8",
          fillOpacity: RING_FILL[Math.min(band.k, RING_FILL.length - 1)], interactive: false
        }).addTo(layers);
      });
    }
    function drawHandles() {
      handles.clearLayers();
      model.sites().forEach(function (site) {
        var at = back(site.centroid);
        var handle = L.marker(at, {draggable: true, pane: "siteplan-labels",
          keyboard: false, title: "Drag to move " + site.name,
          icon: L.divIcon({className: "siteplan-scenario-handle", iconSize: [16, 16],
            iconAnchor: [8, 8]})});
        // a DOM node, not a string: Leaflet would parse a string as HTML
        handle.bindTooltip(node("span", "siteplan-scenario-tip", "Drag to move " + site.name),
          {direction: "top"});
        handle.on("add", function () {
          var el = handle.getElement();
          if (el) { el.setAttribute("data-site-id", site.id); }
        });
        handle.on("dragend", function () {
          var start = metric(L.latLng(at[0], at[1])), end = metric(handle.getLatLng());
          api.moveSite(site.id, end[0] - start[0], end[1] - start[1]);
        });
        handle.addTo(handles);
      });
    }
    function redraw(full) {
      var t0 = performance.now();
      layers.clearLayers();
      var scores = {};
      full.sites.forEach(function (s) { scores[s.id] = s; });
      if (!pristine) {
        drawRings();
        drawSites(full, scores);
        drawPairs(full);
      }
      drawHandles();
      fillPanel(full);
      timing.redraw_ms = performance.now() - t0;
    }
    function changed(isPristine) {
      if (isPristine === pristine) { return; }
      pristine = isPristine;
      hidden.forEach(function (layer) {
        if (pristine) { layer.addTo(map); } else { map.removeLayer(layer); }
      });
      if (pristine) { map.removeLayer(layers); } else { layers.addTo(map); }
    }
    function after(isPristine) {
      var t0 = performance.now();
      var full = model.compute();
      roads = isPristine ? null : roadBands();
      timing.recompute_ms = performance.now() - t0;
      changed(isPristine);
      redraw(full);
      return model.result();
    }

    // -- adding a site --------------------------------------------------------------------
    var drawing = null;
    function newId() {
      var ids = {};
      model.sites().forEach(function (s) { ids[s.id] = true; });
      while (ids["new_" + next]) { next += 1; }
      return "new_" + next;
    }
    function add(points) {
      var w = Number(drawing.weight), spec = {id: newId(), name: drawing.name, weight: w};
      if (drawing.shape === "point") {
        spec.lon = points[0][0];
        spec.lat = points[0][1];
      } else if (drawing.shape === "rectangle") {
        var a = points[0], b = points[1];
        spec.polygon = [[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]]];
      } else {
        spec.polygon = points;
      }
      stopDrawing();
      try {
        api.addSite(spec);
        say("Added " + spec.id + ".", false);
      } catch (err) {
        say(err.message, true);
      }
    }
    function stopDrawing() {
      drawing = null;
      finish.style.display = "none";
      map.getContainer().style.cursor = "";
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var w = Number(weightInput.value);
      if (weightInput.value === "" || !isFinite(w) || w < 0) {
        say("The weight must be a number >= 0.", true);
        return;
      }
      drawing = {name: nameInput.value.trim() || newId(), weight: w, shape: shape.value,
        points: []};
      if (drawing.shape === "polygon") { finish.style.display = ""; }
      map.getContainer().style.cursor = "crosshair";
      say(drawing.shape === "point" ? "Click the map to place the site." :
        drawing.shape === "rectangle" ? "Click two opposite corners." :
          "Click the corners, then Finish polygon.", false);
    });
    finish.addEventListener("click", function () {
      if (drawing && drawing.points.length >= 3) { add(drawing.points); }
      else { say("A polygon needs at least 3 corners.", true); }
    });
    map.on("click", function (e) {
      if (!drawing) { return; }
      drawing.points.push(wgs(e.latlng));
      var needed = drawing.shape === "point" ? 1 : (drawing.shape === "rectangle" ? 2 : 0);
      if (needed && drawing.points.length >= needed) { add(drawing.points); }
    });
    resetButton.addEventListener("click", function () { api.reset(); say("Reset.", false); });

    function files() {
      return {"scenario.geojson": files_.scenarioGeojson(model),
        "scenario.toml": files_.studyToml(data, model.sites())};
    }
    download.addEventListener("click", function () {
      var out = files();
      files_.save("scenario.geojson", out["scenario.geojson"], "application/geo+json");
      files_.save("scenario.toml", out["scenario.toml"], "application/toml");
      say("Saved scenario.geojson and scenario.toml.", false);
    });

    function pristineNow() {
      var s = model.sites();
      return s.length === model.originalIds.length && s.every(function (x) {
        return x.status === "original";
      });
    }
    var api = {
      moveSite: function (id, dx, dy) {
        model.moveSite(id, dx, dy);
        selected = id;
        return after(false);
      },
      addSite: function (spec) {
        model.addSite(spec);
        if (data.network) { selected = spec.id; }  // its rings along the roads are drawn
        return after(false);
      },
      removeSite: function (id) { model.removeSite(id); return after(false); },
      setWeight: function (id, w) { model.setWeight(id, w); return after(pristineNow()); },
      reset: function () { model.reset(); selected = data.study.focus; return after(true); },
      result: function () { return model.result(); },
      files: files,
      // the drawn rings along the roads (network measures, after an edit), or null
      roadRings: function () {
        return roads && {site: roads.site.id, bands: roads.bands.map(function (b) {
          return {from: b.from, to: b.to, reached_m: b.reached_m, lines: b.lines.length};
        })};
      },
      timing: function () { return {recompute_ms: timing.recompute_ms, redraw_ms: timing.redraw_ms}; }
    };
    siteplan.scenario = api;
    redraw(model.compute());
    return api;
  };
}());
