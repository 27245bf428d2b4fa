"""Turn the ``<suite>.json`` results into the README section: tables, a plot, the machine.

The tables come from :mod:`benchmarks.tables`. The README keeps its hand-written text;
only the part between :data:`BEGIN` and :data:`END` is replaced (a README without the
markers gets the section appended, a missing one is created). ``scale.png`` plots time
against cohort size, log-log, for our end-to-end solve, our solver alone and every
baseline.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.host_speed import describe
from benchmarks.tables import SECTIONS

BEGIN = "<!-- BEGIN GENERATED: python -m benchmarks.run rewrites this section -->"
END = "<!-- END GENERATED -->"


def _load(results: Path) -> dict:
    found = {}
    for path in sorted(results.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and data.get("suite") in SECTIONS:
            found[data["suite"]] = data
    return {name: found[name] for name in SECTIONS if name in found}


def plot(found: dict, path: Path) -> bool:
    """Time against cohort size (pairs), log-log, per method; False when nothing to plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines: dict[str, list[tuple[int, float]]] = {}
    if "scale" in found:
        for r in found["scale"]["results"]["rows"]:
            if "error" not in r:
                point = (r["size"][0] * r["size"][1], r["solve"]["median_s"])
                lines.setdefault("ours: solve() end to end", []).append(point)
    if "generated" in found:
        for r in found["generated"]["results"]["rows"]:
            a = r.get("as_generated", {})
            if "wall" in a:
                point = (r["size"][0] * r["size"][1], a["wall"]["median_s"])
                lines.setdefault(
                    "ours: mentormatch match (CLI process), cohort as generated", []
                ).append(point)
    if "baselines" in found:
        labels = found["baselines"]["results"]["labels"]
        for entry in found["baselines"]["results"]["sizes"]:
            for method, a in entry["methods"].items():
                if "error" not in a and not a.get("no_solution"):
                    point = (entry["size"][0] * entry["size"][1], a["time"]["median_s"])
                    lines.setdefault(labels[method], []).append(point)
    if not lines:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    for label, points in lines.items():
        xs, ys = zip(*sorted(points), strict=True)
        ax.plot(xs, ys, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("mentees x mentors (pairs)")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Time against cohort size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def section(results: Path, readme: Path) -> str:
    """The generated Markdown (tables, plot link) for every JSON file in ``results``."""
    found = _load(results)
    if not found:
        return "No results yet: run `python -m benchmarks.run`.\n"
    any_suite = next(iter(found.values()))
    m = any_suite["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    dates = sorted(d["date"] for d in found.values())
    modes = {name: d["settings"]["mode"] for name, d in found.items()}
    mode = next(iter(modes.values())) + " mode"
    if len(set(modes.values())) > 1:
        mode = "modes: " + ", ".join(f"{name} {m}" for name, m in modes.items())
    lines = [
        f"Measured {dates[0]} to {dates[-1]} ({mode}) on "
        f"{m['cpu_count']} cores, {m['platform']}, Python {m['python']}, {versions}. "
        f"Other work shared the machine: read medians and ratios. Raw figures: "
        f"`{_rel(results, readme)}/*.json`.",
        "",
    ]
    if plot(found, results / "scale.png"):
        lines += [f"![time against cohort size]({_rel(results, readme)}/scale.png)", ""]
    for name, render in SECTIONS.items():
        if name in found:
            lines += _dated(render(found[name]), name, found[name])
    return "\n".join(lines)


def _dated(lines: list[str], name: str, data: dict) -> list[str]:
    """The section with when and by which command it was measured, under its title."""
    mode = data["settings"]["mode"]
    flag = "" if mode == "full" else f" --{mode}"
    when = f"Measured {data['date']} by `python -m benchmarks.run{flag} --only {name}`."
    speed = describe(data["machine"].get("host_speed"), data["machine"].get("host_speed_after"))
    when += f" {speed[0].upper()}{speed[1:]} (`python -m benchmarks.host_speed`)." if speed else ""
    return [*lines[:2], when, "", *lines[2:]]


def _rel(results: Path, readme: Path) -> str:
    try:
        return str(results.resolve().relative_to(readme.resolve().parent)) or "."
    except ValueError:
        return str(results.resolve())


def write(results: Path, readme: Path) -> None:
    """Replace the generated section of ``readme`` with :func:`section` of ``results``.

    Parameters
    ----------
    results : folder holding the ``<suite>.json`` files (the plot is written there).
    readme : the Markdown file to update or create.
    """
    body = f"{BEGIN}\n\n{section(results, readme)}\n{END}"
    text = readme.read_text() if readme.exists() else "# Benchmark results\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + body + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    readme.write_text(text)
