"""Score pairs, sites and the cluster from measured distances.

- pair score: the decay function applied to the pair's distance (edge-to-edge
  by default, centroid on request), in [0, 100];
- site score: the weighted mean of the site's pair scores, each pair weighted
  by the *other* site's weight (a feature's ``weight``, else its layer's, else 1);
- rank: position when sites are ordered by score (descending; scores within
  1e-9 tie), then id; 1 is best (:func:`siteplan.score.rank.rank_by_score`);
- cluster score: the mean of all pair scores.

Measures: ``edge`` and ``centroid`` (straight lines, metres), ``network``
(along the road network, metres) and ``time`` (along the network, minutes:
rings and decay parameters are then minutes too, see :mod:`siteplan.score.units`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import pandas as pd

from siteplan.errors import ParameterError
from siteplan.load.layers import MAX_DISTANCE_M
from siteplan.measure.pairs import DISTANCE_TOLERANCE_M, check_radii
from siteplan.score.decay import DECAY_PARAMETERS, DecayFunction, make_decay
from siteplan.score.rank import rank_by_score
from siteplan.score.units import MEASURE_KEYS, TIME_DEFAULTS, internal_names, unit_name, unit_of

__all__ = [
    "MEASURES",
    "ScoringParameters",
    "breakdown_table",
    "check_time_reach",
    "cluster_score",
    "network_parameters",
    "resolve_parameters",
    "score_sites",
]

MEASURES: Final = ("edge", "centroid", "network", "time")
MEASURE_COLUMNS: Final = {
    "edge": "edge_m",
    "centroid": "centroid_m",
    "network": "network_m",
    "time": "time_min",
}
DEFAULT_RINGS_M: Final = (500.0, 1000.0, 2000.0, 5000.0)


@dataclass(frozen=True)
class ScoringParameters:
    """The resolved scoring parameters of one analysis.

    ``rings_m`` are the buffer rings (and the ``rings`` decay's steps);
    ``decay`` is the validated decay function with its parameters. Both are
    in ``unit``: ``m``, or ``min`` for the time measure (the names keep their
    ``_m`` spelling inside; :meth:`as_dict` names them by unit). ``network``
    holds the network settings (mode, speeds) of a network measure.
    """

    measure: str
    rings_m: tuple[float, ...]
    decay: DecayFunction
    unit: str = "m"
    network: Mapping[str, Any] | None = None

    @property
    def distance_column(self) -> str:
        """The pair-table column scores follow: ``edge_m`` or ``centroid_m``."""
        return MEASURE_COLUMNS[self.measure]

    def as_dict(self) -> dict[str, Any]:
        """Return the parameters as JSON-ready values (the report's ``parameters``)."""
        out: dict[str, Any] = {
            "measure": self.measure,
            "unit": self.unit,
            unit_name("rings_m", self.unit): list(self.rings_m),
            "decay": self.decay.kind,
        }
        out.update(
            {unit_name(k, self.unit): v for k, v in self.decay.params.items() if k != "rings_m"}
        )
        if self.network is not None:
            out.update(self.network)
        return out


def _restated(exc: ParameterError, unit: str) -> ParameterError:
    """Return a decay's error in the measure's unit, still naming its argument."""
    if unit != "min":
        return exc
    argument = None if exc.argument is None else unit_name(exc.argument, "min")
    return ParameterError(_in_minutes(exc.message), argument=argument)


def _in_minutes(message: str) -> str:
    """Return a parameter error's message with the measure's names in minutes."""
    for name in sorted(MEASURE_KEYS, key=len, reverse=True):
        message = re.sub(rf"\b{name}\b", unit_name(name, "min"), message)
    return message.replace("metres", "minutes")


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
        study file's parameters of its decay (the ring radii stay). ``rings_m``
        here is in the measure's unit (minutes with time), as ``--rings`` is.

    Raises
    ------
    ParameterError
        For an unknown measure or decay, bad rings, or a parameter the decay
        does not take.
    """
    measure = overrides.get("measure") or study_scoring.get("measure", "edge")
    if measure not in MEASURES:
        raise ParameterError(
            f"measure {measure!r} is not one of {', '.join(MEASURES)}; "
            "edge measures footprint to footprint, centroid centre to centre, network "
            "along the roads in metres, time along the roads in minutes"
        )
    unit = unit_of(str(measure))
    study_unit = unit_of(str(study_scoring.get("measure", "edge")))
    merged = dict(study_scoring)
    if study_unit != unit:
        # The study's rings and decay parameters are in the other unit.
        merged = {
            k: v for k, v in merged.items() if k not in MEASURE_KEYS and not k.endswith("_min")
        }
    merged = internal_names(merged, unit)
    given = {k: v for k, v in overrides.items() if v is not None}
    if unit == "min" and "rings_m" in given and "rings_min" not in given:
        # The rings given to analyze() and --rings are in the measure's unit.
        given["rings_min"] = given.pop("rings_m")
    given = internal_names(given, unit)
    if "decay" in given and given["decay"] != merged.get("decay", "rings"):
        # The study file's decay parameters belong to the decay being replaced.
        for name in {n for names in DECAY_PARAMETERS.values() for n in names} - {"rings_m"}:
            merged.pop(name, None)
    merged.update(given)
    merged.pop("measure", None)
    defaults: Mapping[str, Any] = TIME_DEFAULTS if unit == "min" else {}
    rings_m = merged.pop("rings_m", defaults.get("rings_m", DEFAULT_RINGS_M))
    kind = merged.pop("decay", "rings")
    if not isinstance(kind, str) or kind not in DECAY_PARAMETERS:
        raise ParameterError(f"decay {kind!r} is not one of {', '.join(DECAY_PARAMETERS)}")
    # The rings decay scores with the buffer rings; validate them through it either way.
    try:
        rings = make_decay("rings", rings_m=rings_m)
    except ParameterError as exc:
        raise _restated(exc, unit) from None
    ring_radii = tuple(float(r) for r in rings.params["rings_m"])  # type: ignore[union-attr]
    params = {k: v for k, v in merged.items() if v is not None}
    foreign = sorted(k for k in params if k not in DECAY_PARAMETERS[kind])
    if foreign:
        allowed = ", ".join(DECAY_PARAMETERS[kind])
        message = (
            f"{', '.join(foreign)} is not a parameter of the {kind} decay, which takes {allowed}"
        )
        raise ParameterError(_in_minutes(message) if unit == "min" else message)
    for name in DECAY_PARAMETERS[kind]:
        if name in defaults and name != "rings_m":
            params.setdefault(name, defaults[name])
    if unit == "m":  # metres along the roads keep to what one projection measures too
        check_radii(ring_radii)
    try:
        decay = rings if kind == "rings" else make_decay(kind, in_metres=unit == "m", **params)
    except ParameterError as exc:
        raise _restated(exc, unit) from None
    return ScoringParameters(measure=str(measure), rings_m=ring_radii, decay=decay, unit=unit)


def network_parameters(
    params: ScoringParameters, settings: Mapping[str, Any], fastest_kmh: float
) -> ScoringParameters:
    """Return ``params`` with the network's mode and speeds, minutes checked against them.

    ``settings`` are the network's parameters (``NetworkParams.as_dict``);
    ``fastest_kmh`` the fastest speed anything travels at on it (roads or
    walked connectors), see :func:`check_time_reach`.
    """
    check_time_reach(params, fastest_kmh)
    speeds = {k: settings[k] for k in ("mode", "walk_kmh", "bike_kmh", "drive_kmh", "class_kmh")}
    speeds["snap_max_m"] = settings["snap_max_m"]
    return replace(params, network=speeds)


def check_time_reach(params: ScoringParameters, fastest_kmh: float) -> None:
    """Refuse rings and decay parameters in minutes beyond 2,000 km at ``fastest_kmh``.

    A study is measured in one projection, no farther than
    :data:`~siteplan.load.layers.MAX_DISTANCE_M`; with ``measure = "time"`` the
    longest time that can mean anything is that distance at the network's
    fastest speed (connectors walked included). Metres are checked in
    :func:`resolve_parameters`.

    Raises
    ------
    ParameterError
        Naming the option (``rings_min``, ``half_min``, ...), in one line.

    Examples
    --------
    >>> params = resolve_parameters({}, {"measure": "time", "rings_m": [5, 30000]})
    >>> check_time_reach(params, 4.8)
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: rings_min 30000 is beyond 25,000 min, 2,000 km at the network's fastest speed (4.8 km/h), the farthest one projection measures; give shorter times
    """  # noqa: E501
    if params.unit != "min" or not fastest_kmh > 0:
        return
    limit = MAX_DISTANCE_M / (fastest_kmh * 1000.0 / 60.0)
    values = [("rings_m", r) for r in params.rings_m]
    values += [(k, v) for k, v in params.decay.params.items() if isinstance(v, int | float)]
    for name, value in values:
        if value > limit:
            public = unit_name(name, "min")
            raise ParameterError(
                f"{public} {value:g} is beyond {limit:,.0f} min, "
                f"{MAX_DISTANCE_M / 1000:,.0f} km at the network's fastest speed "
                f"({fastest_kmh:g} km/h), the farthest one projection measures; "
                "give shorter times",
                argument=public,
            )


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
