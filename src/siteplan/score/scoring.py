"""Score pairs, sites and the cluster from measured distances.

- pair score: the decay function applied to the pair's distance (edge-to-edge
  by default, centroid on request), in [0, 100];
- site score: the weighted mean of the site's pair scores, each pair weighted
  by the *other* site's weight (a feature's ``weight``, else its layer's, else 1);
- rank: position when sites are ordered by score (descending; scores within
  1e-9 tie), then id; 1 is best (:func:`siteplan.score.rank.rank_by_score`);
- cluster score: the mean of all pair scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from siteplan.errors import ParameterError
from siteplan.measure.pairs import DISTANCE_TOLERANCE_M
from siteplan.score.decay import DECAY_PARAMETERS, DecayFunction, make_decay
from siteplan.score.rank import rank_by_score

__all__ = [
    "MEASURES",
    "ScoringParameters",
    "breakdown_table",
    "cluster_score",
    "resolve_parameters",
    "score_sites",
]

MEASURES: Final = ("edge", "centroid")
MEASURE_COLUMNS: Final = {"edge": "edge_m", "centroid": "centroid_m"}
DEFAULT_RINGS_M: Final = (500.0, 1000.0, 2000.0, 5000.0)


@dataclass(frozen=True)
class ScoringParameters:
    """The resolved scoring parameters of one analysis.

    ``rings_m`` are the buffer rings (and the ``rings`` decay's steps);
    ``decay`` is the validated decay function with its parameters.
    """

    measure: str
    rings_m: tuple[float, ...]
    decay: DecayFunction

    @property
    def distance_column(self) -> str:
        """The pair-table column scores follow: ``edge_m`` or ``centroid_m``."""
        return MEASURE_COLUMNS[self.measure]

    def as_dict(self) -> dict[str, Any]:
        """Return the parameters as JSON-ready values (the report's ``parameters``)."""
        out: dict[str, Any] = {
            "measure": self.measure,
            "rings_m": list(self.rings_m),
            "decay": self.decay.kind,
        }
        out.update({k: v for k, v in self.decay.params.items() if k != "rings_m"})
        return out


def resolve_parameters(
    study_scoring: Mapping[str, Any], overrides: Mapping[str, Any]
) -> ScoringParameters:
    """Merge scoring parameters: overrides (CLI, API) over the study file over defaults.

    Parameters
    ----------
    study_scoring
        The study file's ``[scoring]`` table.
    overrides
        Values given on the command line or to :func:`siteplan.analyze`; None
        means "not given". Overriding the decay with another kind drops the
        study file's parameters of its decay (the ring radii stay).

    Raises
    ------
    ParameterError
        For an unknown measure or decay, bad rings, or a parameter the decay
        does not take.
    """
    merged = dict(study_scoring)
    given = {k: v for k, v in overrides.items() if v is not None}
    if "decay" in given and given["decay"] != merged.get("decay", "rings"):
        # The study file's decay parameters belong to the decay being replaced.
        for name in {n for names in DECAY_PARAMETERS.values() for n in names} - {"rings_m"}:
            merged.pop(name, None)
    merged.update(given)
    measure = merged.pop("measure", "edge")
    if measure not in MEASURES:
        raise ParameterError(
            f"measure {measure!r} is not one of {', '.join(MEASURES)}; "
            "edge measures footprint to footprint, centroid centre to centre"
        )
    rings_m = merged.pop("rings_m", DEFAULT_RINGS_M)
    kind = merged.pop("decay", "rings")
    if not isinstance(kind, str) or kind not in DECAY_PARAMETERS:
        raise ParameterError(f"decay {kind!r} is not one of {', '.join(DECAY_PARAMETERS)}")
    # The rings decay scores with the buffer rings; validate them through it either way.
    rings = make_decay("rings", rings_m=rings_m)
    ring_radii = tuple(float(r) for r in rings.params["rings_m"])  # type: ignore[union-attr]
    params = {k: v for k, v in merged.items() if v is not None}
    foreign = sorted(k for k in params if k not in DECAY_PARAMETERS[kind])
    if foreign:
        allowed = ", ".join(DECAY_PARAMETERS[kind])
        raise ParameterError(
            f"{', '.join(foreign)} is not a parameter of the {kind} decay, which takes {allowed}"
        )
    decay = rings if kind == "rings" else make_decay(kind, **params)
    return ScoringParameters(measure=str(measure), rings_m=ring_radii, decay=decay)


def breakdown_table(pairs: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Return each site's contributions: one row per (site, other site).

    Columns: ``site_id``, ``other_id``, ``distance_m``, ``pair_score``,
    ``weight`` (the other site's), ``contribution`` (its share of the site
    score: weight * pair score / sum of weights).
    """
    both = pd.concat(
        [
            pd.DataFrame(
                {
                    "site_id": pairs["a"],
                    "other_id": pairs["b"],
                    "distance_m": pairs["distance_m"],
                    "pair_score": pairs["score"],
                }
            ),
            pd.DataFrame(
                {
                    "site_id": pairs["b"],
                    "other_id": pairs["a"],
                    "distance_m": pairs["distance_m"],
                    "pair_score": pairs["score"],
                }
            ),
        ],
        ignore_index=True,
    )
    both["weight"] = both["other_id"].map(weights).astype(float)
    total = both.groupby("site_id")["weight"].transform("sum")
    share = np.where(total > 0, both["weight"] / total.where(total > 0, 1.0), 0.0)
    both["contribution"] = share * both["pair_score"]
    return both.sort_values(["site_id", "other_id"], ignore_index=True)


def score_sites(ids: pd.Series, breakdown: pd.DataFrame) -> pd.DataFrame:
    """Return per-site ``score``, ``rank``, ``nearest_id`` and ``nearest_m``.

    A site with no neighbours, or whose neighbours all weigh 0, scores 0.
    Ties for nearest (distances within
    :data:`~siteplan.measure.pairs.DISTANCE_TOLERANCE_M` of the smallest) go
    to the smaller id; ties in score (within 1e-9) are ranked by id
    (:func:`siteplan.score.rank.rank_by_score`).
    """
    scores = breakdown.groupby("site_id")["contribution"].sum()
    out = pd.DataFrame({"id": ids.to_numpy()})
    out["score"] = out["id"].map(scores).fillna(0.0).astype(float)
    nearest = _nearest_others(breakdown)
    out["nearest_id"] = out["id"].map(nearest["other_id"])
    out["nearest_m"] = out["id"].map(nearest["distance_m"]).astype(float)
    out["rank"] = rank_by_score(
        out["score"].to_numpy(dtype=float), [str(v) for v in out["id"]]
    ).astype(int)
    return out


def _nearest_others(breakdown: pd.DataFrame) -> pd.DataFrame:
    """Return each site's nearest other site (``other_id``, ``distance_m``), by the tie rule."""
    smallest = breakdown.groupby("site_id")["distance_m"].transform("min")
    tied = breakdown[breakdown["distance_m"] <= smallest + DISTANCE_TOLERANCE_M]
    nearest = tied.sort_values(["site_id", "other_id"]).drop_duplicates("site_id")
    out = nearest.set_index("site_id")[["other_id"]]
    out["distance_m"] = smallest.groupby(breakdown["site_id"]).first()
    return out


def cluster_score(pairs: pd.DataFrame) -> float:
    """Return the mean pair score (0 when there are no pairs)."""
    return float(pairs["score"].mean()) if len(pairs) else 0.0
