"""Test how much the site ranking and the top picks depend on the scoring choices.

:func:`analyze_sensitivity` re-scores a study under a sweep of scenarios: the rings
scaled by 0.5, 0.75, 1, 1.25 and 1.5 (so ±50 %), crossed with the five decay
kinds, whose parameters are derived from the scaled rings ``r`` (``median`` is
the median ring radius, the mean of the two middle ones for an even count):

===========  ================================================
decay        parameters
===========  ================================================
rings        ``rings_m = r``
linear       ``max_m = r[-1]`` (the last ring)
exponential  ``half_m = median(r)``
gaussian     ``sigma_m = median(r)``
logistic     ``inflection_m = median(r)``, ``steepness_m = median(r) / 4``
===========  ================================================

For every scenario it reports:

- Kendall's tau-b between the scenario's site ranking and the base ranking
  (the study's own parameters). Rankings are the reported ranks (score, ties
  by id), so they never tie and tau is 1 exactly when the order is the same;
  with fewer than two sites nothing can change and tau is 1;
- each site's rank range over all scenarios (min..max, base included);
- when candidates are scored, how many of the base top picks survive: a base
  pick survives a scenario when one of the scenario's picks lies within
  ``tolerance_m`` of it (default: the minimum separation), and each pick's
  stability is the share of scenarios it survives.

Distances are measured once; each scenario only re-applies a decay. The texts
(markdown, json, csv) are rendered by :mod:`siteplan.render.sensitivity`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan.analysis import Result, analyze
from siteplan.candidates.api import score_candidates
from siteplan.candidates.engines import score_surface
from siteplan.candidates.picks import select_picks
from siteplan.candidates.result import CandidateResult
from siteplan.errors import ParameterError
from siteplan.measure._kernel import distance_matrix
from siteplan.score.decay import DecayFunction, make_decay
from siteplan.score.points import weighted_mean
from siteplan.score.rank import rank_by_score

if TYPE_CHECKING:
    import geopandas as gpd

    from siteplan.load.study import Study, StudyData
    from siteplan.score.constraints import Constraint

__all__ = [
    "KINDS",
    "SCALES",
    "SensitivityResult",
    "analyze_sensitivity",
    "kendall_tau_b",
    "scenario_decays",
    "site_scores",
]

#: Ring scale factors swept (±50 %).
SCALES: Final = (0.5, 0.75, 1.0, 1.25, 1.5)
#: Decay kinds swept.
KINDS: Final = ("rings", "linear", "exponential", "gaussian", "logistic")
#: How each kind's parameters follow the scaled rings (shown in the outputs).
PARAMETER_RULE: Final = (
    "parameters follow the scaled rings r: rings rings_m = r; linear max_m = last ring; "
    "exponential half_m = median ring; gaussian sigma_m = median ring; logistic "
    "inflection_m = median ring, steepness_m = median ring / 4"
)
_MATRIX_LIMIT: Final = 8_000_000


@dataclass(frozen=True)
class SensitivityResult:
    """The outcome of a sensitivity sweep.

    Attributes
    ----------
    result
        The base analysis.
    scenarios
        One row per scenario: ``scenario`` (label), ``scale``, ``decay``,
        ``parameters`` (JSON text), ``tau`` (Kendall's tau-b against the base
        site ranking), ``top_site``, ``picks_kept`` (share of base picks that
        survive; NaN without candidates), then ``rank_<site>`` for every site.
    sites
        One row per site (base rank order): ``id``, ``name``, ``base_rank``,
        ``min_rank``, ``max_rank``, ``base_score``, ``min_score``, ``max_score``.
    pick_stability
        Per base pick (rank order), the share of scenarios it survives; None
        without candidates.
    parameters
        The sweep's settings (JSON-ready).
    notes
        Remarks on the sweep (e.g. why picks were not compared).
    """

    result: Result
    scenarios: pd.DataFrame
    sites: pd.DataFrame
    pick_stability: npt.NDArray[np.float64] | None
    parameters: dict[str, Any]
    notes: tuple[str, ...]

    @property
    def tau_min(self) -> float:
        """The smallest tau over the scenarios."""
        return float(self.scenarios["tau"].min())

    @property
    def tau_mean(self) -> float:
        """The mean tau over the scenarios."""
        return float(self.scenarios["tau"].mean())


def scenario_decays(
    rings_m: Sequence[float],
    scales: Sequence[float] = SCALES,
    kinds: Sequence[str] = KINDS,
) -> list[tuple[float, DecayFunction]]:
    """Return the sweep's ``(scale, decay)`` scenarios, scale by scale, kind by kind.

    Examples
    --------
    >>> [(s, d.kind, d.params) for s, d in scenario_decays([500, 1000, 2000], [1.0], ["linear"])]
    [(1.0, 'linear', {'max_m': 2000.0})]
    >>> scenario_decays([500, 1000, 2000, 5000], [0.5], ["logistic"])[0][1].params
    {'inflection_m': 750.0, 'steepness_m': 187.5}
    """
    out = []
    for scale in scales:
        if not isinstance(scale, int | float) or not math.isfinite(scale) or scale <= 0:
            raise ParameterError(f"scale {scale!r} is not a finite number > 0")
        rings = [float(r) * float(scale) for r in rings_m]
        median = float(np.median(rings))
        params: dict[str, dict[str, Any]] = {
            "rings": {"rings_m": rings},
            "linear": {"max_m": rings[-1]},
            "exponential": {"half_m": median},
            "gaussian": {"sigma_m": median},
            "logistic": {"inflection_m": median, "steepness_m": median / 4.0},
        }
        for kind in kinds:
            if kind not in params:
                raise ParameterError(f"decay {kind!r} is not one of {', '.join(params)}")
            out.append((float(scale), make_decay(kind, **params[kind])))
    return out


def kendall_tau_b(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Return Kendall's tau-b rank correlation of two equally long vectors.

    tau-b = (concordant - discordant) / sqrt((n0 - ties_a) * (n0 - ties_b)),
    n0 = n(n-1)/2. When neither vector has an untied pair (fewer than two
    items, or everything tied in both), nothing can disagree and tau is 1;
    when only one of them is all tied, tau is NaN.

    Examples
    --------
    >>> kendall_tau_b([1, 2, 3, 4], [1, 2, 3, 4])
    1.0
    >>> kendall_tau_b([1, 2, 3, 4], [4, 3, 2, 1])
    -1.0
    >>> round(kendall_tau_b([1, 2, 3, 4], [1, 3, 2, 4]), 4)
    0.6667
    >>> kendall_tau_b([5.0, 5.0], [1.0, 1.0])
    1.0
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ParameterError("kendall_tau_b needs two 1-D vectors of the same length")
    n = len(x)
    s = 0.0
    tied_x = 0.0
    tied_y = 0.0
    block = max(1, 4_000_000 // max(n, 1))
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        sx = np.sign(x[i0:i1, None] - x[None, :])
        sy = np.sign(y[i0:i1, None] - y[None, :])
        upper = np.arange(i0, i1)[:, None] < np.arange(n)[None, :]
        s += float((sx * sy)[upper].sum())
        tied_x += float(((sx == 0) & upper).sum())
        tied_y += float(((sy == 0) & upper).sum())
    n0 = n * (n - 1) / 2.0
    if n0 - tied_x == 0 and n0 - tied_y == 0:
        return 1.0
    denominator = math.sqrt((n0 - tied_x) * (n0 - tied_y))
    return s / denominator if denominator > 0 else math.nan


def _pair_matrix(result: Result, ids: Sequence[str]) -> npt.NDArray[np.float64]:
    """Return the ``(M, M)`` matrix of pair distances (the chosen measure), NaN on the diagonal."""
    position = {sid: k for k, sid in enumerate(ids)}
    matrix = np.full((len(ids), len(ids)), np.nan)
    a = result.pairs["a"].map(position).to_numpy(dtype=np.intp)
    b = result.pairs["b"].map(position).to_numpy(dtype=np.intp)
    d = result.pairs["distance_m"].to_numpy(dtype=float)
    matrix[a, b] = d
    matrix[b, a] = d
    return matrix


def site_scores(
    distances: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], decay: DecayFunction
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return site scores and ranks from a pair-distance matrix (sites in id order).

    A site's score is the weighted mean of its pair scores (weights: the other
    sites'; 0 when they all weigh 0; :func:`siteplan.score.points.weighted_mean`),
    as in :mod:`siteplan.score.scoring`. Ranks follow
    :func:`siteplan.score.rank.rank_by_score` (ties: scores within 1e-9, by id;
    the sites are in id order, so by position).
    """
    m = len(weights)
    pair = decay(np.nan_to_num(distances, nan=0.0))
    w = np.broadcast_to(weights[None, :], (m, m)) * ~np.eye(m, dtype=bool)
    scores = weighted_mean(pair, w)
    return scores, rank_by_score(scores)


