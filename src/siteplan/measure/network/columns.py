"""The fields a network measure adds to each pair (light: no graph code is imported).

Examples
--------
>>> NETWORK_PAIR_COLUMNS[:3]
('network_m_ab', 'network_m_ba', 'network_m')
"""

from __future__ import annotations

from typing import Final

__all__ = ["NETWORK_PAIR_COLUMNS"]

#: The pair columns a network measure adds, in order.
NETWORK_PAIR_COLUMNS: Final = (
    "network_m_ab",
    "network_m_ba",
    "network_m",
    "time_min_ab",
    "time_min_ba",
    "time_min",
    "detour",
    "reachable",
    "connector_m",
)
