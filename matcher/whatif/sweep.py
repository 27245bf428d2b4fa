"""Parameter sweeps: ``KEY=V1,V2,...`` -> scenarios, and the trade-off picture.

A sweep key is a dotted path into change data: ``capacity.all``, ``capacity.mentors.M01``,
``capacity.departments.sales``, or a policy-file key such as ``weights.skills``,
``seniority.min_gap``, ``rules.max_timezone_diff_hours`` or ``solver.objective``. Several
keys give every combination, in the order given (the first key varies slowest).
:func:`plot_sweep` draws total score and matched places against the first key (PNG or
SVG, matplotlib's Agg backend); the same run gives the same SVG bytes.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from matcher.model import InputError, Problem
from matcher.results import MatchResult

POLICY_SECTIONS = ("weights", "seniority", "rules", "preferences", "tags", "solver")
KEY_STARTS = ("capacity.all", "capacity.mentors.", "capacity.mentees.", "capacity.departments.")
KEY_STARTS += tuple(f"{s}." for s in POLICY_SECTIONS)


class SweepVariant(Protocol):
    """What :func:`plot_sweep` reads of a :class:`matcher.whatif.scenarios.Variant`."""

    @property
    def name(self) -> str: ...

    @property
    def params(self) -> tuple[tuple[str, object], ...]: ...

    @property
    def result(self) -> MatchResult: ...


class SweepRun(Protocol):
    """What :func:`plot_sweep` reads of a :class:`matcher.whatif.scenarios.ScenarioRun`.

    Structural, because scenarios imports this module: naming ScenarioRun here, even in
    a type-only import, would be the import cycle ``tests/core/test_layout.py`` forbids.
    """

    @property
    def baseline(self) -> MatchResult: ...

    @property
    def variants(self) -> Sequence[SweepVariant]: ...


def parse_value(text: str) -> bool | int | float | str:
    """A command-line value: ``true``/``false``, an integer, a number, or the text itself."""
    word = text.strip()
    if word.lower() in ("true", "false"):
        return word.lower() == "true"
    for kind in (int, float):
        try:
            return kind(word)
        except ValueError:
            pass
    return word


def parse_vary(text: str, source: str = "--vary") -> tuple[str, list[bool | int | float | str]]:
    """Split ``KEY=V1,V2,...`` into the key and its parsed values.

    Raises
    ------
    InputError
        If there is no ``=``, no key or no value.
    """
    key, eq, values = text.partition("=")
    items = [v for v in values.split(",") if v.strip()]
    if not eq or not key.strip() or not items:
        problem = Problem(
            "expected KEY=V1,V2,... (e.g. capacity.all=1,2,3)", value=text, source=source
        )
        raise InputError([problem], title="the sweep was rejected")
    return key.strip(), [parse_value(v) for v in items]


def change_for(key: str, value: object) -> dict:
    """The change data that sets one dotted ``key`` to ``value``.

    Raises
    ------
    InputError
        If the key does not start like a known sweep key (with the closest one).
    """
    parts = key.split(".")
    if key == "capacity.all":
        return {"capacity": {"all": value}}
    if (
        parts[0] == "capacity"
        and len(parts) == 3
        and parts[1] in ("mentors", "mentees", "departments")
    ):
        return {"capacity": {parts[1]: {parts[2]: value}}}
    if parts[0] in POLICY_SECTIONS and len(parts) == 2:
        return {"policy": {parts[0]: {parts[1]: value}}}
    close = difflib.get_close_matches(key, KEY_STARTS, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    message = f"unknown sweep key; {hint}expected one starting with: {', '.join(KEY_STARTS)}"
    raise InputError([Problem(message, column="vary", value=key)], title="the sweep was rejected")


def _merge(into: dict, change: dict) -> dict:
    for k, v in change.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


def _show(value) -> str:
    return (
        ("true" if value else "false")
        if isinstance(value, bool)
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )


def vary_scenarios(varies: Sequence[tuple[str, Sequence]], source: str = "--vary") -> list[dict]:
    """Change data for every combination of the swept values.

    Parameters
    ----------
    varies : (key, values) pairs, e.g. ``[("capacity.all", [1, 2, 3])]``.
    source : the problems' source.

    Returns
    -------
    list of dict
        Each with ``name`` ("capacity.all=2, weights.skills=0.5") and ``params``.

    Raises
    ------
    InputError
        Unknown keys (every one), a key given twice.
    """
    problems, seen = [], set()
    for key, _ in varies:
        try:
            change_for(key, 0)
        except InputError as error:
            problems.extend(
                p.__class__(p.message, column=p.column, value=p.value, source=source)
                for p in error.problems
            )
        if key in seen:
            problems.append(
                Problem("the key is swept twice", column="vary", value=key, source=source)
            )
        seen.add(key)
    if problems:
        raise InputError(problems, title="the sweep was rejected")
    out = []
    keys = [k for k, _ in varies]
    for combo in itertools.product(*(values for _, values in varies)):
        data: dict = {}
        for key, value in zip(keys, combo, strict=True):
            _merge(data, change_for(key, value))
        data["name"] = ", ".join(f"{k}={_show(v)}" for k, v in zip(keys, combo, strict=True))
        data["params"] = [[k, v] for k, v in zip(keys, combo, strict=True)]
        out.append(data)
    return out


def plot_sweep(run: SweepRun, path: str | Path) -> Path:
    """Draw total score and matched places of every variant (and the baseline).

    The x axis is the first swept parameter when the variants carry ``params`` (numeric
    values on a numeric axis), else the variants' names; other swept parameters give one
    line each. The baseline is a dashed line.

    Parameters
    ----------
    run : a :class:`matcher.whatif.scenarios.ScenarioRun` (see :class:`SweepRun`).
    path : the picture file; ``.png`` or ``.svg`` picks the format.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        For another extension, or a run without variants.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg") or not run.variants:
        message = (
            "expected a .png or .svg file name"
            if fmt not in ("png", "svg")
            else "no variants to draw"
        )
        raise InputError(
            [Problem(message, value=path.name, source="--plot")], title="cannot draw the sweep"
        )
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    variants = run.variants
    swept = bool(variants[0].params)
    if swept:
        first = variants[0].params[0][0]
        xs = [dict(v.params)[first] for v in variants]
        numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)
        groups: dict[str, list] = {}
        for v, x in zip(variants, xs, strict=True):
            rest = ", ".join(f"{k}={_show(val)}" for k, val in v.params[1:])
            groups.setdefault(rest, []).append((x, v))
        label = first
    else:
        numeric, label = False, "scenario"
        groups = {"": [(v.name, v) for v in variants]}
    ticks = (
        sorted({x for items in groups.values() for x, _ in items}, key=lambda x: (str(type(x)), x))
        if not numeric
        else None
    )
    position = (lambda x: x) if numeric else (lambda x: ticks.index(x))

    with matplotlib.rc_context({"svg.hashsalt": "mentormatch", "font.size": 9}):
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 5.5))
        base = run.baseline
        for axis, what, base_value, title in (
            (top, lambda r: r.objective, base.objective, "total score"),
            (bottom, lambda r: len(r.pairs), len(base.pairs), "matched places"),
        ):
            for rest, items in groups.items():
                axis.plot(
                    [position(x) for x, _ in items],
                    [what(v.result) for _, v in items],
                    marker="o",
                    label=rest or None,
                )
            axis.axhline(base_value, linestyle="--", color="grey", linewidth=1, label="baseline")
            axis.set_ylabel(title)
            axis.grid(True, linewidth=0.3)
        top.legend(loc="best", fontsize=8)
        if not numeric:
            bottom.set_xticks(range(len(ticks)), [_show(t) for t in ticks], rotation=20, ha="right")
        bottom.set_xlabel(label)
        top.set_title(f"what-if: {len(variants)} variant(s) against the baseline")
        fig.tight_layout()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(path, format=fmt, metadata=metadata, dpi=100)
        plt.close(fig)
    return path
