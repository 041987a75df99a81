// The page's WGS84 -> metric projections against pyproj (reference.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { project, reference } = require("./harness.js");

function checkCase(c) {
  let worst = 0;
  for (const [lon, lat, x, y] of c.points) {
    const got = project(c.params, lon, lat);
    worst = Math.max(worst, Math.hypot(got[0] - x, got[1] - y));
  }
  assert.ok(worst < c.tolerance_m, `${c.crs}: ${worst} m off pyproj (limit ${c.tolerance_m})`);
}

for (const c of reference.tmerc) {
  test(`transverse Mercator agrees with pyproj within 0.1 mm: ${c.crs}`, () => {
    assert.strictEqual(c.params.kind, "tmerc");
    checkCase(c);
  });
}

for (const c of reference.aeqd) {
  test(`the fitted approximation stays within its stated error: ${c.crs}`, () => {
    assert.strictEqual(c.params.kind, "aeqd");
    checkCase(c);
  });
}
