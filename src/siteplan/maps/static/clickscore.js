siteplan.clickScore = (function () {
  "use strict";
  var geo = siteplan.geo, distance = geo.distance;
  // Along the roads (network measures): the click's cost to each site from the node
  // costs precomputed per site (network.js); unreachable sites score 0.
  function routed(data, px, py) {
    if (!data.costs) { data.costs = siteplan.network.decodeCosts(data.network); }
    return siteplan.network.clickCosts(data.graph, data.costs, px, py).costs;
  }
  function score(data, decay, lon, lat) {
    var xy = data.project(lon, lat);
    var px = xy[0] - data.origin[0], py = xy[1] - data.origin[1];
    var total = 0, sum = 0, nearest = -1, rows = [];
    var costs = data.network ? routed(data, px, py) : null;
    data.sites.forEach(function (site, j) {
      var d = costs ? costs[j] : distance(site, px, py), s = isFinite(d) ? decay(d) : 0;
      rows.push({distance: d, score: s});
      total += site.weight;
      sum += site.weight * s;
      if (isFinite(d) && (nearest < 0 || d < rows[nearest].distance)) { nearest = j; }
    });
    return {x: xy[0], y: xy[1], score: total > 0 ? sum / total : 0, nearest: nearest, rows: rows};
  }
  function metres(d, unit) {
    if (!isFinite(d)) { return "\u2014"; }
    if (unit === "min") { return d.toFixed(1) + " min"; }
    if (d < 1000) { return Math.round(d).toLocaleString("en-US") + " m"; }
    return (d / 1000).toLocaleString("en-US", {minimumFractionDigits: 2,
      maximumFractionDigits: 2}) + " km";
  }
  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function content(data, found, lon, lat, cell) {
    var box = node("div", "siteplan-info siteplan-score");
    box.setAttribute("data-lon", String(lon));
    box.setAttribute("data-lat", String(lat));
    box.setAttribute("data-x", String(found.x));
    box.setAttribute("data-y", String(found.y));
    box.setAttribute("data-score", String(found.score));
    box.setAttribute("data-mode", data.projection.kind);
    box.appendChild(node("div", "siteplan-name", "This point scores " + found.score.toFixed(1)));
    var near = data.sites[found.nearest];
    if (near) {
      box.setAttribute("data-nearest-index", String(found.nearest));
      box.appendChild(node("div", "", "Nearest: " + near.name + ", " +
        metres(found.rows[found.nearest].distance, data.unit)));
    }
    var table = node("table"), head = node("tr");
    ["Site", data.unit === "min" ? "Time" : "Distance", "Score"].forEach(function (t) { head.appendChild(node("th", "", t)); });
    table.appendChild(head);
    data.sites.forEach(function (site, j) {
      var row = node("tr", "siteplan-score-site"), r = found.rows[j];
      row.setAttribute("data-site-index", String(j));
      row.setAttribute("data-distance", String(r.distance));
      row.setAttribute("data-score", String(r.score));
      row.appendChild(node("td", "", site.name));
      row.appendChild(node("td", "", metres(r.distance, data.unit)));
      row.appendChild(node("td", "", r.score.toFixed(1)));
      table.appendChild(row);
    });
    box.appendChild(table);
    if (cell) { box.appendChild(cell); }
    var how = (data.network ? (data.unit === "min" ? "travel times" : "distances") +
      " along the roads (" + data.network_mode + ", joined at the nearest road within " +
      data.graph.snapMax + " m; connector walked)" :
      data.measure === "edge" ? "edge distances" : "centroid distances") + " in " +
      data.crs + ", " + data.decay.kind + " decay, weighted mean over " + data.sites.length +
      " sites; " + lat.toFixed(6) + ", " + lon.toFixed(6) + " (WGS84)";
    box.appendChild(node("div", "siteplan-score-how", "Computed in this page: " + how + "."));
    if (data.projection.kind !== "tmerc") {
      var b = data.projection.bounds;
      var outside = lon < b[0] || lat < b[1] || lon > b[2] || lat > b[3];
      box.appendChild(node("div", "siteplan-score-approx", "Approximate: " + data.crs +
        " is not a transverse Mercator CRS, so this page maps the click into it with a " +
        "local azimuthal equidistant projection around the study centre and a fitted " +
        "polynomial (largest error " + data.projection.error_m.toPrecision(2) +
        " m over the study area" + (outside ? "; this point is outside it, so the error " +
        "is larger here" : "") + ")."));
    }
    return box;
  }
  return function (map, data, decay, surface) {
    var p = data.projection;
    data.project = geo.projection(p);
    data.graph = siteplan.networkGraph;
    map.on("click", function (e) {
      var at = e.latlng.wrap(), lon = at.lng, lat = at.lat;
      if (data.datum === "gcj02") {
        var w = geo.gcjToWgs(lon, lat);
        lon = w[0];
        lat = w[1];
      }
      var found = score(data, decay, lon, lat);
      var cell = surface ? siteplan.surfaceInfo(surface, at) : null;
      L.popup({maxWidth: 400, className: "siteplan-popup siteplan-score-popup"})
        .setLatLng(e.latlng)
        .setContent(content(data, found, lon, lat, cell))
        .openOn(map);
    });
    return data;
  };
}());
