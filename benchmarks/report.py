"""Turn the ``<suite>.json`` results into Markdown tables, a plot and the README section.

The README keeps its hand-written text; only the part between :data:`BEGIN` and
:data:`END` is replaced (a README without the markers gets the section appended, a
missing one is created). ``scale.png`` plots time against cohort size, log-log, for
our end-to-end solve, our solver alone and every baseline.
"""

from __future__ import annotations

import json
from pathlib import Path

BEGIN = "<!-- BEGIN GENERATED: python -m benchmarks.run rewrites this section -->"
END = "<!-- END GENERATED -->"


def _load(results: Path) -> dict:
    found = {}
    for path in sorted(results.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "suite" in data:
            found[data["suite"]] = data
    return found


def _s(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value else f"{value:.{digits}f}"
    return str(value)


def _size(size) -> str:
    return f"{size[0]:,} x {size[1]:,}"


def _table(head: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def scale_section(data: dict) -> list[str]:
    """The scale table."""
    res = data["results"]
    head = ["size", "read+validate s", "build s", "candidates s", "flow s", "certify s"]
    head += ["explain s", "solve() s", "end to end s", "status", "certified", "gap", "matched"]
    head += ["peak RSS MiB"]
    rows = []
    for r in res["rows"]:
        if "error" in r:
            rows.append([_size(r["size"]), f"failed: {r['error']}"] + [""] * (len(head) - 2))
            continue
        st = r["stages"]
        rows.append(
            [_size(r["size"]), _s(r["read_validate"]["median_s"])]
            + [_s(st.get(k)) for k in ("build", "candidates", "flow", "certify", "explain")]
            + [_s(r["solve"]["median_s"]), _s(r["end_to_end_s"]), r["status"], r["certified"]]
            + [_s(r["gap"]), f"{r['matched_places']}/{r['wanted_places']}", r["peak_rss_mib"]]
        )
    intro = (
        f"{res['program']} preset, mentor capacity {res['mentor_capacity']}, median of "
        f"{data['settings']['repeat']}. {res['note']}"
    )
    return ["### Scale", "", intro, "", *_table(head, rows)]


def baselines_section(data: dict) -> list[str]:
    """One table per size: every method against ours."""
    res = data["results"]
    note = f"{res['note']} 'ours / theirs' is the ratio of median times: below 1, ours is faster."
    out = ["### Baselines on the identical instance", "", note, ""]
    head = ["method", "median s (runs)", "matched", "total score", "equal to ours"]
    head += ["ours / theirs", "notes"]
    for entry in res["sizes"]:
        rows = []
        for method, a in entry["methods"].items():
            label = res["labels"][method]
            if "error" in a:
                rows.append([label, "-", "-", "-", "-", "-", a["error"]])
                continue
            runs = f"{_s(a['time']['median_s'])} ({a['time']['runs']})"
            if a.get("no_solution"):
                rows.append([label, runs, "-", "-", "-", "-", f"no solution: {a['status']}"])
                continue
            note = ""
            if method == "cpsat":
                note = f"{a['status']}, gap {_s(a['gap'])} ({a['variables']:,} Booleans)"
            elif method == "ours":
                note = f"{a['status']}, certified {a['certified']}; {a['eligible_pairs']:,} pairs"
            elif method == "greedy":
                note = f"total {100 * a['total_vs_ours']:.3f}% of ours"
            rows.append(
                [label, runs, a["matched"], f"{a['total']:.4f}", a.get("equal_to_ours", "-")]
                + [_s(a.get("ours_over_theirs")), note]
            )
        for method, why in entry["skipped"].items():
            rows.append([res["labels"][method], "skipped", "", "", "", "", why])
        out += [f"**{_size(entry['size'])}**", "", *_table(head, rows)]
    return out


def fairness_section(data: dict) -> list[str]:
    """Fair and side-rule solves next to the plain one."""
    res = data["results"]
    head = ["run", "median s", "x plain", "solver", "status", "total", "bound", "gap"]
    head += ["worst score", "matched"]
    rows = []
    for key, part_key in (("fairness", "fair"), ("side_rules", "side_rules")):
        a = res[key]
        if "error" in a:
            rows.append([key, f"failed: {a['error']}"] + [""] * (len(head) - 2))
            continue
        for name, p in (("plain", a["plain"]), (part_key, a[part_key])):
            rows.append(
                [f"{key}: {name}", _s(p["time"]["median_s"]), _s(p.get("ratio_to_plain", 1.0))]
                + [p["solver"], p["status"], _s(p["objective"], 4), _s(p["bound"], 4)]
                + [_s(p["gap"]), _s(p["min_score"], 4), p["matched_places"]]
            )
    size = res["fairness"].get("size") or res["side_rules"].get("size")
    return ["### Fairness and side rules", "", f"{_size(size)}. {res['note']}", ""] + _table(
        head, rows
    )


def stable_section(data: dict) -> list[str]:
    """Our stable matching against the matching package."""
    res = data["results"]
    head = ["size", "ours s", "package s", "ours / package", "pairs", "blocking (ours)"]
    head += ["blocking (package)", "same pairs", "blocking pairs of the max-score result"]
    rows = []
    for r in res["rows"]:
        o, p = r["ours"], r["package"]
        ours_s = f"failed: {o['error']}" if "error" in o else _s(o["time"]["median_s"])
        pkg_s = p["error"] if "error" in p else _s(p["time"]["median_s"])
        rows.append(
            [_size(r["size"]), ours_s, pkg_s, _s(r["ratio"], 4), o.get("pairs", "-")]
            + [o.get("blocking_pairs", "-"), p.get("blocking_pairs", "-")]
            + [p.get("same_as_ours", "-"), o.get("max_score_blocking_pairs", "-")]
        )
    return ["### Stable matching", "", res["note"], "", *_table(head, rows)]


def orlib_section(data: dict) -> list[str]:
    """OR-Library optima and times."""
    res = data["results"]
    if "error" in res:
        return ["### OR-Library", "", f"failed: {res['error']}", ""]
    head = ["instance", "n", "listed pairs", "optimum", "ours", "equal", "solve() s"]
    head += ["solver stage s", "scipy s", "solve() / scipy", "solver stage / scipy"]
    rows = [
        [r["instance"], r["n"], f"{r['listed_pairs']:,}", r["optimum"], r["ours"]]
        + [r["ours_equals_optimum"], _s(r["solve"]["median_s"]), _s(r["solver_stage_s"])]
        + [_s(r["scipy_time"]["median_s"]), _s(r["ours_over_scipy"])]
        + [_s(r["solver_stage_s"] / r["scipy_time"]["median_s"])]
        for r in res["rows"]
    ]
    return ["### OR-Library", "", res["note"], "", *_table(head, rows)]


def service_section(data: dict) -> list[str]:
    """Sync ``/match`` latency per server, and a run through a Celery worker."""
    res = data["results"]
    if "sync_match" not in res:
        return ["### Service", "", res.get("note", "not measured"), ""]
    sync = res["sync_match"]
    floor = sync["solve_in_process"]
    head = ["server", "processes", "clients", "requests", "errors", "p50 ms", "p90 ms"]
    head += ["p99 ms", "req/s", "1 client p50 ms", "Little's-law p50 floor ms"]
    rows = []
    for name, r in sync["servers"].items():
        if "concurrent" not in r:
            rows.append([name, r.get("skipped") or f"failed: {r.get('error')}"] + [""] * 9)
            continue
        c = r["concurrent"]
        rows.append(
            [name, r["processes"], c["clients"], c["requests"], c["errors"], c["p50_ms"]]
            + [c["p90_ms"], c["p99_ms"], c["requests_per_s"], r["one_client"]["p50_ms"]]
            + [r["littles_law_p50_floor_ms"]]
        )
    cohort = sync["cohort"]
    lines = ["### Service", "", res["note"], ""]
    lines += [
        f"Sync `/match`: {cohort['mentees']} mentees x {cohort['mentors']} mentors, "
        f"{cohort['request_bytes']:,}-byte request; `solve()` alone in-process "
        f"{floor['median_ms']} ms ({floor['solver']}, {floor['status']}).",
        "",
        *_table(head, rows),
    ]
    run = res.get("celery_run", {})
    if "error" in run:
        lines += [f"Celery run {_size(run['size'])}: failed: {run['error']}", ""]
    elif run:
        head = ["size", "POST runs -> succeeded s (median)", "solve() s (median)"]
        head += ["overhead s", "runs", "stored pairs", "status"]
        last = run["runs"][-1]
        lines += _table(
            head,
            [
                [_size(run["size"]), _s(run["service"]["median_s"]), _s(run["solve"]["median_s"])]
                + [_s(run["overhead_s"]), run["service"]["runs"], f"{last['pairs']:,}"]
                + [last["solver_status"]]
            ],
        )
    return lines


SECTIONS = {
    "scale": scale_section,
    "baselines": baselines_section,
    "fairness": fairness_section,
    "stable": stable_section,
    "orlib": orlib_section,
    "service": service_section,
}


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
    lines = [
        f"Measured {dates[0]} to {dates[-1]} ({any_suite['settings']['mode']} mode) on "
        f"{m['cpu_count']} cores, {m['platform']}, Python {m['python']}, {versions}. "
        f"Other work shared the machine: read medians and ratios. Raw figures: "
        f"`{_rel(results, readme)}/*.json`.",
        "",
    ]
    if plot(found, results / "scale.png"):
        lines += [f"![time against cohort size]({_rel(results, readme)}/scale.png)", ""]
    for name, render in SECTIONS.items():
        if name in found:
            lines += render(found[name])
    return "\n".join(lines)


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
