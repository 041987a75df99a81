"""Keep built graphs on disk, so a second run does not build them again.

Where: ``$SITEPLAN_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/siteplan``, else
``~/.cache/siteplan``. What: one ``network-<key>.npz`` per graph (numpy arrays
and plain strings only; loaded with ``allow_pickle=False``), written to a
temporary file in the same folder and renamed into place. The key is a SHA-256
of the input files' bytes, the metric CRS, the network parameters and
siteplan's version, so any change to one of them builds afresh. A cache file
that cannot be read is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

import numpy as np
from pyproj import CRS

from siteplan.load.network import NetworkParams
from siteplan.measure.network.graph import Network

__all__ = ["cache_dir", "cached_network", "load_network", "network_key", "save_network"]

logger = logging.getLogger(__name__)

_ARRAYS: Final = (
    "node_xy",
    "seg_u",
    "seg_v",
    "seg_length",
    "seg_kmh",
    "seg_forward",
    "seg_backward",
    "seg_line",
    "line_ids",
)
_FORMAT: Final = 1
_BLOCK: Final = 1 << 20


def cache_dir() -> Path:
    """Return the folder graph caches are kept in (not created)."""
    explicit = os.environ.get("SITEPLAN_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "siteplan"


def _version() -> str:
    try:
        return version("siteplan")
    except PackageNotFoundError:
        return "0+unknown"


def network_key(
    sources: Sequence[Path], crs: CRS | str, params: NetworkParams, *, extra: str = ""
) -> str:
    """Return the cache key of a graph built from ``sources`` with ``params`` in ``crs``.

    ``extra`` adds anything else the build depends on (e.g. the layer's field
    names and datum).
    """
    digest = hashlib.sha256()
    head = {
        "format": _FORMAT,
        "version": _version(),
        "crs": CRS.from_user_input(crs).to_wkt(),
        "params": params.as_dict(),
        "extra": extra,
    }
    digest.update(json.dumps(head, sort_keys=True).encode())
    for path in sources:
        digest.update(b"\0file\0")
        with Path(path).open("rb") as fh:
            while block := fh.read(_BLOCK):
                digest.update(block)
    return digest.hexdigest()


def save_network(network: Network, path: Path) -> None:
    """Write a graph to ``path`` (npz) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: getattr(network, name) for name in _ARRAYS}
    arrays["line_ids"] = np.asarray(network.line_ids, dtype=str)
    meta = {
        "format": _FORMAT,
        "crs": network.crs,
        "params": network.params.as_dict(),
        "warnings": list(network.warnings),
    }
    fd, tmp = tempfile.mkstemp(prefix=".network-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, meta=np.asarray(json.dumps(meta)), **arrays)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def load_network(path: Path) -> Network:
    """Read a graph written by :func:`save_network`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != _FORMAT:
            raise ValueError(f"cache format {meta.get('format')!r} is not {_FORMAT}")
        arrays = {name: data[name] for name in _ARRAYS}
    return Network(
        crs=str(meta["crs"]),
        params=NetworkParams(**meta["params"]),
        warnings=tuple(str(w) for w in meta["warnings"]),
        **arrays,
    )


def cached_network(
    key: str, build: Callable[[], Network], *, folder: Path | None = None
) -> tuple[Network, bool]:
    """Return the graph cached under ``key``, building and caching it if needed.

    Returns
    -------
    tuple
        The graph and whether it came from the cache.
    """
    where = (folder if folder is not None else cache_dir()) / f"network-{key}.npz"
    if where.is_file():
        try:
            return load_network(where), True
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            logger.warning("ignoring unreadable network cache %s (%s)", where, exc)
    network = build()
    try:
        save_network(network, where)
    except OSError as exc:
        logger.warning("cannot write the network cache %s (%s)", where, exc)
    return network, False
