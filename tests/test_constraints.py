"""Constraints: each kind excludes exactly the cells it should; every mistake is named.

The fixture is a 10 x 8 grid of 100 m cells (centres at 50, 150, ... m from the
south-west corner) with three sites placed so that no cell centre lies on a
footprint's edge: the expected cells below are worked out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from test_candidates import X0, Y0, metric_study, rect

from siteplan.analysis import Result, analyze
from siteplan.candidates import CandidateResult, score_candidates
from siteplan.errors import ParameterError, StudyError
from siteplan.render.candidates import render_candidates
from siteplan.score.constraints import (
    CONSTRAINT_KINDS,
    make_constraint,
    parse_cli_constraint,
    resolve_constraints,
)

SITES = {
    "alpha": rect(300, 300, 500, 400),  # holds the centres of r3c3 and r3c4
    "beta": rect(640, 40, 720, 180),  # holds the centres of r0c6 and r1c6
    "gamma": shapely.Point(X0 + 160, Y0 + 640),  # 14 m from the centre of r6c1
}
AREA = rect(0, 0, 1000, 800)
EXCLUSIONS = {
    "flood": [rect(0, 700, 300, 800)],  # r7c0, r7c1, r7c2
    "heritage": [rect(900, 0, 1000, 200)],  # r0c9, r1c9
}


INSIDE = {"r3c3", "r3c4", "r0c6", "r1c6"}


def study(tmp_path: Path, constraints: str = "", **kwargs: object) -> Result:
    return analyze(
        metric_study(
            tmp_path, SITES, boundary=kwargs.pop("boundary", AREA), constraints=constraints,
            **kwargs,  # type: ignore[arg-type]
        )
    )  # fmt: skip


def run(result: Result, *extra: object) -> CandidateResult:
    return score_candidates(result, cell_m=100, constraints=list(extra))  # type: ignore[arg-type]


def excluded_by(cres: CandidateResult, name: str) -> set[str]:
    names = cres.candidates["excluded_by"].astype(object)
    return set(cres.candidates.loc[names == name, "id"])


def cells(result_ids: CandidateResult, mask: np.ndarray) -> set[str]:
    return set(result_ids.ids(np.flatnonzero(mask)))


def footprint_distances(cres: CandidateResult, site: str) -> np.ndarray:
    geom = cres.result.sites_m.set_index("id").geometry[site]
    return np.array(
        [shapely.Point(x, y).distance(geom) for x, y in zip(cres.x, cres.y, strict=True)]
    )


def test_defaults_exclude_cells_inside_site_footprints(tmp_path: Path) -> None:
    cres = run(study(tmp_path))
    assert [c.name for c in cres.constraints] == ["outside_boundary", "inside_site"]
    assert all(c.origin == "default" for c in cres.constraints)
    assert excluded_by(cres, "inside_site") == INSIDE
    assert cres.excluded == {"outside_boundary": 0, "inside_site": 4}
    assert int(cres.eligible.sum()) == 76


def test_setback_from_any_site(tmp_path: Path) -> None:
    cres = run(study(tmp_path), make_constraint("setback", distance_m=60))
    assert excluded_by(cres, "setback_60m") == {
        # alpha: 50 m beside each side (corners are 71 m away)
        "r2c3", "r2c4", "r4c3", "r4c4", "r3c2", "r3c5",
        # beta: 30 m east of it
        "r0c7", "r1c7",
        # gamma: 14 m
        "r6c1",
    }  # fmt: skip
    # cells inside a footprint are counted under inside_site, the first constraint
    assert cres.excluded["inside_site"] == 4
    assert cres.excluded["setback_60m"] == 9


def test_setback_from_one_site(tmp_path: Path) -> None:
    cres = run(study(tmp_path), parse_cli_constraint("setback", "beta:60"))
    assert excluded_by(cres, "setback_60m_beta") == {"r0c7", "r1c7"}


def test_setback_exactly_at_the_distance_is_allowed(tmp_path: Path) -> None:
    cres = run(study(tmp_path), make_constraint("setback", site="alpha", distance_m=49.999))
    assert excluded_by(cres, "setback_49.999m_alpha") == set()


def test_within_keeps_only_cells_near_the_site(tmp_path: Path) -> None:
    cres = run(study(tmp_path), make_constraint("within", site="alpha", distance_m=160))
    d = footprint_distances(cres, "alpha")
    inside_beta = {"r0c6", "r1c6"}  # counted under inside_site, which comes first
    assert excluded_by(cres, "within_160m_of_alpha") == cells(cres, d > 160) - inside_beta
    eligible = set(cres.ids(np.flatnonzero(cres.eligible)))
    assert "r3c6" in eligible  # 150 m east of alpha
    assert "r3c7" not in eligible  # 250 m
    assert "r0c0" not in eligible


def test_beyond_keeps_only_cells_far_from_the_site(tmp_path: Path) -> None:
    cres = run(study(tmp_path), make_constraint("beyond", site="beta", distance_m=300))
    d = footprint_distances(cres, "beta")
    assert excluded_by(cres, "beyond_300m_from_beta") == cells(cres, d < 300) - INSIDE
    assert "r0c2" in set(cres.ids(np.flatnonzero(cres.eligible)))  # 310 m west of beta


def test_exclusion_layers(tmp_path: Path) -> None:
    result = study(tmp_path, exclusions=EXCLUSIONS)
    every = run(result, make_constraint("exclusion"))
    assert excluded_by(every, "exclusion") == {"r7c0", "r7c1", "r7c2", "r0c9", "r1c9"}
    one = run(result, make_constraint("exclusion", layer="flood"))
    assert excluded_by(one, "exclusion_flood") == {"r7c0", "r7c1", "r7c2"}


def test_exclusion_layers_are_opt_in_and_say_so(tmp_path: Path) -> None:
    cres = run(study(tmp_path, exclusions=EXCLUSIONS))
    assert "r7c0" in set(cres.ids(np.flatnonzero(cres.eligible)))
    assert any("exclusion layers (flood, heritage)" in w for w in cres.warnings)


def test_outside_boundary_for_an_irregular_boundary(tmp_path: Path) -> None:
    l_shape = shapely.union_all([rect(0, 0, 1000, 400), rect(0, 400, 400, 800)])
    cres = run(study(tmp_path, boundary=l_shape))
    # 40 cells in the bottom half, 16 in the top-left arm
    assert len(cres) == 56
    assert cres.excluded["outside_boundary"] == 24
    assert cres.grid is not None
    assert (cres.grid.rows, cres.grid.cols) == (8, 10)


def test_defaults_can_be_turned_off(tmp_path: Path) -> None:
    l_shape = shapely.union_all([rect(0, 0, 1000, 400), rect(0, 400, 400, 800)])
    toml = (
        '[[constraints]]\nkind = "outside_boundary"\nenabled = false\n\n'
        '[[constraints]]\nkind = "inside_site"\nenabled = false\n'
    )
    cres = run(study(tmp_path, toml, boundary=l_shape))
    assert len(cres) == 80  # the whole grid over the boundary's bounds
    assert cres.eligible.all()
    assert cres.excluded == {}
    text = render_candidates(cres, "markdown")
    assert "| inside_site | centre on or inside a site footprint | off |" in text


def test_counts_follow_the_first_excluding_constraint(tmp_path: Path) -> None:
    toml = (
        '[[constraints]]\nkind = "within"\nsite = "alpha"\ndistance_m = 160\n\n'
        '[[constraints]]\nkind = "setback"\ndistance_m = 60\n'
    )
    cres = run(study(tmp_path, toml), make_constraint("beyond", site="beta", distance_m=300))
    order = [c.kind for c in cres.constraints]
    assert order == ["outside_boundary", "inside_site", "setback", "within", "beyond"]
    assert sum(cres.excluded.values()) == int((~cres.eligible).sum())
    codes = cres.excluded_code
    for k, c in enumerate(cres.constraints):
        assert cres.excluded[c.name] == int((codes == k).sum())


def test_study_constraints_carry_notes_and_sources_into_outputs(tmp_path: Path) -> None:
    toml = (
        "[[constraints]]\n"
        'kind = "within"\nsite = "alpha"\ndistance_m = 300\nname = "near alpha"\n'
        'note = "shared imaging"\nsource = "planning brief 2024"\n\n'
        "[[constraints]]\n"
        'kind = "inside_site"\nsource = "DESIGN rule"\n'
    )
    cres = run(study(tmp_path, toml))
    doc = json.loads(render_candidates(cres, "json"))
    entries = {c["name"]: c for c in doc["constraints"]}
    assert entries["near alpha"]["note"] == "shared imaging"
    assert entries["near alpha"]["source"] == "planning brief 2024"
    assert entries["near alpha"]["origin"] == "study"
    assert entries["near alpha"]["excluded"] == doc["excluded"]["near alpha"] > 0
    assert entries["inside_site"]["source"] == "DESIGN rule"
    assert entries["inside_site"]["origin"] == "study"


def test_picks_satisfy_every_constraint(tmp_path: Path) -> None:
    toml = '[[constraints]]\nkind = "beyond"\nsite = "gamma"\ndistance_m = 250\n'
    cres = run(
        study(tmp_path, toml, exclusions=EXCLUSIONS),
        make_constraint("exclusion"),
        make_constraint("setback", distance_m=60),
        make_constraint("within", site="beta", distance_m=450),
    )
    assert len(cres.pick_index) > 0
    assert cres.eligible[cres.pick_index].all()
    for site, low, high in (("gamma", 250, np.inf), ("beta", 0, 450)):
        d = footprint_distances(cres, site)[cres.pick_index]
        assert np.all((d >= low) & (d <= high))


# --------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('kind = "near"', r"\[\[constraints\]\] #1: kind 'near' is not one of outside_boundary"),
        ("site = 'alpha'", r"#1 has no kind; give one of outside_boundary"),
        ('kind = "within"\nsite = "alpha"', "a within constraint needs distance_m"),
        ('kind = "beyond"\ndistance_m = 5', "a beyond constraint needs site"),
        (
            'kind = "within"\nsite = "alpha"\ndistance_m = 5\nlayer = "x"',
            "unknown key.s. layer for a within constraint; allowed: kind, name",
        ),
        ('kind = "setback"\ndistance_m = -5', "distance_m -5 is not a finite number >= 0"),
        ('kind = "setback"\ndistance_m = "far"', "distance_m 'far' is not a number"),
        ('kind = "setback"\ndistance_m = 5\nenabled = false', "only turns off a default"),
        ('kind = "setback"\ndistance_m = 5\nnote = 3', "note 3 is not text"),
    ],
)
def test_study_constraint_mistakes_are_refused_on_load(
    tmp_path: Path, toml: str, message: str
) -> None:
    """A table's own mistakes are refused when the study is read (report, validate too)."""
    path = metric_study(tmp_path, SITES, boundary=AREA, constraints="[[constraints]]\n" + toml)
    with pytest.raises(StudyError, match=message) as info:
        analyze(path)
    assert info.value.path == str(path)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('kind = "within"\nsite = "omega"\ndistance_m = 5', "site 'omega' is not a site id"),
        ('kind = "exclusion"', "the study has no exclusion layer"),
        ('kind = "inside_site"\n\n[[constraints]]\nkind = "inside_site"', "declared twice"),
        (
            'kind = "setback"\ndistance_m = 5\n\n[[constraints]]\nkind = "setback"\n'
            "distance_m = 5.0",
            "name 'setback_5m' is used twice",
        ),
    ],
)
def test_study_constraint_mistakes_are_named(tmp_path: Path, toml: str, message: str) -> None:
    result = study(tmp_path, "[[constraints]]\n" + toml + "\n")
    with pytest.raises(StudyError, match=message) as info:
        run(result)
    assert info.value.path == str(result.study.path)


