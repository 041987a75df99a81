"""Compare two scenarios of a study: what changes when a site moves or one is added.

:func:`compare_studies` takes two analyses (A, the reference, and B) and reports:

- per site in both: score, rank and how far its centroid moved (measured in A's
  metric CRS); sites only in B are ``added``, only in A ``removed``;
- per pair in both: the change of distance (the chosen measure) and score;
  pairs only in one study are ``added`` or ``removed``;
- the cluster score's change;
- how the top candidate picks change, when both studies have a boundary: each
  pick of A is matched to the nearest unmatched pick of B within ``match_m``
  (closest pairs first); a matched pick is ``same`` (same centre) or ``moved``
  (with the distance), an unmatched pick of A is ``removed``, one of B ``added``.

Deltas are B - A. The texts (markdown, json, csv) are rendered by
:mod:`siteplan.render.compare`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from siteplan.candidates.api import score_candidates
from siteplan.load.projection import from_wgs84
from siteplan.measure.pairs import check_distance

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.candidates.result import CandidateResult
    from siteplan.score.constraints import Constraint

__all__ = ["Comparison", "compare_studies", "match_picks"]


@dataclass(frozen=True)
class Comparison:
    """Two analyses side by side (deltas are B - A).

    Attributes
    ----------
    a, b
        The two analyses.
    sites
        One row per site id in either: ``id``, ``name``, ``status`` (``both``,
        ``added``, ``removed``), ``score_a``, ``score_b``, ``score_delta``,
        ``rank_a``, ``rank_b``, ``rank_change`` (A's rank - B's: positive is
        better in B), ``moved_m`` (centroid shift, in A's CRS).
    pairs
        One row per pair in either: ``a``, ``b``, ``status``, ``distance_a``,
        ``distance_b``, ``distance_delta``, ``score_a``, ``score_b``, ``score_delta``.
    cluster
        ``score_a``, ``score_b``, ``delta``.
    picks
        One row per pick change: ``status`` (``same``, ``moved``, ``added``,
        ``removed``), ``rank_a``, ``rank_b``, ``id_a``, ``id_b``, ``lon_a``,
        ``lat_a``, ``lon_b``, ``lat_b``, ``score_a``, ``score_b``,
        ``distance_m``; None when picks were not compared.
    candidates_a, candidates_b
        The scored candidates, when picks were compared.
    parameters
        The comparison's settings.
    notes
        Remarks (different scoring parameters, picks not compared, ...).
    """

    a: Result
    b: Result
    sites: pd.DataFrame
    pairs: pd.DataFrame
    cluster: dict[str, float]
    picks: pd.DataFrame | None
    candidates_a: CandidateResult | None
    candidates_b: CandidateResult | None
    parameters: dict[str, Any]
    notes: tuple[str, ...]


def _site_table(a: Result, b: Result) -> pd.DataFrame:
    cols = ["id", "name", "score", "rank"]
    left = a.sites[cols].rename(columns={"name": "name_a", "score": "score_a", "rank": "rank_a"})
    right = b.sites[cols].rename(columns={"name": "name_b", "score": "score_b", "rank": "rank_b"})
    table = left.merge(right, on="id", how="outer", indicator=True, sort=True)
    table["status"] = table["_merge"].map({"both": "both", "left_only": "removed"}).fillna("added")
    table["name"] = table["name_a"].where(table["name_a"].notna(), table["name_b"])
    table["score_delta"] = table["score_b"] - table["score_a"]
    table["rank_a"] = table["rank_a"].astype("Int64")
    table["rank_b"] = table["rank_b"].astype("Int64")
    table["rank_change"] = table["rank_a"] - table["rank_b"]
    # Centroid shift of the sites in both, measured in A's metric CRS.
    ga = a.sites_m.set_index("id").geometry
    gb = b.sites.set_index("id").geometry.to_crs(a.crs)
    moved = []
    for sid, status in zip(table["id"], table["status"], strict=True):
        if status != "both":
            moved.append(np.nan)
            continue
        moved.append(float(shapely.distance(shapely.centroid(ga[sid]), shapely.centroid(gb[sid]))))
    table["moved_m"] = moved
    return pd.DataFrame(table)[
        [
            "id",
            "name",
            "status",
            "score_a",
            "score_b",
            "score_delta",
            "rank_a",
            "rank_b",
            "rank_change",
            "moved_m",
        ]
    ]


def _pair_table(a: Result, b: Result) -> pd.DataFrame:
    cols = ["a", "b", "distance_m", "score"]
    left = pd.DataFrame(a.pairs[cols]).rename(
        columns={"distance_m": "distance_a", "score": "score_a"}
    )
    right = pd.DataFrame(b.pairs[cols]).rename(
        columns={"distance_m": "distance_b", "score": "score_b"}
    )
    table = left.merge(right, on=["a", "b"], how="outer", indicator=True, sort=True)
    table["status"] = table["_merge"].map({"both": "both", "left_only": "removed"}).fillna("added")
    table["distance_delta"] = table["distance_b"] - table["distance_a"]
    table["score_delta"] = table["score_b"] - table["score_a"]
    return table[
        [
            "a",
            "b",
            "status",
            "distance_a",
            "distance_b",
            "distance_delta",
            "score_a",
            "score_b",
            "score_delta",
        ]
    ].reset_index(drop=True)


def match_picks(ca: CandidateResult, cb: CandidateResult, match_m: float, crs: Any) -> pd.DataFrame:
    """Match A's picks to B's (closest pairs first, within ``match_m``) and list the changes.

    Positions are compared in ``crs`` (A's metric CRS), from the picks' WGS84 centres.
    """
    pa, pb = ca.picks, cb.picks
    to_metric = from_wgs84(crs)
    ax, ay = (np.asarray(v, dtype=float) for v in to_metric.transform(pa["lon"], pa["lat"]))
    bx, by = (np.asarray(v, dtype=float) for v in to_metric.transform(pb["lon"], pb["lat"]))
    d = np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :])
    # Same cell in both (same candidate id and centre) is distance 0 exactly.
    same_id = pa["id"].to_numpy()[:, None] == pb["id"].to_numpy()[None, :]
    same_kind = ca.parameters["candidates"] == cb.parameters["candidates"]
    if same_kind and ca.grid == cb.grid:
        d = np.where(same_id, 0.0, d)
    order = np.argsort(d, axis=None, kind="stable")
    used_a: set[int] = set()
    used_b: set[int] = set()
    rows: list[dict[str, Any]] = []
    for flat in order.tolist():
        i, j = divmod(flat, d.shape[1])
        if d[i, j] > match_m:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        rows.append(
            _pick_row(
                "same" if d[i, j] == 0 else "moved", pa=pa, i=i, pb=pb, j=j, distance=float(d[i, j])
            )
        )
    rows += [
        _pick_row("removed", pa=pa, i=i, pb=pb, j=None, distance=None)
        for i in range(len(pa))
        if i not in used_a
    ]
    rows += [
        _pick_row("added", pa=pa, i=None, pb=pb, j=j, distance=None)
        for j in range(len(pb))
        if j not in used_b
    ]
    columns = [
        "status",
        "rank_a",
        "rank_b",
        "id_a",
        "id_b",
        "lon_a",
        "lat_a",
        "lon_b",
        "lat_b",
        "score_a",
        "score_b",
        "distance_m",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["rank_a"] = frame["rank_a"].astype("Int64")
    frame["rank_b"] = frame["rank_b"].astype("Int64")
    key_a = frame["rank_a"].fillna(len(pa) + 1).astype(int)
    key_b = frame["rank_b"].fillna(len(pb) + 1).astype(int)
    frame = frame.assign(_ka=key_a, _kb=key_b).sort_values(["_ka", "_kb"], kind="stable")
    return frame.drop(columns=["_ka", "_kb"]).reset_index(drop=True)


def _pick_row(
    status: str,
    *,
    pa: pd.DataFrame,
    i: int | None,
    pb: pd.DataFrame,
    j: int | None,
    distance: float | None,
) -> dict[str, Any]:
    row: dict[str, Any] = {"status": status, "distance_m": distance}
    for side, frame, k in (("a", pa, i), ("b", pb, j)):
        for column in ("rank", "id", "lon", "lat", "score"):
            row[f"{column}_{side}"] = None if k is None else frame[column].iloc[k]
    return row


def compare_studies(
    a: Result,
    b: Result,
    *,
    candidates: bool = True,
    cell_m: float = 50.0,
    top: int = 10,
    min_separation_m: float = 200.0,
    constraints: Sequence[Constraint] | None = None,
    match_m: float | None = None,
) -> Comparison:
    """Compare two analyses: site, pair and cluster score deltas and pick changes.

    Parameters
    ----------
    a, b
        The reference analysis and the scenario (:func:`siteplan.analyze`).
    candidates
        Also score candidates in both (when both have a boundary) and compare
        the top picks.
    cell_m, top, min_separation_m, constraints
        Passed to :func:`siteplan.candidates.api.score_candidates` for both.
    match_m
        How far a pick may move and still count as the same pick (default:
        ``min_separation_m``).

    Returns
    -------
    Comparison
        The deltas (B - A).

    Examples
    --------
    >>> from siteplan import analyze
    >>> cmp = compare_studies(analyze(), analyze(decay="linear"), candidates=False)
    >>> cmp.sites["status"].unique().tolist()
    ['both']
    """
    if match_m is None:
        match = check_distance("min_separation_m", min_separation_m, allow_zero=True)
    else:
        match = check_distance("match_m", match_m, allow_zero=True)
    notes: list[str] = []
    pa, pb = a.parameters.as_dict(), b.parameters.as_dict()
    if pa != pb:
        changed = sorted(k for k in set(pa) | set(pb) if pa.get(k) != pb.get(k))
        notes.append(
            f"the studies are scored with different parameters ({', '.join(changed)}): "
            "deltas mix the change of layers and of scoring"
        )
    if a.crs_name != b.crs_name:
        notes.append(
            f"A is measured in {a.crs_name}, B in {b.crs_name}; site moves and pick moves are "
            f"measured in {a.crs_name}"
        )
    ca = cb = None
    picks = None
    if candidates:
        missing = [n for n, r in (("A", a), ("B", b)) if r.data.boundary is None]
        if missing:
            notes.append(
                f"{' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} no boundary "
                "layer: top candidate picks are not compared"
            )
        else:
            options: dict[str, Any] = {
                "cell_m": cell_m,
                "top": top,
                "min_separation_m": min_separation_m,
                "constraints": constraints,
            }
            ca = score_candidates(a, **options)
            cb = score_candidates(b, **options)
            picks = match_picks(ca, cb, match, a.crs)
    cluster = {
        "score_a": float(a.cluster_score),
        "score_b": float(b.cluster_score),
        "delta": float(b.cluster_score - a.cluster_score),
    }
    parameters: dict[str, Any] = {
        "a": {"study": a.name, "path": _path(a), "crs": a.crs_name, **pa},
        "b": {"study": b.name, "path": _path(b), "crs": b.crs_name, **pb},
        "candidates": picks is not None,
    }
    if picks is not None:
        parameters.update(
            cell_m=float(cell_m), top=int(top), min_separation_m=float(min_separation_m)
        )
        parameters["match_m"] = match
    return Comparison(
        a=a,
        b=b,
        sites=_site_table(a, b),
        pairs=_pair_table(a, b),
        cluster=cluster,
        picks=picks,
        candidates_a=ca,
        candidates_b=cb,
        parameters=parameters,
        notes=tuple(notes),
    )


def _path(result: Result) -> str | None:
    return None if result.study.path is None else str(result.study.path)
