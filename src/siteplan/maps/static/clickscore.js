siteplan.clickScore = (function () {
  "use strict";
  var RAD = Math.PI / 180;
  function wrapRadians(x) { return x - 2 * Math.PI * Math.round(x / (2 * Math.PI)); }
  function tmerc(p) {
    var f = p.f, n = f / (2 - f), e = Math.sqrt(f * (2 - f));
    var n2 = n * n, n3 = n2 * n, n4 = n3 * n, n5 = n4 * n, n6 = n5 * n;
    var bigA = p.a / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
    var alpha = [
      n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
      13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
      61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
      49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
      34729 * n5 / 80640 - 3418889 * n6 / 1995840,
      212378941 * n6 / 319334400
    ];
    function xiEta(lon, lat) {
      var lam = wrapRadians((lon - p.lon0) * RAD);
      var tau = Math.tan(lat * RAD);
      var sigma = Math.sinh(e * Math.atanh(e * tau / Math.sqrt(1 + tau * tau)));
      var taup = tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
      var xip = Math.atan2(taup, Math.cos(lam));
      var etap = Math.asinh(Math.sin(lam) / Math.sqrt(taup * taup + Math.pow(Math.cos(lam), 2)));
      var xi = xip, eta = etap;
      for (var j = 1; j <= 6; j += 1) {
        xi += alpha[j - 1] * Math.sin(2 * j * xip) * Math.cosh(2 * j * etap);
        eta += alpha[j - 1] * Math.cos(2 * j * xip) * Math.sinh(2 * j * etap);
      }
      return [xi, eta];
    }
    var xi0 = xiEta(p.lon0, p.lat0)[0];
    return function (lon, lat) {
      var v = xiEta(lon, lat);
      return [p.x0 + p.k0 * bigA * v[1], p.y0 + p.k0 * bigA * (v[0] - xi0)];
    };
  }
  function aeqdFit(p) {
    var phi1 = p.lat0 * RAD, s1 = Math.sin(phi1), c1 = Math.cos(phi1);
    return function (lon, lat) {
      var phi = lat * RAD, dl = wrapRadians((lon - p.lon0) * RAD);
      var h = Math.pow(Math.sin((phi - phi1) / 2), 2) +
        c1 * Math.cos(phi) * Math.pow(Math.sin(dl / 2), 2);
      var c = 2 * Math.asin(Math.min(1, Math.sqrt(h)));
      var r = p.R * (c >= 1e-12 ? c / Math.sin(c) : 1) / p.scale;
      var u = r * Math.cos(phi) * Math.sin(dl);
      var v = r * (c1 * Math.sin(phi) - s1 * Math.cos(phi) * Math.cos(dl));
      var t = [1, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v];
      var x = 0, y = 0;
      for (var i = 0; i < t.length; i += 1) { x += p.cx[i] * t[i]; y += p.cy[i] * t[i]; }
      return [x, y];
    };
  }
  function gcjOffset(lon, lat) {
    if (lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271) { return [0, 0]; }
    var a = 6378245.0, ee = 0.00669342162296594323, pi = Math.PI;
    var x = lon - 105.0, y = lat - 35.0, s = Math.sqrt(Math.abs(x));
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * s;
    dlat += (20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0 / 3.0;
    dlat += (20.0 * Math.sin(y * pi) + 40.0 * Math.sin(y / 3.0 * pi)) * 2.0 / 3.0;
    dlat += (160.0 * Math.sin(y / 12.0 * pi) + 320.0 * Math.sin(y * pi / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * s;
    dlon += (20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0 / 3.0;
    dlon += (20.0 * Math.sin(x * pi) + 40.0 * Math.sin(x / 3.0 * pi)) * 2.0 / 3.0;
    dlon += (150.0 * Math.sin(x / 12.0 * pi) + 300.0 * Math.sin(x / 30.0 * pi)) * 2.0 / 3.0;
    var rad = lat * RAD, magic = 1.0 - ee * Math.pow(Math.sin(rad), 2), sm = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((a * (1.0 - ee)) / (magic * sm) * pi);
    dlon = (dlon * 180.0) / (a / sm * Math.cos(rad) * pi);
    return [dlon, dlat];
  }
  function gcjToWgs(lon, lat) {
    var estLon = lon, estLat = lat;
    for (var i = 0; i < 30; i += 1) {
      var o = gcjOffset(estLon, estLat);
      var errLon = estLon + o[0] - lon, errLat = estLat + o[1] - lat;
      estLon -= errLon;
      estLat -= errLat;
      if (Math.abs(errLon) < 1e-12 && Math.abs(errLat) < 1e-12) { break; }
    }
    return [estLon, estLat];
  }
  function segment2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, t = 0;
    if (len2 > 0) {
      t = ((px - ax) * dx + (py - ay) * dy) / len2;
      t = t < 0 ? 0 : (t > 1 ? 1 : t);
    }
    var qx = ax + t * dx - px, qy = ay + t * dy - py;
    return qx * qx + qy * qy;
  }
  function distance(site, px, py) {
    var best = Infinity, inside = false;
    site.rings.forEach(function (r) {
      var n = r.length / 2;
      if (n === 1) { best = Math.min(best, segment2(px, py, r[0], r[1], r[0], r[1])); }
      for (var k = 0; k + 1 < n; k += 1) {
        var ax = r[2 * k], ay = r[2 * k + 1], bx = r[2 * k + 2], by = r[2 * k + 3];
        best = Math.min(best, segment2(px, py, ax, ay, bx, by));
        if ((ay > py) !== (by > py) && px < (bx - ax) * (py - ay) / (by - ay) + ax) {
          inside = !inside;
        }
      }
    });
    return site.polygonal && inside ? 0 : Math.sqrt(best);
  }
  function score(data, decay, lon, lat) {
    var xy = data.project(lon, lat);
    var px = xy[0] - data.origin[0], py = xy[1] - data.origin[1];
    var total = 0, sum = 0, nearest = -1, rows = [];
    data.sites.forEach(function (site, j) {
      var d = distance(site, px, py), s = decay(d);
      rows.push({distance: d, score: s});
      total += site.weight;
      sum += site.weight * s;
      if (nearest < 0 || d < rows[nearest].distance) { nearest = j; }
    });
    return {x: xy[0], y: xy[1], score: total > 0 ? sum / total : 0, nearest: nearest, rows: rows};
  }
  function metres(d) {
    if (!isFinite(d)) { return "\u2014"; }
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
        metres(found.rows[found.nearest].distance)));
    }
    var table = node("table"), head = node("tr");
    ["Site", "Distance", "Score"].forEach(function (t) { head.appendChild(node("th", "", t)); });
    table.appendChild(head);
    data.sites.forEach(function (site, j) {
      var row = node("tr", "siteplan-score-site"), r = found.rows[j];
      row.setAttribute("data-site-index", String(j));
      row.setAttribute("data-distance", String(r.distance));
      row.setAttribute("data-score", String(r.score));
      row.appendChild(node("td", "", site.name));
      row.appendChild(node("td", "", metres(r.distance)));
      row.appendChild(node("td", "", r.score.toFixed(1)));
      table.appendChild(row);
    });
    box.appendChild(table);
    if (cell) { box.appendChild(cell); }
    var how = (data.measure === "edge" ? "edge distances" : "centroid distances") + " in " +
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
    data.project = p.kind === "tmerc" ? tmerc(p) : aeqdFit(p);
    map.on("click", function (e) {
      var at = e.latlng.wrap(), lon = at.lng, lat = at.lat;
      if (data.datum === "gcj02") {
        var w = gcjToWgs(lon, lat);
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
