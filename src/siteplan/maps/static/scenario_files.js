// The "Download scenario" files of edit mode: scenario.geojson (RFC 7946) and a study
// TOML whose base names the original study (with [network] for network measures), and
// saving them from the page. Used by scenario_ui.js.
siteplan.scenarioFiles = (function () {
  "use strict";

  // TOML basic string: JSON's escapes are TOML's, plus DEL, and no lone surrogates.
  function tomlString(text) {
    return JSON.stringify(String(text))
      .replace(/\x7f/g, "\\u007F")
      .replace(/\\ud[89a-f][0-9a-f]{2}/gi, "\\uFFFD");
  }
  function tomlValue(v) {
    if (typeof v === "string") { return tomlString(v); }
    if (Array.isArray(v)) { return "[" + v.map(tomlValue).join(", ") + "]"; }
    if (typeof v === "number" && isFinite(v)) {
      var t = String(v);
      return /[.e]/.test(t) ? t : t + ".0";
    }
    if (typeof v === "boolean") { return String(v); }
    throw new TypeError("cannot write " + String(v) + " to TOML");
  }

  function studyToml(data, sites) {
    var s = data.study, lines = [
      "# A scenario saved from a siteplan map page (edit mode): the edited sites are in",
      "# scenario.geojson; every other layer, and the scoring, come from the base study.",
      "# Compare: siteplan compare ORIGINAL_STUDY scenario.toml",
      "name = " + tomlString(s.name + " (scenario)")
    ];
    if (s.base !== null) { lines.push("base = " + tomlString(s.base)); }
    lines.push("crs = " + tomlString(s.crs));
    var ids = sites.map(function (x) { return x.id; });
    if (s.focus !== null && ids.indexOf(s.focus) >= 0) {
      lines.push("focus = " + tomlString(s.focus));
    }
    lines.push("", "[scoring]");
    Object.keys(s.scoring).sort().forEach(function (key) {
      lines.push(key + " = " + tomlValue(s.scoring[key]));
    });
    if (s.network) {  // network measures: the mode, speeds and snap_max_m of the map
      lines.push("", "[network]");
      Object.keys(s.network).sort().forEach(function (key) {
        if (key !== "class_kmh") { lines.push(key + " = " + tomlValue(s.network[key])); }
      });
      var classes = s.network.class_kmh || {};
      if (Object.keys(classes).length) {
        lines.push("", "[network.class_kmh]");
        Object.keys(classes).sort().forEach(function (key) {
          lines.push(tomlString(key) + " = " + tomlValue(classes[key]));
        });
      }
    }
    lines.push("", "[[layers]]", "path = \"scenario.geojson\"", "role = \"site\"",
      "datum = \"wgs84\"", "id_field = \"id\"", "name_field = \"name\"", "");
    return lines.join("\n");
  }

  function scenarioGeojson(model) {
    var features = model.sites().map(function (site) {
      var props = {};
      Object.keys(site.properties).forEach(function (k) { props[k] = site.properties[k]; });
      props.id = site.id;
      props.name = site.name;
      props.weight = site.weight;
      props.edited = site.status !== "original";
      props.status = site.status;
      return {type: "Feature", id: site.id, properties: props,
        geometry: model.geometryOf(site)};
    });
    return JSON.stringify({type: "FeatureCollection", features: features}, null, 1) + "\n";
  }

  function save(name, text, type) {
    var blob = new Blob([text], {type: type});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.style.display = "none";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  return {studyToml: studyToml, scenarioGeojson: scenarioGeojson, save: save};
}());
