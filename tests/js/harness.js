// Load the page's scripts (src/siteplan/maps/static) in a vm context, with just enough
// of Leaflet and the DOM to run them, and read what a click shows.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const STATIC = path.join(__dirname, "..", "..", "src", "siteplan", "maps", "static");
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, "reference.json"), "utf8"));

class FakeElement {
  constructor(tag) {
    this.tagName = tag;
    this.className = "";
    this.textContent = "";
    this.attributes = {};
    this.children = [];
  }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  getAttribute(name) { return this.attributes[name]; }
  appendChild(child) { this.children.push(child); return child; }
  // every descendant (depth first) whose class list holds `name`
  findAll(name) {
    const out = [];
    const walk = (el) => {
      if (String(el.className).split(" ").includes(name)) { out.push(el); }
      el.children.forEach(walk);
    };
    walk(this);
    return out;
  }
}

function fakeLeaflet(popups) {
  const layer = () => ({ addTo() { return this; } });
  return {
    popup: () => {
      const popup = {
        setLatLng() { return popup; },
        setContent(content) { popup.content = content; return popup; },
        openOn() { popups.push(popup.content); return popup; },
      };
      return popup;
    },
    layerGroup: layer,
    canvas: () => ({}),
    circleMarker: layer,
    polygon: layer,
  };
}

// Run helpers.js then clickscore.js as classic scripts; return the vm context
// (its `siteplan` is the page's global) and the popups opened so far.
function load() {
  const popups = [];
  const context = vm.createContext({
    L: fakeLeaflet(popups),
    document: { createElement: (tag) => new FakeElement(tag), getElementById: () => null },
  });
  for (const name of ["helpers.js", "geometry.js", "clickscore.js", "network.js", "reach.js", "scenario.js"]) {
    vm.runInContext(fs.readFileSync(path.join(STATIC, name), "utf8"), context, { filename: name });
  }
  return { context, popups };
}

// Click at (lon, lat) on a page that scores with `data` (click_data) and `decaySource`
// (DecayFunction.to_js); return the popup's content element.
function click(data, decaySource, lon, lat) {
  const { context, popups } = load();
  const decay = vm.runInContext(`(${decaySource})`, context);
  let handler = null;
  const map = { on: (event, fn) => { if (event === "click") { handler = fn; } } };
  context.siteplan.clickScore(map, JSON.parse(JSON.stringify(data)), decay, null);
  const latlng = { lng: lon, lat: lat, wrap() { return { lng: lon, lat: lat }; } };
  handler({ latlng });
  return popups[0];
}

// Project one WGS84 point with the page's projection `params` (projection_for): click
// on a page with one point site at the origin and read the metric x, y it shows.
function project(params, lon, lat) {
  const data = {
    crs: "test", projection: params, datum: "wgs84", origin: [0, 0], measure: "edge",
    decay: { kind: "linear", params: {} },
    sites: [{ id: "o", name: "o", weight: 1, polygonal: false, rings: [[0, 0]] }],
  };
  const box = click(data, "function (d) { return 0; }", lon, lat);
  return [Number(box.getAttribute("data-x")), Number(box.getAttribute("data-y"))];
}

module.exports = { FakeElement, click, load, project, reference };
