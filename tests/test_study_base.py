"""Study files with ``base``: own site layers, every other layer and the scoring from the base."""

from __future__ import annotations

from pathlib import Path

import pytest

import siteplan
from siteplan.errors import StudyError
from siteplan.load.study import bundled_study_path, load_study

SITES = bundled_study_path().parent / "cgt_park.geojson"
SITES2 = bundled_study_path().parent / "proton_center.geojson"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_base_gives_its_other_layers_scoring_crs_and_focus(tmp_path: Path) -> None:
    study = load_study(
        _write(
            tmp_path / "s.toml",
            f'base = "bundled:simz"\n[[layers]]\npath = "{SITES}"\n[[layers]]\npath = "{SITES2}"\n',
        )
    )
    bundled = load_study(None)
    assert [s.path for s in study.layers if s.role == "site"] == [SITES, SITES2]
    assert [s for s in study.layers if s.role != "site"] == [
        s for s in bundled.layers if s.role != "site"
    ]
    assert study.scoring == bundled.scoring
    assert (study.crs, study.focus) == (bundled.crs, bundled.focus)
    assert study.name == "s"
    assert study.path == tmp_path / "s.toml"
    result = siteplan.analyze(study)
    assert sorted(result.sites["id"]) == ["cgt_park", "proton_center"]
    assert result.data.boundary is not None
    assert result.data.context is not None


def test_own_keys_win_and_a_relative_base_is_read_from_the_file_folder(tmp_path: Path) -> None:
    _write(
        tmp_path / "orig.toml",
        f'name = "orig"\nfocus = "cgt_park"\n[scoring]\nmeasure = "centroid"\ndecay = "linear"\n'
        f'max_m = 3000\n[[layers]]\npath = "{SITES}"\n[[layers]]\npath = "{SITES2}"\n'
        f'[[layers]]\npath = "{bundled_study_path().parent / "simz_boundary.geojson"}"\n'
        'role = "boundary"\n',
    )
    study = load_study(
        _write(
            tmp_path / "scenario.toml",
            f'name = "mine"\nbase = "orig.toml"\nfocus = "proton_center"\ncrs = "EPSG:32651"\n'
            f'[scoring]\nmax_m = 2000\n[[layers]]\npath = "{SITES2}"\n',
        )
    )
    assert study.name == "mine"
    assert study.focus == "proton_center"
    assert study.crs == "EPSG:32651"
    assert study.scoring == {"measure": "centroid", "decay": "linear", "max_m": 2000}
    assert [s.role for s in study.layers] == ["site", "boundary"]


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("1", "give"),
        ('""', "give"),
        ('"missing.toml"', "missing.toml"),
        ('"s.toml"', "itself"),
    ],
)
def test_bad_bases_are_refused(tmp_path: Path, base: str, message: str) -> None:
    path = _write(tmp_path / "s.toml", f'base = {base}\n[[layers]]\npath = "{SITES}"\n')
    with pytest.raises(StudyError, match=message):
        load_study(path)


def test_a_base_with_a_base_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a.toml", f'base = "bundled:simz"\n[[layers]]\npath = "{SITES}"\n')
    path = _write(tmp_path / "b.toml", f'base = "a.toml"\n[[layers]]\npath = "{SITES}"\n')
    with pytest.raises(StudyError, match="base of its own"):
        load_study(path)