def _survivors(
    base_x: npt.NDArray[np.float64],
    base_y: npt.NDArray[np.float64],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    tolerance: float,
) -> npt.NDArray[np.bool_]:
    """Return which base picks have a scenario pick within ``tolerance``."""
    if len(base_x) == 0:
        return np.zeros(0, dtype=bool)
    if len(x) == 0:
        return np.zeros(len(base_x), dtype=bool)
    d2 = (base_x[:, None] - x[None, :]) ** 2 + (base_y[:, None] - y[None, :]) ** 2
    return np.asarray((d2 <= tolerance * tolerance).any(axis=1))


def _scenario_picks(
    cres: CandidateResult,
) -> tuple[Any, npt.NDArray[np.intp]]:
    """Return a function scoring the eligible candidates under a decay, and their positions."""
    eligible = np.flatnonzero(cres.eligible)
    x = cres.x[eligible]
    y = cres.y[eligible]
    weights = cres.site_weights
    targets: Any = cres.targets
    if cres.network is not None:
        # lazy: the road network needs scipy, which straight-line studies never load
        from siteplan.candidates._network import network_sites

        # along the roads, with no cut: the scenarios' rings reach beyond the base decay's
        targets = network_sites(cres.result)
    if len(eligible) * len(weights) <= _MATRIX_LIMIT:
        if cres.network is None:
            matrix = distance_matrix(targets, x, y)
        else:
            # lazy: as above
            from siteplan.measure.network.places import point_costs

            matrix, _ = point_costs(targets, x, y)

        def score(decay: DecayFunction) -> npt.NDArray[np.float64]:
            return weighted_mean(decay(matrix), weights)

    else:

        def score(decay: DecayFunction) -> npt.NDArray[np.float64]:
            return score_surface(x, y, targets, weights, decay, keep_breakdown=False).score

    return score, eligible


