var siteplan = (function () {
  "use strict";
  function style(feature) { return feature.properties.style; }
  function point(feature, latlng) {
    var p = feature.properties;
    if (p.icon) {
      return L.marker(latlng, {
        pane: p.style.pane, riseOnHover: true,
        icon: L.divIcon({className: p.style.className, html: p.icon,
          iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -10]})
      });
    }
    if (p.label) {
      return L.marker(latlng, {
        pane: p.style.pane, interactive: false, keyboard: false,
        icon: L.divIcon({className: p.style.className, html: p.label, iconSize: null})
      });
    }
    return L.circleMarker(latlng, p.style);
  }
  function each(feature, layer) {
    var p = feature.properties;
    if (p.tooltip) {
      layer.bindTooltip(p.tooltip, {sticky: true, className: "siteplan-tooltip"});
    }
    if (p.popup) {
      layer.bindPopup(p.popup, {maxWidth: 380, className: "siteplan-popup"});
      layer.on("click", L.DomEvent.stopPropagation);
    }
  }
  var HATCHES = [
    ["outside_boundary", "#636363"], ["inside_site", "#252525"], ["exclusion", "#b2182b"],
    ["setback", "#e6550d"], ["within", "#6a51a3"], ["beyond", "#3182bd"]
  ];
  function hatches() {
    if (document.getElementById("siteplan-hatches")) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("id", "siteplan-hatches");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    var defs = document.createElementNS(ns, "defs");
    HATCHES.forEach(function (h) {
      var pattern = document.createElementNS(ns, "pattern");
      pattern.setAttribute("id", "siteplan-hatch-" + h[0]);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternTransform", "rotate(45)");
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("width", "8");
      rect.setAttribute("height", "8");
      rect.setAttribute("fill", h[1]);
      rect.setAttribute("fill-opacity", "0.10");
      var line = document.createElementNS(ns, "line");
      line.setAttribute("x1", "0");
      line.setAttribute("y1", "0");
      line.setAttribute("x2", "0");
      line.setAttribute("y2", "8");
      line.setAttribute("stroke", h[1]);
      line.setAttribute("stroke-width", "2.5");
      line.setAttribute("stroke-opacity", "0.6");
      pattern.appendChild(rect);
      pattern.appendChild(line);
      defs.appendChild(pattern);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }
  function flat(ring) {
    var out = [];
    for (var k = 0; k + 1 < ring.length; k += 2) { out.push([ring[k + 1], ring[k]]); }
    return out;
  }
  function inRings(rings, x, y) {
    var inside = false;
    rings.forEach(function (r) {
      for (var k = 0; k + 3 < r.length; k += 2) {
        var ax = r[k], ay = r[k + 1], bx = r[k + 2], by = r[k + 3];
        if ((ay > y) !== (by > y) && x < (bx - ax) * (y - ay) / (by - ay) + ax) {
          inside = !inside;
        }
      }
    });
    return inside;
  }
  function shapeOf(data, i) {
    if (data.grid) {
      var g = data.grid, k = data.cells[i], s = g.stride;
      var corners = [k, k + 1, k + s + 1, k + s, k];
      var ring = [];
      corners.forEach(function (c) { ring.push(g.lon[c], g.lat[c]); });
      return [[ring]];
    }
    return data.shapes[i];
  }
  function pad(value, width) {
    var text = String(value);
    while (text.length < width) { text = "0" + text; }
    return text;
  }
  function candidateId(data, i) {
    if (data.ids) { return data.ids[i]; }
    var k = data.cells[i], s = data.grid.stride;
    return "r" + pad(Math.floor(k / s), data.idWidth) + "c" + pad(k % s, data.idWidth);
  }
  function colour(data, score) {
    var n = data.palette.length;
    var t = data.hi > data.lo ? (score - data.lo) / (data.hi - data.lo) : 1;
    return data.palette[Math.max(0, Math.min(n - 1, Math.round(t * (n - 1))))];
  }
  function textNode(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = text;
    return el;
  }
  return {
    layer: function (data, parent) {
      var hatched = data.features.some(function (f) {
        return String(f.properties.style.fillColor || "").indexOf("url(#siteplan-hatch-") === 0;
      });
      if (hatched) { hatches(); }
      return L.geoJSON(data, {style: style, pointToLayer: point, onEachFeature: each})
        .addTo(parent);
    },
    surface: function (data, parent) {
      if (data.grid) {  // lattice corners: whole millionths of a degree from lon0, lat0
        var g = data.grid;
        g.lon = g.dlon.map(function (v) { return (g.lon0 + v) / 1e6; });
        g.lat = g.dlat.map(function (v) { return (g.lat0 + v) / 1e6; });
      }
      var group = L.layerGroup();
      var renderer = L.canvas({pane: data.pane, padding: 0.3});
      var picks = {};
      data.picks.forEach(function (index, r) { picks[index] = r + 1; });
      data.rank = picks;
      data.boxes = [];
      for (var i = 0; i < data.score.length; i += 1) {
        var shape = shapeOf(data, i), box = [Infinity, Infinity, -Infinity, -Infinity];
        shape.forEach(function (polygon) {
          polygon.forEach(function (r) {
            for (var k = 0; k + 1 < r.length; k += 2) {
              box = [Math.min(box[0], r[k]), Math.min(box[1], r[k + 1]),
                Math.max(box[2], r[k]), Math.max(box[3], r[k + 1])];
            }
          });
        });
        data.boxes.push(box);
        if (data.code[i] >= 0) { continue; }
        var fill = colour(data, data.score[i]);
        var options = {renderer: renderer, interactive: false, color: fill, weight: 1,
          opacity: 1, fillColor: fill, fillOpacity: 1};
        if (shape.length === 1 && shape[0].length === 1 && shape[0][0].length === 2) {
          options.radius = 5;
          L.circleMarker([shape[0][0][1], shape[0][0][0]], options).addTo(group);
        } else {
          L.polygon(shape.map(function (polygon) { return polygon.map(flat); }), options)
            .addTo(group);
        }
      }
      group.siteplanData = data;
      group.addTo(parent);
      return group;
    },
    surfaceInfo: function (group, latlng) {
      var data = group.siteplanData, x = latlng.lng, y = latlng.lat, found = -1;
      for (var i = 0; i < data.boxes.length && found < 0; i += 1) {
        var b = data.boxes[i];
        if (x < b[0] || y < b[1] || x > b[2] || y > b[3]) { continue; }
        var shape = shapeOf(data, i);
        for (var p = 0; p < shape.length; p += 1) {
          if (inRings(shape[p], x, y)) { found = i; break; }
        }
      }
      if (found < 0) { return null; }
      var box = document.createElement("div");
      box.className = "siteplan-score-candidate";
      var what = data.block > 1 ? "Display block of up to " + data.block + " \u00d7 " +
        data.block + " cells: best score " : "Candidate " + candidateId(data, found) +
        " (measured from its centre): score ";
      var text = what + data.score[found].toFixed(1);
      if (data.rank[found]) { text += ", pick " + data.rank[found]; }
      if (data.code[found] >= 0) { text += "; excluded by " + data.constraints[data.code[found]]; }
      box.appendChild(textNode("span", "", text));
      if (data.block <= 1) { box.setAttribute("data-candidate-index", String(found)); }
      box.setAttribute("data-candidate-score", String(data.score[found]));
      return box;
    },
    panes: function (map, panes) {
      panes.forEach(function (pane) {
        map.createPane(pane[0]).style.zIndex = String(pane[1]);
      });
    },
    panel: function (id, position, map) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var control = L.control({position: position});
      control.onAdd = function () {
        L.DomEvent.disableClickPropagation(el);
        L.DomEvent.disableScrollPropagation(el);
        return el;
      };
      control.addTo(map);
    }
  };
}());
