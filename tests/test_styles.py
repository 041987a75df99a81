"""QGIS styles (siteplan.render.styles) without QGIS: XML structure, colours, escaping.

What QGIS makes of these documents is tested with real QGIS in test_qgis.py.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import branca.colormap
import numpy as np
import pytest
from hostile import texts, write_hostile_study

from siteplan import analyze, export_result, score_candidates, write_candidates
from siteplan.analysis import Result
from siteplan.candidates.result import CandidateResult
from siteplan.maps.make import COLOUR_SCALE, SURFACE_SCALE
from siteplan.render.styles import (
    LayerStyle,
    analysis_styles,
    candidate_styles,
    scale_colour,
    write_layer_styles,
)

SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"
SLD = "{http://www.opengis.net/sld}"


@pytest.fixture(scope="module")
def result() -> Result:
    return analyze()


@pytest.fixture(scope="module")
def cres(result: Result) -> CandidateResult:
    return score_candidates(result, cell_m=500, top=3)


@pytest.fixture(scope="module")
def styles(result: Result, cres: CandidateResult) -> dict[str, LayerStyle]:
    return {s.table: s for s in (*analysis_styles(result), *candidate_styles(cres))}


def _qml(style: LayerStyle) -> ET.Element:
    return ET.fromstring(style.qml.split("\n", 1)[1])


def _sld(style: LayerStyle) -> ET.Element:
    return ET.fromstring(style.sld.encode("utf-8"))


def _fill_colours(root: ET.Element) -> list[str]:
    return [
        p.text or ""
        for p in root.iter(f"{SE}SvgParameter")
        if p.get("name") == "fill" and p.text != "#ffffff"
    ]


@pytest.mark.parametrize("scale", [COLOUR_SCALE, SURFACE_SCALE])
def test_colours_are_the_maps_branca_colours(scale: str) -> None:
    for lo, hi in ((0.0, 100.0), (25.0, 93.75), (3.3, 3.4)):
        reference = getattr(branca.colormap.linear, scale).scale(lo, hi)
        for value in np.linspace(lo - 1, hi + 1, 301):
            assert scale_colour(scale, float(value), lo, hi) == reference.rgb_hex_str(value)


def test_every_layer_of_both_exports_has_a_style(styles: dict[str, LayerStyle]) -> None:
    assert set(styles) == {
        "sites",
        "rings",
        "pairs",
        "boundary",
        "context",
        "surface",
        "picks",
        "excluded_areas",
    }


def test_qml_renderers_are_on_the_right_fields(styles: dict[str, LayerStyle]) -> None:
    expected = {
        "sites": ("graduatedSymbol", "score"),
        "rings": ("graduatedSymbol", "ring_m"),
        "surface": ("graduatedSymbol", "score"),
        "excluded_areas": ("categorizedSymbol", "kind"),
        "pairs": ("singleSymbol", None),
        "picks": ("singleSymbol", None),
    }
    for table, (kind, attr) in expected.items():
        root = _qml(styles[table])
        assert root.tag == "qgis"
        renderer = root.find("renderer-v2")
        assert renderer is not None
        assert (renderer.get("type"), renderer.get("attr")) == (kind, attr)
    assert styles["sites"].qml.startswith("<!DOCTYPE qgis")


def test_site_classes_cover_0_to_100_with_the_map_colours(
    styles: dict[str, LayerStyle],
) -> None:
    root = _qml(styles["sites"])
    ranges = [(float(r.get("lower", "")), float(r.get("upper", ""))) for r in root.iter("range")]
    assert ranges[0][0] == 0.0
    assert ranges[-1][1] == 100.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    reference = getattr(branca.colormap.linear, COLOUR_SCALE).scale(0, 100)
    mids = [reference.rgb_hex_str((lo + hi) / 2) for lo, hi in ranges]
    assert _fill_colours(_sld(styles["sites"])) == mids


def test_ring_bands_are_translucent_one_class_per_ring(
    styles: dict[str, LayerStyle], result: Result
) -> None:
    root = _qml(styles["rings"])
    uppers = [float(r.get("upper", "")) for r in root.iter("range")]
    assert uppers == list(result.parameters.rings_m)
    colours = [
        o.get("value", "")
        for o in root.iter("Option")
        if o.get("name") == "color" and o.get("type") == "QString"
    ]
    alphas = [int(c.split(",")[3]) for c in colours]
    assert all(0 < a < 128 for a in alphas)
    assert alphas == sorted(alphas, reverse=True)  # the outer bands fainter


def test_pairs_are_labelled_with_distance_and_score(styles: dict[str, LayerStyle]) -> None:
    root = _qml(styles["pairs"])
    assert root.get("labelsEnabled") == "1"
    text = root.find("labeling/settings/text-style")
    assert text is not None
    assert text.get("isExpression") == "1"
    assert '"edge_m"' in text.get("fieldName", "")
    assert '"score"' in text.get("fieldName", "")
    label = _sld(styles["pairs"]).find(f".//{SE}TextSymbolizer/{SE}Label")
    assert label is not None
    assert [p.text for p in label.iter(f"{OGC}PropertyName")] == ["edge_m", "score"]


def test_pair_label_follows_the_measure() -> None:
    pairs = {s.table: s for s in analysis_styles(analyze(measure="centroid"))}["pairs"]
    text = _qml(pairs).find("labeling/settings/text-style")
    assert text is not None
    assert '"centroid_m"' in text.get("fieldName", "")


@pytest.mark.parametrize(
    ("measure", "ring", "distance", "unit"),
    [("time", "ring_min", "distance_min", "min"), ("network", "ring_m", "distance_m", "m")],
)
def test_network_styles_use_the_fields_named_by_unit(
    measure: str, ring: str, distance: str, unit: str, tmp_path: Path
) -> None:
    result = analyze(measure=measure)
    styles = {s.table: s for s in analysis_styles(result)}
    rings = _qml(styles["rings"])
    renderer = rings.find("renderer-v2")
    assert renderer is not None
    assert renderer.get("attr") == ring
    uppers = [float(r.get("upper", "")) for r in rings.iter("range")]
    assert uppers == list(result.parameters.rings_m)
    labels = [r.get("label", "") for r in rings.iter("range")]
    assert all(label.endswith(f" {unit}") for label in labels), labels
    sld_fields = {p.text for p in _sld(styles["rings"]).iter(f"{OGC}PropertyName")}
    assert sld_fields == {ring}
    text = _qml(styles["pairs"]).find("labeling/settings/text-style")
    assert text is not None
    assert f'"{distance}"' in text.get("fieldName", "")
    assert f"' {unit} · score '" in text.get("fieldName", "")
    label = _sld(styles["pairs"]).find(f".//{SE}TextSymbolizer/{SE}Label")
    assert label is not None
    assert [p.text for p in label.iter(f"{OGC}PropertyName")] == [distance, "score"]
    # Every field a style names is a field of the exported layer.
    gpkg = export_result(result, tmp_path / "net.gpkg")
    for table, field in (("rings", ring), ("pairs", distance)):
        con = sqlite3.connect(gpkg)
        try:
            columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
        finally:
            con.close()
        assert field in columns, (table, columns)


def test_picks_are_numbered_and_exclusions_hatched(styles: dict[str, LayerStyle]) -> None:
    picks = _qml(styles["picks"])
    assert picks.get("labelsEnabled") == "1"
    text = picks.find("labeling/settings/text-style")
    assert text is not None
    assert (text.get("fieldName"), text.get("isExpression")) == ("rank", "0")
    excluded = _qml(styles["excluded_areas"])
    classes = {layer.get("class") for layer in excluded.iter("layer")}
    assert "LinePatternFill" in classes
    marks = [m.text for m in _sld(styles["excluded_areas"]).iter(f"{SE}WellKnownName")]
    assert marks
    assert set(marks) == {"horline"}


def test_sld_is_structured_as_qgis_exports_it(styles: dict[str, LayerStyle]) -> None:
    for style in styles.values():
        root = _sld(style)
        assert root.tag == f"{SLD}StyledLayerDescriptor"
        assert root.get("version") == "1.1.0"
        named = root.find(f"{SLD}NamedLayer")
        assert named is not None
        assert named.findtext(f"{SE}Name") == style.table
        rules = root.findall(f"{SLD}NamedLayer/{SLD}UserStyle/{SE}FeatureTypeStyle/{SE}Rule")
        assert rules
        for rule in rules:
            children = [c.tag for c in rule]
            symbolizers = [t for t in children if t.endswith("Symbolizer")]
            assert symbolizers, style.table
            filters = [i for i, t in enumerate(children) if t == f"{OGC}Filter"]
            # SE order: Name, Description, Filter, then the symbolizers
            assert all(i < children.index(symbolizers[0]) for i in filters)


def test_graduated_sld_filters_match_the_qgis_convention(
    styles: dict[str, LayerStyle],
) -> None:
    root = _sld(styles["sites"])
    tests = [
        [c.tag.removeprefix(OGC) for c in f.find(f"{OGC}And") or []]
        for f in root.iter(f"{OGC}Filter")
    ]
    assert tests[0] == ["PropertyIsGreaterThanOrEqualTo", "PropertyIsLessThanOrEqualTo"]
    assert all(t == ["PropertyIsGreaterThan", "PropertyIsLessThanOrEqualTo"] for t in tests[1:])


def _title(style: LayerStyle) -> str:
    title = _sld(style).findtext(f"{SLD}NamedLayer/{SLD}UserStyle/{SE}Description/{SE}Title")
    assert title is not None
    return title


def test_a_hostile_study_gives_well_formed_styles(tmp_path: Path) -> None:
    result = analyze(write_hostile_study(tmp_path / "hostile"))
    for style in analysis_styles(result):
        assert _qml(style).tag == "qgis"  # parses: nothing broke out of the markup
        assert _title(style).startswith(result.name)
        assert result.name not in style.sld  # present only escaped


@pytest.mark.parametrize("name", [*texts(), "a\x01b\x1fc", "</se:Title><evil/>", "&amp;", "]]>"])
def test_any_study_name_survives_a_round_trip(name: str, result: Result) -> None:
    renamed = replace(result, study=replace(result.study, name=name))
    # XML 1.0 cannot hold C0 controls other than tab and line breaks
    expected = " ".join(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", name).split())
    for style in analysis_styles(renamed):
        _qml(style)
        assert _title(style).startswith(expected)
        assert style.description.startswith(expected)


def test_styles_are_deterministic(result: Result, cres: CandidateResult) -> None:
    assert analysis_styles(result) == analysis_styles(analyze())
    assert candidate_styles(cres) == candidate_styles(cres)


def test_exports_carry_default_styles_and_are_version_1_3(
    result: Result, cres: CandidateResult, tmp_path: Path
) -> None:
    for path in (
        export_result(result, tmp_path / "a.gpkg"),
        write_candidates(cres, tmp_path / "c.gpkg"),
    ):
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA user_version").fetchone() == (10300,)
            rows = db.execute(
                "SELECT f_table_name, f_geometry_column, useAsDefault, update_time "
                "FROM layer_styles"
            ).fetchall()
            kind = db.execute(
                "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
            ).fetchone()
        assert kind == ("attributes",)
        assert rows
        assert {r[1:] for r in rows} == {("geom", 1, "2000-01-01T00:00:00.000Z")}
    assert (tmp_path / "a.gpkg").read_bytes() == export_result(
        analyze(), tmp_path / "b.gpkg"
    ).read_bytes()


def test_rewriting_styles_keeps_one_default_per_layer(result: Result, tmp_path: Path) -> None:
    path = export_result(result, tmp_path / "a.gpkg")
    write_layer_styles(path, analysis_styles(result)[:1])
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT f_table_name, SUM(useAsDefault), COUNT(*) FROM layer_styles "
            "GROUP BY f_table_name ORDER BY f_table_name"
        ).fetchall()
    assert ("sites", 1, 2) in rows
    assert all(r[1] == 1 for r in rows)