def analyze_sensitivity(
    study: Result | Study | StudyData | str | Path | None = None,
    *,
    candidates: CandidateResult | bool | None = None,
    scales: Sequence[float] = SCALES,
    kinds: Sequence[str] = KINDS,
    cell_m: float = 50.0,
    parcels: str | Path | gpd.GeoDataFrame | None = None,
    top: int = 10,
    min_separation_m: float = 200.0,
    constraints: Sequence[Constraint] | None = None,
    tolerance_m: float | None = None,
) -> SensitivityResult:
    """Sweep rings and decay kinds; report how stable the ranking and the picks are.

    Parameters
    ----------
    study
        A :class:`~siteplan.analysis.Result` (its parameters are the base), or
        anything :func:`siteplan.analyze` takes.
    candidates
        Scored candidates to test the picks of; True scores them (grid or
        ``parcels``) with ``cell_m``, ``top``, ``min_separation_m`` and
        ``constraints``; False skips the picks; None scores them when the study
        has a boundary or ``parcels`` are given.
    scales, kinds
        The sweep (default: :data:`SCALES` x :data:`KINDS`, 25 scenarios).
    cell_m, parcels, top, min_separation_m, constraints
        Passed to :func:`siteplan.candidates.api.score_candidates`.
    tolerance_m
        How close a scenario pick must be to a base pick for it to survive
        (default: the picks' minimum separation).

    Returns
    -------
    SensitivityResult
        Per-scenario tau and picks kept, per-site rank ranges, per-pick stability.

    Examples
    --------
    >>> from siteplan import analyze
    >>> sres = analyze_sensitivity(analyze(), candidates=False)
    >>> len(sres.scenarios), bool(sres.scenarios["tau"].between(-1, 1).all())
    (25, True)
    """
    result = study if isinstance(study, Result) else analyze(study)
    notes: list[str] = []
    cres: CandidateResult | None = None
    if isinstance(candidates, CandidateResult):
        cres = candidates
    elif candidates is None or candidates is True:
        if result.data.boundary is not None or parcels is not None:
            cres = score_candidates(
                result,
                cell_m=cell_m,
                parcels=parcels,
                top=top,
                min_separation_m=min_separation_m,
                constraints=constraints,
            )
        elif candidates is True:
            cres = score_candidates(result, cell_m=cell_m, top=top)  # raises: no boundary
        else:
            notes.append(
                "the study has no boundary layer and no parcels were given: top picks are "
                "not tested"
            )
    scenarios = scenario_decays(result.parameters.rings_m, scales, kinds)
    ids = sorted(str(v) for v in result.sites["id"])
    base = result.sites.set_index("id").loc[ids]
    weights = base["weight"].to_numpy(dtype=float)
    distances = _pair_matrix(result, ids)
    base_score, base_rank = site_scores(distances, weights, result.parameters.decay)
    rank_rows: list[npt.NDArray[np.int64]] = []
    score_rows: list[npt.NDArray[np.float64]] = []
    rows: list[dict[str, Any]] = []

    score_fn = None
    tolerance = 0.0
    kept_counts: npt.NDArray[np.float64] | None = None
    if cres is not None:
        score_fn, eligible = _scenario_picks(cres)
        tolerance = float(
            cres.parameters["min_separation_m"] if tolerance_m is None else tolerance_m
        )
        if not math.isfinite(tolerance) or tolerance < 0:
            raise ParameterError(f"tolerance_m {tolerance_m!r} is not a finite number >= 0")
        base_px = cres.x[cres.pick_index]
        base_py = cres.y[cres.pick_index]
        kept_counts = np.zeros(len(cres.pick_index))
        ex, ey = cres.x[eligible], cres.y[eligible]
        every = np.ones(len(eligible), dtype=bool)

    for scale, decay in scenarios:
        scores, ranks = site_scores(distances, weights, decay)
        rank_rows.append(ranks)
        score_rows.append(scores)
        kept = math.nan
        if cres is not None and score_fn is not None and kept_counts is not None:
            picks = select_picks(
                ex,
                ey,
                score_fn(decay),
                every,
                top=int(cres.parameters["top"]),
                min_separation_m=float(cres.parameters["min_separation_m"]),
            )
            survived = _survivors(base_px, base_py, ex[picks], ey[picks], tolerance)
            kept_counts += survived
            kept = float(survived.mean()) if len(survived) else math.nan
        params = dict(decay.params)
        rows.append(
            {
                "scenario": f"{decay.kind} x{scale:g}",
                "scale": scale,
                "decay": decay.kind,
                "parameters": json.dumps(params),
                "tau": kendall_tau_b(base_rank, ranks),
                "top_site": ids[int(np.argmin(ranks))],
                "picks_kept": kept,
            }
        )
    scen = pd.DataFrame(rows)
    rank_matrix = np.vstack([base_rank, *rank_rows]) if ids else np.zeros((1, 0))
    score_matrix = np.vstack([base_score, *score_rows])
    for j, sid in enumerate(ids):
        scen[f"rank_{sid}"] = [int(r[j]) for r in rank_rows]
    sites = pd.DataFrame(
        {
            "id": ids,
            "name": base["name"].astype(str).to_numpy(),
            "base_rank": base_rank.astype(int),
            "min_rank": rank_matrix.min(axis=0).astype(int),
            "max_rank": rank_matrix.max(axis=0).astype(int),
            "base_score": score_matrix[0],
            "min_score": score_matrix.min(axis=0),
            "max_score": score_matrix.max(axis=0),
        }
    )
    sites = sites.sort_values(["base_rank", "id"], ignore_index=True)
    parameters: dict[str, Any] = {
        "scales": [float(s) for s in scales],
        "decays": list(kinds),
        "base": result.parameters.as_dict(),
        "rule": PARAMETER_RULE,
        "tau": "Kendall's tau-b of each scenario's site ranks (score, ties by id) against the base",
    }
    if cres is not None:
        parameters.update(
            top=int(cres.parameters["top"]),
            min_separation_m=float(cres.parameters["min_separation_m"]),
            tolerance_m=tolerance,
            candidates=cres.parameters["candidates"],
            cell_m=cres.parameters["cell_m"],
            picks_rule=(
                "a base pick survives a scenario when one of the scenario's picks "
                f"(same constraints) lies within {tolerance:g} m of it"
            ),
        )
    stability = None
    if kept_counts is not None:
        stability = kept_counts / len(scenarios) if scenarios else kept_counts
    return SensitivityResult(
        result=result,
        scenarios=scen,
        sites=sites,
        pick_stability=stability,
        parameters=parameters,
        notes=tuple(notes),
    )
