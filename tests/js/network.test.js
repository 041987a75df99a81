// The page's road network (static/network.js) against networkx on the same graphs
// (network_reference.json, from tests/test_js_network.py): joining places, Dijkstra
// with one-way roads and connectors, and click costs from precomputed node costs.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { load } = require("./harness.js");

const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, "network_reference.json"), "utf8"));

function close(got, want, tol, where) {
  assert.ok(Math.abs(got - want) <= tol, `${where}: ${got} vs ${want}`);
}

for (const c of reference.cases) {
  test(`joins places as shapely does: ${c.name}`, () => {
    const net = load().context.siteplan.network;
    const g = net.decode(c.graph);
    c.places.forEach((place, k) => {
      const got = net.snap(g, place), want = c.snapped[k];
      if (want === null) {
        assert.strictEqual(got, null, `place ${k}`);
        return;
      }
      assert.ok(got, `place ${k} joins`);
      assert.strictEqual(got.seg, want.seg, `place ${k} segment`);
      close(got.t, want.t, 1e-9, `place ${k} t`);
      close(got.connector, want.connector, 1e-6, `place ${k} connector`);
    });
  });

  test(`travels as networkx does: ${c.name}`, () => {
    const net = load().context.siteplan.network;
    const g = net.decode(c.graph);
    const joined = c.places.map((place) => net.snap(g, place));
    let compared = 0;
    joined.forEach((p, i) => {
      if (!p) { return; }
      const found = net.search(g, net.departures(g, p));
      joined.forEach((q, j) => {
        if (!q || i === j) { return; }
        const got = net.trip(g, found, p, q), want = c.trips[i][j];
        if (want === null) {
          assert.ok(!isFinite(got.cost), `${i} -> ${j} cannot be travelled`);
          return;
        }
        close(got.metres, want.metres, 1e-6, `${i} -> ${j} metres`);
        close(got.minutes, want.minutes, 1e-6, `${i} -> ${j} minutes`);
        compared += 1;
      });
    });
    assert.ok(compared >= 30, `compared ${compared} trips`);
  });

  test(`scores clicks from node costs: ${c.name}`, () => {
    const net = load().context.siteplan.network;
    const g = net.decode(c.graph), pre = net.decodeCosts(c.clicks.costs);
    c.clicks.points.forEach((xy, i) => {
      const got = net.clickCosts(g, pre, xy[0], xy[1]).costs;
      c.clicks.expected[i].forEach((want, j) => {
        if (want === null) {
          assert.ok(!isFinite(got[j]), `click ${i} -> site ${j}: ${got[j]}`);
        } else {  // node costs are float32 in the page
          close(got[j], want, 1e-5 * Math.max(1, want), `click ${i} -> site ${j}`);
        }
      });
    });
  });
}

for (const c of reference.cases) {
  test(`reaches as siteplan's isochrone pieces do: ${c.name}`, () => {
    const context = load().context, net = context.siteplan.network;
    const reach = context.siteplan.reach;
    const g = net.decode(c.graph);
    let partial = 0;
    c.reach.forEach((want, i) => {
      const p = net.snap(g, want.place);
      const bands = reach.bands(g, p, want.rings);
      let drawn = 0;
      want.reached_m.forEach((metres, k) => {
        close(bands[k].reached_m, metres, 1e-6, `place ${i} ring ${k}`);
        // the bands drawn so far cover the ring's reached streets, each once (to 1e-4 m:
        // the reference union is noded on a 1e-6 m grid)
        bands[k].lines.forEach((l) => { drawn += Math.hypot(l[2] - l[0], l[3] - l[1]); });
        close(drawn, want.merged_m[k], 1e-4, `place ${i} ring ${k} drawn`);
        // the band's lines are what this ring adds: their length is the growth of the
        // merged reached network, never more than the growth of the summed pieces
        assert.strictEqual(bands[k].lines.length > 0, metres > (k ? want.reached_m[k - 1] : 0));
      });
      if (want.reached_m[1] > 0 && want.reached_m[1] < want.reached_m[2]) { partial += 1; }
    });
    assert.ok(c.reach.length >= 8 && partial >= 4, `${c.reach.length} places, ${partial} growing`);
  });
}

test("bands subtract the ring before: interval differences", () => {
  const reach = load().context.siteplan.reach;
  const got = reach.minus([[0, 0.5], [0.6, 1]], [[0.1, 0.2], [0.4, 0.7]]);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(got)), [[0, 0.1], [0.2, 0.4], [0.7, 1]]);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(reach.minus([[0, 1]], undefined))), [[0, 1]]);
});

test("the heap pops keys in order", () => {
  const net = load().context.siteplan.network;
  const heap = new net.Heap(), keys = [5, 3, 9, 1, 1, 7, 0.5, 12, 4];
  keys.forEach((k, i) => heap.push(k, i));
  const out = [];
  while (heap.size()) { out.push(heap.pop().key); }
  assert.deepStrictEqual(out, keys.slice().sort((a, b) => a - b));
});

test("base64 decodes as Python encodes", () => {
  const net = load().context.siteplan.network;
  // numpy: np.array([1.5, -2.0], "<f8").tobytes() in base64
  const values = new Float64Array(net.bytes("AAAAAAAA+D8AAAAAAAAAwA=="));
  assert.deepStrictEqual(Array.from(values), [1.5, -2]);
});
