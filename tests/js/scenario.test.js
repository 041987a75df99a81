// The page's scenario maths (static/scenario.js) against siteplan.analyze on the
// equivalent studies (scenario_reference.json, from tests/test_js_scenario.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { load } = require("./harness.js");

const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, "scenario_reference.json"), "utf8"));

function model(c) {
  const { context } = load();
  const decay = vm.runInContext(`(${c.decay})`, context);
  return { context, m: context.siteplan.scenarioModel(JSON.parse(JSON.stringify(c.data)), decay) };
}

function apply(m, ops) {
  for (const op of ops) {
    if (op[0] === "move") { m.moveSite(op[1], op[2], op[3]); }
    if (op[0] === "add") { m.addSite(JSON.parse(JSON.stringify(op[1]))); }
    if (op[0] === "remove") { m.removeSite(op[1]); }
    if (op[0] === "weight") { m.setWeight(op[1], op[2]); }
  }
  return m.result();
}

function same(got, want, where) {
  got = JSON.parse(JSON.stringify(got));
  assert.deepStrictEqual(got.sites.map((s) => [s.id, s.rank]),
    want.sites.map((s) => [s.id, s.rank]), where + ": ids and ranks");
  got.sites.forEach((s, i) => {
    assert.ok(Math.abs(s.score - want.sites[i].score) < 1e-6, `${where}: score of ${s.id}`);
  });
  assert.deepStrictEqual(got.pairs.map((p) => [p.a, p.b]), want.pairs.map((p) => [p.a, p.b]));
  got.pairs.forEach((p, i) => {
    const w = want.pairs[i];
    assert.ok(Math.abs(p.edge_m - w.edge_m) < 0.01, `${where}: ${p.a}-${p.b} ${p.edge_m} vs ${w.edge_m}`);
    assert.ok(Math.abs(p.score - w.score) < 1e-6, `${where}: pair score ${p.a}-${p.b}`);
  });
  assert.ok(Math.abs(got.cluster_score - want.cluster_score) < 1e-6, `${where}: cluster`);
}

for (const c of reference.cases) {
  for (const [name, s] of Object.entries(c.scenarios)) {
    test(`${c.measure}, ${name}: distances, scores and ranks as siteplan.analyze`, () => {
      const { m } = model(c);
      same(apply(m, s.ops), s.expected, `${c.measure} ${name}`);
    });
  }

  test(`${c.measure}: reset() gives back the original numbers`, () => {
    const { m } = model(c);
    apply(m, c.scenarios.each_site_moved.ops);
    same(m.reset(), c.scenarios.original.expected, "reset");
  });

  test(`${c.measure}: bad input throws and leaves the state unchanged`, () => {
    const { m } = model(c);
    const before = JSON.stringify(m.result());
    const bad = [
      () => m.moveSite("nope", 1, 1), () => m.moveSite("cgt_park", NaN, 0),
      () => m.moveSite("cgt_park", "1", 0), () => m.setWeight("cgt_park", -1),
      () => m.setWeight("cgt_park", Infinity), () => m.removeSite("nope"),
      () => m.addSite(null), () => m.addSite({ id: "cgt_park", lon: 121.6, lat: 31.1 }),
      () => m.addSite({ id: "", lon: 121.6, lat: 31.1 }),
      () => m.addSite({ id: "x", lon: 121.6, lat: 95 }),
      () => m.addSite({ id: "x", lon: 121.6, lat: 31.1, weight: -2 }),
      () => m.addSite({ id: "x", name: 5, lon: 121.6, lat: 31.1 }),
      () => m.addSite({ id: "x", polygon: [[121.6, 31.1], [121.61, 31.1]] }),
      () => m.addSite({ id: "x", polygon: [[121.6, 31.1], [121.61, 31.1], [121.62, 31.1]] }),
      () => m.addSite({ id: "x", polygon: [[121.6, 31.1], [121.61, 31.1], [121.62, "a"]] }),
    ];
    for (const call of bad) {
      assert.throws(call);
      assert.strictEqual(JSON.stringify(m.result()), before);
    }
  });

  test(`${c.measure}: mutators return result()`, () => {
    const { m } = model(c);
    const got = m.moveSite("cgt_park", 10, 0);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(m.result())));
  });

  test(`${c.measure}: a moved site goes back to WGS84 where Python puts it`, () => {
    const { m } = model(c);
    m.moveSite("cgt_park", 0, 0);
    const site = m.sites().find((s) => s.id === "cgt_park");
    m.moveSite("cgt_park", 1000, -1000);
    m.moveSite("cgt_park", -1000, 1000);
    const g = m.geometryOf(site);
    const orig = c.data.sites.find((s) => s.id === "cgt_park").geometry;
    g.coordinates[0].forEach((p, i) => {
      assert.ok(Math.abs(p[0] - orig.coordinates[0][i][0]) < 1e-8);
      assert.ok(Math.abs(p[1] - orig.coordinates[0][i][1]) < 1e-8);
    });
  });
}

test("ties: equal scores rank by id in code-point order, as Python's str order", () => {
  const { context } = load();
  const ranks = context.siteplan.scenarioModel.ranks;
  const cmp = context.siteplan.scenarioModel.compareIds;
  assert.deepStrictEqual(Array.from(ranks([50, 75, 50 + 1e-12], ["b", "c", "a"])), [3, 1, 2]);
  // U+FF5E sorts before U+1F600 in code points, after it in UTF-16 units
  assert.strictEqual(cmp("\uff5e", "\u{1f600}"), -1);
  assert.strictEqual(cmp("a", "ab"), -1);
  assert.strictEqual(cmp("ab", "a"), 1);
});

test("edge distance: crossing, nested and apart squares", () => {
  const { context } = load();
  const geo = context.siteplan.geo;
  const sq = (x, y, s) => {
    const rings = [[x, y, x + s, y, x + s, y + s, x, y + s, x, y]];
    return { rings, polygonal: true, box: geo.bbox(rings) };
  };
  assert.strictEqual(geo.siteDistance(sq(0, 0, 10), sq(5, 5, 10)).d, 0);  // crossing
  assert.strictEqual(geo.siteDistance(sq(0, 0, 10), sq(2, 2, 2)).d, 0);  // inside
  assert.strictEqual(geo.siteDistance(sq(2, 2, 2), sq(0, 0, 10)).d, 0);  // around
  assert.strictEqual(geo.siteDistance(sq(0, 0, 10), sq(10, 0, 10)).d, 0);  // touching
  assert.strictEqual(geo.siteDistance(sq(0, 0, 10), sq(13, 4, 2)).d, 3);
  assert.strictEqual(geo.siteDistance(sq(0, 0, 10), sq(13, 14, 2)).d, 5);  // corner to corner
});
