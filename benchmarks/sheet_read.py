"""Reading a cohort from .xlsx against reading the same cohort from CSV.

Builds one generated cohort (``--rows`` people, ``--seed``), writes it as CSV (the
cohort writer) and as .xlsx (openpyxl; numbers as number cells, as a spreadsheet saves
them), then times ``read_cohort`` on each file end to end (bytes to validated Cohort),
``--repeat`` times, and reports the medians and the ratio xlsx / CSV. With
``--openpyxl`` it also times the same workbook read through openpyxl instead of
python-calamine, the reader the choice was made against. Results go to stdout and, as
JSON, to ``--out``.

    python benchmarks/sheet_read.py                     # 50,000 rows, 3 runs each
    python benchmarks/sheet_read.py --rows 5000 --openpyxl --out /tmp/sheet_read.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from matcher.io.cohort_csv import read_cohort, write_cohort
from matcher.io.decode import Table, read_table
from matcher.io.generate import generate_cohort
from matcher.io.sheets import plain_batch
from matcher.io.validate import validate_batches
from matcher.io.xlsx import cell_text

NUMBERS = {"seniority", "capacity", "min_capacity"}


def write_files(rows: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """The same cohort as ``cohort.csv`` and ``cohort.xlsx`` in ``folder``."""
    import openpyxl

    mentors = max(rows // 5, 1)
    cohort = generate_cohort(rows - mentors, mentors, seed)
    csv_path, xlsx_path = folder / "cohort.csv", folder / "cohort.xlsx"
    write_cohort(cohort, csv_path)
    table = read_table(csv_path, "cohort")
    typed = [k for k, name in enumerate(table.header) if name in NUMBERS]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Form Responses 1")
    sheet.append(list(table.header))
    for row in table.rows:
        cells = list(row)
        for k in typed:
            cells[k] = int(cells[k]) if cells[k] else None
        sheet.append(cells)
    book.save(xlsx_path)
    return csv_path, xlsx_path


def read_with_openpyxl(path: Path):
    """The workbook read through openpyxl (read-only mode), then the same validation."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    grid = [[cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    table = Table("cohort", tuple(grid[0]), 1, grid[1:], list(range(2, len(grid) + 1)))
    return validate_batches([plain_batch(table, None, False)[0]])


def median_seconds(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl")
    parser.add_argument("--out", type=Path, default=Path("sheet_read.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        csv_path, xlsx_path = write_files(args.rows, args.seed, Path(folder))
        assert read_cohort(csv_path) == read_cohort(xlsx_path), "the two files must read alike"
        results = {
            "rows": args.rows,
            "seed": args.seed,
            "repeat": args.repeat,
            "python": platform.python_version(),
            "csv_seconds": round(median_seconds(lambda: read_cohort(csv_path), args.repeat), 4),
            "xlsx_seconds": round(median_seconds(lambda: read_cohort(xlsx_path), args.repeat), 4),
            "csv_bytes": csv_path.stat().st_size,
            "xlsx_bytes": xlsx_path.stat().st_size,
        }
        results["xlsx_over_csv"] = round(results["xlsx_seconds"] / results["csv_seconds"], 2)
        if args.openpyxl:
            seconds = median_seconds(lambda: read_with_openpyxl(xlsx_path), args.repeat)
            results["openpyxl_seconds"] = round(seconds, 4)
            results["openpyxl_over_csv"] = round(seconds / results["csv_seconds"], 2)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    csv_s, xlsx_s = results["csv_seconds"], results["xlsx_seconds"]
    print(
        f"{args.rows} rows: csv {csv_s:.3f} s, xlsx {xlsx_s:.3f} s "
        f"(median of {args.repeat}): xlsx / csv = {results['xlsx_over_csv']:.2f}"
        + (
            f"; openpyxl {results['openpyxl_seconds']:.3f} s = {results['openpyxl_over_csv']:.2f}x"
            if args.openpyxl
            else ""
        )
        + f" -> {args.out}"
    )
    return results


if __name__ == "__main__":
    main()
