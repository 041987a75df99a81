// The decays as the page runs them (DecayFunction.to_js) against Python's scores.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const vm = require("node:vm");
const { reference } = require("./harness.js");

for (const c of reference.decays) {
  test(`${c.kind} ${JSON.stringify(c.params)} scores as in Python`, () => {
    const f = vm.runInNewContext(`(${c.js})`);
    assert.ok(c.distances.length >= 40);
    c.distances.forEach((d, i) => {
      const got = f(d), want = c.scores[i];
      if (c.exact) {
        assert.strictEqual(got, want, `d=${d}`);
      } else {
        const tol = Math.max(1e-9 * Math.abs(want), 1e-12);
        assert.ok(Math.abs(got - want) <= tol, `d=${d}: ${got} vs ${want}`);
      }
    });
    assert.strictEqual(f(1.5e300), 0);
  });
}
