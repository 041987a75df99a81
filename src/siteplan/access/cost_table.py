"""The origin-destination cost table that PySAL ``access`` and ``spopt`` read.

A CSV with the header ``origin,dest,cost``: one row per demand point (``origin``) and site
(``dest``) that can reach each other, in the row order of the cost matrix and then its column
order. Costs are in the measure's unit (metres, or minutes for time) at full precision;
unreachable pairs (``inf``) are left out, which is how ``access`` reads "no connection".
Ids are written as they are, quoted by the CSV rules where needed.

Examples
--------
>>> import numpy as np
>>> frame = cost_table_frame(np.array([[1.5, np.inf]]), ["d1"], ["a", "b"])
>>> frame.to_dict("records")
[{'origin': 'd1', 'dest': 'a', 'cost': 1.5}]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan._io import atomic_path
from siteplan.access._arrays import check_cost
from siteplan.errors import ParameterError

__all__ = ["COST_TABLE_COLUMNS", "cost_table_frame", "write_cost_table"]

COST_TABLE_COLUMNS = ("origin", "dest", "cost")


def cost_table_frame(
    cost: npt.ArrayLike, origin_ids: Sequence[str], dest_ids: Sequence[str]
) -> pd.DataFrame:
    """Return the finite entries of a cost matrix as a long ``origin, dest, cost`` table.

    Parameters
    ----------
    cost
        Demand points x sites; inf where unreachable.
    origin_ids
        One id per row (demand points).
    dest_ids
        One id per column (sites).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin``, ``dest`` (str) and ``cost`` (float), unreachable pairs left out.

    Raises
    ------
    ParameterError
        When the ids do not match the matrix's shape.
    """
    matrix = check_cost(cost)
    if len(origin_ids) != matrix.shape[0] or len(dest_ids) != matrix.shape[1]:
        raise ParameterError(
            f"origin_ids and dest_ids must match the cost matrix's shape {matrix.shape}, "
            f"got {len(origin_ids)} and {len(dest_ids)}"
        )
    rows, cols = np.nonzero(np.isfinite(matrix))
    origins = np.asarray([str(v) for v in origin_ids], dtype=object)
    dests = np.asarray([str(v) for v in dest_ids], dtype=object)
    return pd.DataFrame(
        {"origin": origins[rows], "dest": dests[cols], "cost": matrix[rows, cols]},
        columns=list(COST_TABLE_COLUMNS),
    )


def write_cost_table(
    path: Path,
    cost: npt.ArrayLike,
    origin_ids: Sequence[str],
    dest_ids: Sequence[str],
    inputs: Sequence[Path] = (),
) -> Path:
    """Write the cost table as CSV, atomically, and return the path.

    Parameters
    ----------
    path
        The CSV file to write (parents are created).
    cost
        Demand points x sites; inf where unreachable.
    origin_ids
        One id per row (demand points).
    dest_ids
        One id per column (sites).
    inputs
        The study's input files, which the output must not replace.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        When the path cannot be written or is one of the inputs.
    """
    frame = cost_table_frame(cost, origin_ids, dest_ids)
    with atomic_path(Path(path), inputs) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    return Path(path)
