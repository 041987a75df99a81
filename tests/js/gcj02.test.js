// The page shifts clicks on GCJ-02 tiles back to WGS84 (the inverse of the public formula).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { click, reference } = require("./harness.js");

function clickedAt(lon, lat, datum) {
  const data = {
    crs: "test", projection: reference.tmerc[0].params, datum, origin: [0, 0], measure: "edge",
    decay: { kind: "linear", params: {} },
    sites: [{ id: "o", name: "o", weight: 1, polygonal: false, rings: [[0, 0]] }],
  };
  const box = click(data, "function (d) { return 0; }", lon, lat);
  return [Number(box.getAttribute("data-lon")), Number(box.getAttribute("data-lat"))];
}

// metres between two nearby lon/lat points (equirectangular; enough below a kilometre)
function metres(a, b) {
  const k = Math.PI / 180 * 6371008.8;
  return Math.hypot((a[0] - b[0]) * k * Math.cos(a[1] * Math.PI / 180), (a[1] - b[1]) * k);
}

for (const place of reference.gcj02.inside) {
  test(`the published GCJ-02 point comes back to WGS84 within 0.5 m: ${place.place}`, () => {
    const back = clickedAt(place.gcj02[0], place.gcj02[1], "gcj02");
    assert.ok(metres(back, place.wgs84) < 0.5, `${metres(back, place.wgs84)} m`);
    // and agrees with Python's inverse (siteplan.load._datum.gcj02_to_wgs84)
    assert.ok(Math.abs(back[0] - place.wgs84_from_table[0]) < 1e-9);
    assert.ok(Math.abs(back[1] - place.wgs84_from_table[1]) < 1e-9);
  });

  test(`the inverse undoes Python's forward shift (so the forwards agree): ${place.place}`, () => {
    const back = clickedAt(place.gcj02_full[0], place.gcj02_full[1], "gcj02");
    assert.ok(Math.abs(back[0] - place.wgs84[0]) < 1e-9, String(back[0] - place.wgs84[0]));
    assert.ok(Math.abs(back[1] - place.wgs84[1]) < 1e-9, String(back[1] - place.wgs84[1]));
    assert.ok(metres(place.gcj02_full, place.wgs84) > 400);  // the shift is real
  });
}

test("outside China GCJ-02 is WGS84: clicks are not shifted", () => {
  for (const [lon, lat] of reference.gcj02.outside) {
    assert.deepStrictEqual(clickedAt(lon, lat, "gcj02"), [lon, lat]);
  }
});

test("on WGS84 tiles a click is not shifted", () => {
  const place = reference.gcj02.inside[0];
  assert.deepStrictEqual(clickedAt(place.gcj02[0], place.gcj02[1], "wgs84"), place.gcj02);
});
