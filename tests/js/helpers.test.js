// siteplan.surface / siteplan.surfaceInfo: which candidate a point falls on.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const { load } = require("./harness.js");

// A 3 x 2 lattice of corners (2 x 1 cells) from (121.600000, 31.100000), 0.01 degree apart;
// cells are numbered by their lower-left corner (row * stride + col).
function grid(block) {
  return {
    pane: "p", palette: ["#000000", "#ffffff"], lo: 0, hi: 100,
    score: [40, 80.25], code: [-1, 0], constraints: ["inside_site"], picks: [0], block,
    grid: { lon0: 121600000, dlon: [0, 10000, 20000, 0, 10000, 20000],
      lat0: 31100000, dlat: [0, 0, 0, 10000, 10000, 10000], stride: 3 },
    cells: [0, 1], idWidth: 2,
  };
}

function surface(data) {
  const { context } = load();
  const group = context.siteplan.surface(data, {});
  return (lon, lat) => context.siteplan.surfaceInfo(group, { lng: lon, lat: lat });
}

test("a grid cell is found by its corners and named by row and column", () => {
  const info = surface(grid(1));
  const first = info(121.605, 31.105);
  assert.strictEqual(first.children[0].textContent,
    "Candidate r00c00 (measured from its centre): score 40.0, pick 1");
  assert.strictEqual(first.getAttribute("data-candidate-index"), "0");
  const second = info(121.615, 31.105);
  assert.strictEqual(second.children[0].textContent,
    "Candidate r00c01 (measured from its centre): score 80.3; excluded by inside_site");
  assert.strictEqual(second.getAttribute("data-candidate-score"), "80.25");
});

test("a point off the grid is on no candidate", () => {
  const info = surface(grid(1));
  assert.strictEqual(info(121.625, 31.105), null);
  assert.strictEqual(info(121.605, 31.095), null);
});

test("display blocks are described as blocks, without a candidate index", () => {
  const box = surface(grid(3))(121.605, 31.105);
  assert.strictEqual(box.children[0].textContent,
    "Display block of up to 3 \u00d7 3 cells: best score 40.0, pick 1");
  assert.strictEqual(box.getAttribute("data-candidate-index"), undefined);
});

test("parcels are found inside their rings and named by their ids", () => {
  const data = {
    pane: "p", palette: ["#000000"], lo: 0, hi: 0, score: [12, 55], code: [-1, -1],
    constraints: [], picks: [], block: 1, ids: ["north", "south"],
    shapes: [
      [[[0, 1, 1, 1, 1, 2, 0, 2, 0, 1]]],
      [[[0, 0, 2, 0, 2, 0.9, 0, 0.9, 0, 0], [0.5, 0.2, 0.6, 0.2, 0.6, 0.3, 0.5, 0.2]]],
    ],
  };
  const info = surface(data);
  assert.match(info(0.5, 1.5).children[0].textContent, /^Candidate north .*score 12\.0$/);
  assert.match(info(1.5, 0.5).children[0].textContent, /^Candidate south .*score 55\.0$/);
  assert.strictEqual(info(0.58, 0.22), null, "inside the hole");
  assert.strictEqual(info(1.5, 1.5), null);
});