def test_unknown_exclusion_layer_is_named(tmp_path: Path) -> None:
    result = study(tmp_path, exclusions=EXCLUSIONS)
    with pytest.raises(ParameterError, match="layer 'roads' is not an exclusion layer; use one of"):
        run(result, make_constraint("exclusion", layer="roads"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "nearby"}, "kind 'nearby' is not one of"),
        ({"kind": "within", "site": "a"}, "needs distance_m"),
        ({"kind": "setback", "distance_m": float("nan")}, "not a finite number"),
        ({"kind": "setback", "distance_m": True}, "not a number"),
        ({"kind": "inside_site", "distance_m": 3}, "distance_m does not apply to a inside_site"),
        ({"kind": "exclusion", "layer": ""}, "layer '' is not a non-empty text"),
        ({"kind": "inside_site", "enabled": "no"}, "enabled 'no' is not true or false"),
    ],
)
def test_library_constraint_mistakes(kwargs: dict[str, object], message: str) -> None:
    kind = str(kwargs.pop("kind"))
    with pytest.raises(ParameterError, match=message):
        make_constraint(kind, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("within", "alpha", "give SITE:METRES"),
        ("beyond", "alpha:far", "'far' is not a number of metres"),
        ("setback", "x", "'x' is not a number of metres; give \\[SITE:\\]METRES"),
        ("setback", "-1", "-1 is not a finite number >= 0"),
    ],
)
def test_cli_constraint_mistakes(kind: str, text: str, message: str) -> None:
    with pytest.raises(ParameterError, match=f"--{kind} {text}: {message}"):
        parse_cli_constraint(kind, text)


def test_cli_constraint_forms() -> None:
    assert parse_cli_constraint("setback", "150").site is None
    c = parse_cli_constraint("setback", "alpha:150")
    assert (c.kind, c.site, c.distance_m, c.origin) == ("setback", "alpha", 150.0, "cli")
    # a site id may itself contain a colon: the last one splits
    assert parse_cli_constraint("within", "a:b:20").site == "a:b"


def test_resolve_orders_by_kind_then_declaration() -> None:
    extra = [
        make_constraint("beyond", site="a", distance_m=1),
        make_constraint("setback", distance_m=2),
        make_constraint("within", site="a", distance_m=3, name="w1"),
        make_constraint("within", site="a", distance_m=4, name="w2"),
    ]
    out = resolve_constraints([], extra, site_ids=["a"])
    assert [c.name for c in out] == [
        "outside_boundary",
        "inside_site",
        "setback_2m",
        "w1",
        "w2",
        "beyond_1m_from_a",
    ]
    assert [c.kind for c in out] == sorted((c.kind for c in out), key=CONSTRAINT_KINDS.index)
