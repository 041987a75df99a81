// A click on the bundled study's map scores as siteplan.score_locations does in Python.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { click, reference } = require("./harness.js");

// Site coordinates reach the page rounded to the millimetre.
const DISTANCE_TOLERANCE_M = 2e-3;

function attr(el, name) { return Number(el.getAttribute(name)); }

function check(box, want, measure) {
  assert.ok(Math.abs(attr(box, "data-x") - want.x) < 1e-4, "x");
  assert.ok(Math.abs(attr(box, "data-y") - want.y) < 1e-4, "y");
  const rows = box.findAll("siteplan-score-site");
  assert.strictEqual(rows.length, want.distances.length);
  rows.forEach((row, j) => {
    const d = attr(row, "data-distance");
    assert.ok(Math.abs(d - want.distances[j]) < DISTANCE_TOLERANCE_M,
      `${measure} site ${j}: ${d} vs ${want.distances[j]}`);
    assert.ok(Math.abs(attr(row, "data-score") - want.scores[j]) < 1e-6, `score ${j}`);
  });
  assert.ok(Math.abs(attr(box, "data-score") - want.score) < 1e-6, "weighted score");
  assert.strictEqual(attr(box, "data-nearest-index"), want.nearest, "nearest");
}

for (const c of reference.clicks) {
  test(`${c.measure} distances, site scores, weighted score and nearest site`, () => {
    for (const want of c.clicks) {
      check(click(c.data, c.decay, want.lon, want.lat), want, c.measure);
    }
  });

  test(`${c.measure}: a click on GCJ-02 tiles scores its WGS84 position`, () => {
    for (const want of c.clicks) {
      const box = click(c.data_gcj02, c.decay, want.gcj02[0], want.gcj02[1]);
      assert.ok(Math.abs(attr(box, "data-lon") - want.lon) < 1e-9);
      assert.ok(Math.abs(attr(box, "data-lat") - want.lat) < 1e-9);
      check(box, want, c.measure);
    }
  });
}

test("a point inside a footprint is 0 m from it under the edge measure", () => {
  const c = reference.clicks.find((k) => k.measure === "edge");
  const inside = c.clicks.filter((k) => k.distances.some((d) => d === 0));
  assert.ok(inside.length > 0);
  for (const want of inside) {
    const box = click(c.data, c.decay, want.lon, want.lat);
    const rows = box.findAll("siteplan-score-site");
    assert.strictEqual(attr(rows[want.nearest], "data-distance"), 0);
  }
});
