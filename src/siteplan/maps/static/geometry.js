// The page's shared geometry: WGS84 -> the study's metric CRS (transverse Mercator by
// Krueger's series, or the fitted local approximation), the GCJ-02 inverse, and distances
// from a point to a site's rings. Used by clickscore.js and scenario.js.
siteplan.geo = (function () {
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
  // The distance from (px, py) to a site ({rings, polygonal}): the smallest point-to-segment
  // distance over its rings, 0 on or inside a polygonal site. With out, out.at is set to
  // the site's nearest point.
  function distance(site, px, py, out) {
    var best = Infinity, inside = false, bk = -1, br = null;
    site.rings.forEach(function (r) {
      var n = r.length / 2, d2;
      if (n === 1) {
        d2 = segment2(px, py, r[0], r[1], r[0], r[1]);
        if (d2 < best) { best = d2; br = r; bk = 0; }
      }
      for (var k = 0; k + 1 < n; k += 1) {
        var ax = r[2 * k], ay = r[2 * k + 1], bx = r[2 * k + 2], by = r[2 * k + 3];
        d2 = segment2(px, py, ax, ay, bx, by);
        if (d2 < best) { best = d2; br = r; bk = k; }
        if ((ay > py) !== (by > py) && px < (bx - ax) * (py - ay) / (by - ay) + ax) {
          inside = !inside;
        }
      }
    });
    if (site.polygonal && inside) {
      if (out) { out.at = [px, py]; }
      return 0;
    }
    if (out && br) {
      var n2 = br.length / 2, ax2 = br[2 * bk], ay2 = br[2 * bk + 1];
      var bx2 = n2 === 1 ? ax2 : br[2 * bk + 2], by2 = n2 === 1 ? ay2 : br[2 * bk + 3];
      var dx = bx2 - ax2, dy = by2 - ay2, len2 = dx * dx + dy * dy, t = 0;
      if (len2 > 0) { t = Math.max(0, Math.min(1, ((px - ax2) * dx + (py - ay2) * dy) / len2)); }
      out.at = [ax2 + t * dx, ay2 + t * dy];
    }
    return Math.sqrt(best);
  }
  // The inverse of a forward projection by Newton's method (numerical Jacobian): metric
  // x, y -> lon, lat, to well under a millimetre. guess is a nearby [lon, lat].
  function inverse(forward, x, y, guess) {
    var lon = guess[0], lat = guess[1], h = 1e-6;
    for (var i = 0; i < 20; i += 1) {
      var f = forward(lon, lat), ex = f[0] - x, ey = f[1] - y;
      if (Math.abs(ex) < 1e-7 && Math.abs(ey) < 1e-7) { break; }
      var fx = forward(lon + h, lat), fy = forward(lon, lat + h);
      var a = (fx[0] - f[0]) / h, b = (fy[0] - f[0]) / h;
      var c = (fx[1] - f[1]) / h, d = (fy[1] - f[1]) / h, det = a * d - b * c;
      lon -= (d * ex - b * ey) / det;
      lat -= (a * ey - c * ex) / det;
    }
    return [lon, lat];
  }
  function bbox(rings) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    rings.forEach(function (r) {
      for (var k = 0; k + 1 < r.length; k += 2) {
        if (r[k] < b[0]) { b[0] = r[k]; }
        if (r[k + 1] < b[1]) { b[1] = r[k + 1]; }
        if (r[k] > b[2]) { b[2] = r[k]; }
        if (r[k + 1] > b[3]) { b[3] = r[k + 1]; }
      }
    });
    return b;
  }
  function orient(ax, ay, bx, by, cx, cy) { return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax); }
  function crosses(a, b) {  // does a segment of rings a properly cross one of rings b?
    for (var i = 0; i < a.length; i += 1) {
      var r = a[i];
      for (var k = 0; k + 3 < r.length; k += 2) {
        var ax = r[k], ay = r[k + 1], bx = r[k + 2], by = r[k + 3];
        for (var j = 0; j < b.length; j += 1) {
          var q = b[j];
          for (var m = 0; m + 3 < q.length; m += 2) {
            var cx = q[m], cy = q[m + 1], dx = q[m + 2], dy = q[m + 3];
            var o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy);
            var o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
            if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) &&
                ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) { return [ax, ay]; }
          }
        }
      }
    }
    return null;
  }
  // The smallest distance from any vertex of rings a to site b's rings, and the two
  // points that realise it (inside a polygonal b: 0).
  function vertexDistance(a, b, best) {
    a.forEach(function (r) {
      for (var k = 0; k + 1 < r.length; k += 2) {
        var d = distance(b, r[k], r[k + 1], best.point);
        if (d < best.d) { best.d = d; best.from = [r[k], r[k + 1]]; best.to = best.point.at; }
      }
    });
  }
  // Edge-to-edge distance between two sites ({rings, polygonal, box}): 0 when they touch,
  // cross or one lies inside the other; else the smallest vertex-to-segment distance either
  // way. Returns {d, from, to}: the distance and the nearest points (from a, to b).
  function siteDistance(a, b) {
    var ab = a.box, bb = b.box, apart = ab[0] > bb[2] || bb[0] > ab[2] || ab[1] > bb[3] ||
      bb[1] > ab[3];
    if (!apart) {
      var at = crosses(a.rings, b.rings);
      if (at) { return {d: 0, from: at, to: at}; }
    }
    var best = {d: Infinity, from: null, to: null, point: {at: null}};
    vertexDistance(a.rings, b, best);
    var forward = {d: best.d, from: best.from, to: best.to};
    best.d = Infinity;
    vertexDistance(b.rings, a, best);
    if (best.d < forward.d) { return {d: best.d, from: best.to, to: best.from}; }
    return forward;
  }
  function projection(p) { return p.kind === "tmerc" ? tmerc(p) : aeqdFit(p); }
  return {tmerc: tmerc, aeqdFit: aeqdFit, projection: projection, gcjToWgs: gcjToWgs,
    gcjOffset: gcjOffset,
    segment2: segment2, distance: distance,
    inverse: inverse, bbox: bbox, siteDistance: siteDistance};
}());
