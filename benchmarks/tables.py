"""One Markdown table (or a few) per benchmark suite, from that suite's JSON results.

Each ``<suite>_section`` takes the whole ``<suite>.json`` (settings and results) and
returns Markdown lines headed ``### <Title>``; :data:`SECTIONS` lists them in the order
the README shows them. Results written by an older version of a suite may lack newer
figures: those cells read ``-``.
"""

from __future__ import annotations


def _s(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value else f"{value:.{digits}f}"
    return str(value)


def _rss(mib) -> str:
    return "-" if mib is None else f"{mib:,.1f}"


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
    head += ["explain s", "solve() s", "solve() CPU s", "end to end s", "status", "certified"]
    head += ["gap", "matched", "peak RSS MiB"]
    rows = []
    for r in res["rows"]:
        if "error" in r:
            rows.append([_size(r["size"]), f"failed: {r['error']}"] + [""] * (len(head) - 2))
            continue
        st = r["stages"]
        rows.append(
            [_size(r["size"]), _s(r["read_validate"]["median_s"])]
            + [_s(st.get(k)) for k in ("build", "candidates", "flow", "certify", "explain")]
            + [_s(r["solve"]["median_s"]), _s(r["solve"].get("cpu_median_s"))]
            + [_s(r["end_to_end_s"]), r["status"], r["certified"]]
            + [_s(r["gap"]), f"{r['matched_places']}/{r['wanted_places']}", r["peak_rss_mib"]]
        )
    threads = ""
    if "threads" in res:  # recorded since the CPU-time column
        count = res["threads"] or "default (usable cores, at most 4)"
        threads = f", MENTORMATCH_THREADS {count}; CPU time counts every thread"
    intro = (
        f"{res['program']} preset, mentor capacity {res['mentor_capacity']}, median of "
        f"{data['settings']['repeat']}{threads}. {res['note']}"
    )
    return ["### Scale", "", intro, "", *_table(head, rows)]


def generated_section(data: dict) -> list[str]:
    """Cohorts as ``generate`` writes them, matched by the CLI; then the coaching sample."""
    res = data["results"]
    head = ["size", "sheet", "mentors with a min load", "`match` wall s (runs)"]
    head += ["x no min loads", "peak RSS MiB", "CPU s", "solver", "status", "certified"]
    head += ["matched / wanted places", "read s", "build s", "candidates s", "flow s"]
    head += ["certify s", "explain s", "outside stages s", "checker"]
    names = {"as_generated": "as generated", "no_min_loads": "min loads set to 0"}
    rows = []
    for r in res["rows"]:
        if "error" in r:
            rows.append([_size(r["size"]), f"failed: {r['error']}"] + [""] * (len(head) - 2))
            continue
        for key, name in names.items():
            a = r[key]
            if "error" in a:
                rows.append([_size(r["size"]), name, f"failed: {a['error']}"])
                continue
            ratio = _s(r.get("ratio_to_no_min_loads")) if key == "as_generated" else "1"
            st = a["stages"]
            rows.append(
                [_size(r["size"]), name, r["mentors_with_min_load"] if key == "as_generated" else 0]
                + [f"{_s(a['wall']['median_s'])} ({a['wall']['runs']})", ratio]
                + [_rss(a["peak_rss_mib"]), _s(a["cpu_median_s"]), a["solver"], a["status"]]
                + [a["certified"], f"{a['matched_places']:,} / {a['wanted_places']:,}"]
                + [_s(st.get(k)) for k in ("read", "build", "candidates", "flow", "certify")]
                + [_s(st.get("explain")), _s(a["outside_stages_s"])]
                + [a.get("check", {}).get("checker") or a.get("check", {}).get("error", "-")]
            )
    intro = (
        f"{res['program']} preset (the default: no flags), seed {res['seed']}, median of "
        f"{data['settings']['repeat']} runs per sheet. {res['note']}"
    )
    out = ["### Generated cohorts through the CLI", "", intro, "", *_table(head, rows)]
    out += _verify_lines(res["rows"])
    return out + _sample_lines(res.get("sample"), data["settings"].get("cli_repeat"))


def _verify_lines(rows: list[dict]) -> list[str]:
    """`mentormatch verify` of each size's first-run receipt and pairs file."""
    found = [(r["size"], r["verify"]) for r in rows if "verify" in r]
    if not found:
        return []
    head = ["size", "`verify` wall s (runs)", "fastest s", "peak RSS MiB", "CPU s"]
    table = []
    for size, v in found:
        if "error" in v:
            table.append([_size(size), f"failed: {v['error']}", "", "", ""])
            continue
        table.append(
            [_size(size), f"{_s(v['wall']['median_s'])} ({v['wall']['runs']})"]
            + [_s(v["wall"]["min_s"]), _rss(v["peak_rss_mib"]), _s(v["cpu_median_s"])]
        )
    intro = "`mentormatch verify receipt.json cohort.csv pairs.csv` (the sheet as generated):"
    return [intro, "", *_table(head, table)]


def _sample_lines(sample: dict | None, repeat) -> list[str]:
    if not sample:
        return []
    labels = {
        "python_start": "`python -c pass` (the interpreter's start)",
        "cli_help": "`python -m matcher.cli --help` (the CLI's start)",
        "match": f"`{sample['command']}`",
    }
    head = ["command", "median s (runs)", "fastest s", "peak RSS MiB", "CPU s"]
    rows = []
    for key, label in labels.items():
        a = sample[key]
        if "error" in a:
            rows.append([label, f"failed: {a['error']}", "", "", ""])
            continue
        rows.append(
            [label, f"{_s(a['wall']['median_s'])} ({a['wall']['runs']})"]
            + [_s(a["wall"]["min_s"]), _rss(a["peak_rss_mib"]), _s(a["cpu_median_s"])]
        )
    lines = [f"Coaching sample, taking turns, median of {repeat}:", "", *_table(head, rows)]
    run = sample.get("checked_run", {})
    if "error" in run:
        return lines + [f"The `--json` run failed: {run['error']}", ""]
    stages = ", ".join(f"{k} {_s(v)}" for k, v in run["stages"].items())
    check = run["check"].get("checker") or f"failed: {run['check'].get('error')}"
    return lines + [
        f"One more run with `--json`: {run['solver']} {run['status']}, certified "
        f"{run['certified']}, total {run['objective']}; stages (s): {stages}; checker {check}.",
        "",
    ]


def baselines_section(data: dict) -> list[str]:
    """One table per size: every method against ours."""
    res = data["results"]
    note = f"{res['note']} 'ours / theirs' is the ratio of median times: below 1, ours is faster."
    out = ["### Baselines on the identical instance", "", note, ""]
    head = ["method", "median s (runs)", "matched", "total score", "equal to ours"]
    head += ["ours / theirs", "peak RSS MiB", "notes"]
    for entry in res["sizes"]:
        rows = []
        for method, a in entry["methods"].items():
            label = res["labels"][method]
            if "error" in a:
                rows.append([label, "-", "-", "-", "-", "-", "-", a["error"]])
                continue
            runs = f"{_s(a['time']['median_s'])} ({a['time']['runs']})"
            rss = a.get("peak_rss_mib", "-")
            if a.get("no_solution"):
                rows.append([label, runs, "-", "-", "-", "-", rss, f"no solution: {a['status']}"])
                continue
            note = ""
            if method == "cpsat":
                note = f"{a['status']}, gap {_s(a['gap'])} ({a['variables']:,} Booleans)"
            elif method == "ours":
                note = f"{a['status']}, certified {a['certified']}; {a['eligible_pairs']:,} pairs"
            elif method == "flow_dense":
                note = f"{a['status']}, certified {a['certified']}"
            elif method == "greedy":
                note = f"total {100 * a['total_vs_ours']:.3f}% of ours"
            rows.append(
                [label, runs, a["matched"], f"{a['total']:.4f}", a.get("equal_to_ours", "-")]
                + [_s(a.get("ours_over_theirs")), rss, note]
            )
        for method, why in entry["skipped"].items():
            rows.append([res["labels"][method], "skipped", "", "", "", "", "", why])
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
        parts = [("plain", a["plain"]), (part_key, a[part_key])]
        parts += [("cpsat on request", a["cpsat"])] if "cpsat" in a else []
        for name, p in parts:
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
    """Ours, both ways, against the matching package and plain Python, per size."""
    res = data["results"]
    head = ["size", "method", "median s", "rounds", "pairs", "blocking pairs"]
    head += ["same pairs as ours", "ours / theirs", "peak RSS MiB"]
    rows, max_score = [], []
    for r in res["rows"]:
        o, size = r["ours"], _size(r["size"])
        if "error" in o:
            rows.append([size, "ours", f"failed: {o['error']}"] + [""] * (len(head) - 3))
        else:
            rows.append(_stable_row(size, "ours, mentees propose", o, "-", o.get("rounds")))
            if "mentor_proposing" in o:
                m = o["mentor_proposing"]
                rows.append(_stable_row(size, "ours, mentors propose", m, "-", m["rounds"]))
            max_score.append(f"{size}: {o['max_score_blocking_pairs']}")
        for key, name, ratio in (
            ("package", "matching package", r["ratio"]),
            ("python", "plain-Python deferred acceptance", r.get("ratio_python")),
        ):
            if key not in r:
                continue
            if "error" in r[key]:
                rows.append([size, name, r[key]["error"]] + [""] * (len(head) - 3))
            else:
                rows.append(_stable_row(size, name, r[key], _s(ratio, 4)))
    tail = ["Blocking pairs of the max-score (flow) result: " + "; ".join(max_score) + ".", ""]
    return ["### Stable matching", "", res["note"], "", *_table(head, rows), *tail]


def _stable_row(size, name, a, ratio, rounds="-") -> list:
    time_s, same = _s(a["time"]["median_s"]), a.get("same_as_ours", "-")
    return [size, name, time_s, rounds or "-", a["pairs"], a["blocking_pairs"], same, ratio] + [
        a.get("peak_rss_mib", "-")
    ]


def rematch_section(data: dict) -> list[str]:
    """Rematch after one mentor leaves against a fresh solve, per size and path."""
    res = data["results"]
    head = ["size", "path", "leaver's mentees", "rematch s", "fresh solve s", "rematch / fresh"]
    head += ["moves", "kept: rematch", "kept: fresh", "matched: rematch / fresh"]
    head += ["total: rematch / fresh", "status", "peak RSS MiB"]
    rows = []
    for r in res["rows"]:
        if "error" in r:
            rows.append([_size(r["size"]), r["path"], f"failed: {r['error']}"] + [""] * 10)
            continue
        o, f = r["rematch"], r["fresh"]
        rows.append(
            [_size(r["size"]), r["path"], r["leaver_mentees"], _s(o["time"]["median_s"])]
            + [_s(f["time"]["median_s"]), _s(r["ratio"]), o["moves"]]
            + [f"{o['kept']:,} of {r['previous_pairs']:,}", f"{f['kept']:,}"]
            + [f"{o['matched_places']} / {f['matched_places']}"]
            + [f"{o['objective']:.4f} / {f['objective']:.4f}", f"{o['status']} / {f['status']}"]
            + [r.get("peak_rss_mib", "-")]
        )
    return ["### Rematch", "", f"{res['program']} preset. {res['note']}", "", *_table(head, rows)]


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
    "generated": generated_section,
    "baselines": baselines_section,
    "fairness": fairness_section,
    "stable": stable_section,
    "rematch": rematch_section,
    "orlib": orlib_section,
    "service": service_section,
}
