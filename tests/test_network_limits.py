"""The 2,000 km cap under the network measures: metres as for straight lines, minutes at speed.

A study is measured in one projection, no farther than 2,000 km. Along the roads in metres the
same cap holds for rings and decay parameters; in minutes the cap is the time 2,000 km takes at
the network's fastest speed (walking 4.8 km/h: 25,000 min; cycling 15 km/h: 8,000 min, the
documented default speeds). Errors are one line and name the option.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from siteplan.analysis import analyze
from siteplan.errors import ParameterError

RunCLI = Callable[..., tuple[int, str, str]]


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--measure", "network", "--rings", "500,3e6"), "--rings 3e+06 is beyond 2,000,000 m"),
        (
            ("--measure", "network", "--decay", "linear", "--max-m", "3e6"),
            "--max-m: 3000000.0 is beyond 2,000,000 m",
        ),
        (("--measure", "time", "--rings", "5,25001"), "--rings 25001 is beyond 25,000 min"),
        (
            ("--measure", "time", "--rings", "5,1e9"),
            "--rings 1e+09 is beyond 25,000 min, 2,000 km at the network's fastest speed (4.8",
        ),
        (
            ("--measure", "time", "--decay", "exponential", "--half-min", "1e12"),
            "--half-min 1e+12 is beyond 25,000 min",
        ),
        (
            ("--measure", "time", "--decay", "logistic", "--steepness-min", "30000"),
            "--steepness-min 30000 is beyond 25,000 min",
        ),
        (
            ("--measure", "time", "--mode", "bike", "--decay", "linear", "--max-min", "8001"),
            "--max-min 8001 is beyond 8,000 min, 2,000 km at the network's fastest speed (15",
        ),
    ],
    ids=["net-rings", "net-max", "time-rings", "time-rings-huge", "half", "steep", "bike"],
)
def test_absurd_network_reach_is_one_line_naming_the_option(
    run_cli: RunCLI, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    output = tmp_path / "out.gpkg"
    code, _out, err = run_cli("export", *args, "-o", output)
    assert code == 1
    assert expected in one_line(err)
    assert not output.exists()


@pytest.mark.parametrize(
    ("options", "limit"),
    [({"mode": "walk"}, 25_000.0), ({"mode": "bike"}, 8_000.0)],
    ids=["walk", "bike"],
)
def test_minutes_up_to_the_cap_are_accepted(options: dict[str, str], limit: float) -> None:
    result = analyze(measure="time", rings_m=[5.0, limit], **options)
    assert result.parameters.rings_m == (5.0, limit)
    with pytest.raises(ParameterError) as caught:
        analyze(measure="time", rings_m=[5.0, limit * (1 + 1e-9)], **options)
    assert caught.value.argument == "rings_min"


def test_the_library_error_names_the_decay_parameter_in_minutes() -> None:
    with pytest.raises(ParameterError, match=r"^half_min 1e\+12 is beyond 25,000 min") as caught:
        analyze(measure="time", decay="exponential", half_min=1e12)
    assert caught.value.argument == "half_min"
    # A faster mode caps sooner: the bundled roads drive faster than anyone cycles.
    with pytest.raises(ParameterError, match=r"^rings_min 8000 is beyond") as fast:
        analyze(measure="time", mode="drive", rings_m=[5.0, 8000.0])
    assert "fastest speed" in str(fast.value)


def test_network_metres_up_to_2000_km_are_accepted() -> None:
    result = analyze(measure="network", decay="linear", max_m=2_000_000.0)
    assert result.parameters.decay.params["max_m"] == 2_000_000.0
    with pytest.raises(ParameterError) as caught:
        analyze(measure="network", rings_m=[500.0, 2_000_000.5])
    assert caught.value.argument == "rings_m"
