"""Blocks of total scores in one compiled pass (numba), for cohorts too large for a matrix.

:func:`matcher.encode.scoring.score_block` builds a block's total in numpy, one pass per
component and a temporary for each (``out = c0; part = c1; out += part; ...``). At
50,000 x 10,000 that is most of the time spent reading the scores. :class:`ScorePlan`
lays the same components out as flat arrays once, and :func:`fill_runs` computes each
cell's total with the same float operations in the same order, so the numbers are the
dense matrix's bit for bit:

- code tables (seniority, time zone, location, department, language): ``(w * table)[e, m]``;
- tag credit (skills, goals): ``(t[r0] + t[r1] + ...) / max(count, 1) * w`` (the rows
  past a mentee's count read the table's zero row in numpy, adding exact zeros);
- listed values (preference, external) after the first component: ``+= value * w`` at
  the listed pairs only;
- any other component (free-text and question attributes) is computed by numpy for the
  block, times ``w``, and added in its place.

Imported only by :class:`~matcher.encode.lazy_scores.LazyScores` (numba costs ~0.5 s to
import); compiled on first use and cached on disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from matcher.encode.cells import Cells
from matcher.encode.score_tables import ScoreTables, active_components, total_steps
from matcher.encode.scoring import component_function

TABLE, CREDIT, LISTED, NUMPY = 0, 1, 2, 3  # how a component is computed


@dataclass(frozen=True, eq=False)
class ScorePlan:
    """The components of a total score as flat arrays, in :func:`_total_block`'s order.

    Attributes
    ----------
    steps : int64 (n_steps, 2): (kind, index into that kind's arrays), in order.
    weight_sum : the sum of the active weights (the total's divisor).
    numpy_names, numpy_weights : the NUMPY components, computed per block by numpy.
    arrays : the tuple :func:`fill_runs` reads (see :func:`plan_scores`).
    """

    steps: np.ndarray
    weight_sum: float
    numpy_names: tuple[str, ...]
    numpy_weights: tuple[float, ...]
    arrays: tuple


def plan_scores(f: ScoreTables, tables: dict) -> ScorePlan | None:
    """Lay out the active components of ``f`` for :func:`fill_runs`.

    Parameters
    ----------
    f : the score tables.
    tables : :func:`matcher.encode.scoring.weighted_tables` of ``f``.

    Returns
    -------
    ScorePlan or None
        None for scores-only cohorts and cohorts without active components (numpy's
        path handles them in one pass already).
    """
    if f.scores_only or not active_components(f.weights):
        return None
    n_e, n_m = f.shape
    steps, numpy_names, numpy_weights = [], [], []
    table_parts, e_codes, m_codes = [], [], []
    credit_parts, tag_rows, tag_count, credit_w = [], [], [], []
    listed_keys, listed_values = [], []
    found, weight_sum = total_steps(f, tables)
    for kind, name, w, source in found:
        if kind == "table":
            table, e_code, m_code = source
            steps.append((TABLE, len(table_parts)))
            table_parts.append(np.ascontiguousarray(table, np.float64))
            e_codes.append(np.asarray(e_code, np.int64))
            m_codes.append(np.asarray(m_code, np.int64) % table.shape[1])  # -1: the last
        elif kind == "credit":
            table, rows, count = source
            steps.append((CREDIT, len(credit_parts)))
            credit_parts.append(np.ascontiguousarray(table, np.float64))
            tag_rows.append(np.asarray(rows, np.int64))
            tag_count.append(np.asarray(count, np.int64))
            credit_w.append(w)
        elif kind == "listed":
            keys, values = source
            steps.append((LISTED, len(listed_keys)))
            listed_keys.append(np.asarray(keys, np.int64))
            listed_values.append(np.asarray(values, np.float64) * w)
        else:
            steps.append((NUMPY, len(numpy_names)))
            numpy_names.append(name)
            numpy_weights.append(w)
    arrays = (
        *_stack(table_parts, e_codes, m_codes, n_e, n_m),
        *_stack_credit(credit_parts, tag_rows, tag_count, n_e, n_m),
        np.array(credit_w + [0.0]),
        *_concat(listed_keys, listed_values),
    )
    return ScorePlan(
        np.array(steps, np.int64).reshape(-1, 2),
        weight_sum,
        tuple(numpy_names),
        tuple(numpy_weights),
        arrays,
    )


def _stack(parts, e_codes, m_codes, n_e, n_m):
    """Code tables as one flat array with offsets and shapes; codes as (n_tables, people)."""
    shapes = np.array([p.shape for p in parts] or [(0, 0)], np.int64).reshape(-1, 2)
    sizes = np.array([p.size for p in parts], np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])) if parts else np.zeros(1, np.int64)
    flat = np.concatenate([p.ravel() for p in parts]) if parts else np.zeros(1)
    e = np.stack(e_codes) if parts else np.zeros((1, n_e), np.int64)
    m = np.stack(m_codes) if parts else np.zeros((1, n_m), np.int64)
    return flat, offsets.astype(np.int64), shapes, e, m


def _stack_credit(parts, rows, counts, n_e, n_m):
    """Credit tables stacked (row offsets per table); tag rows padded to one width."""
    if not parts:
        return (
            np.zeros((1, n_m)),
            np.zeros(1, np.int64),
            np.zeros((1, n_e, 1), np.int64),
            (np.zeros((1, n_e), np.int64)),
        )
    offsets = np.concatenate(([0], np.cumsum([p.shape[0] for p in parts])[:-1]))
    width = max(1, max(r.shape[1] for r in rows))
    padded = np.full((len(rows), n_e, width), -1, np.int64)
    for c, r in enumerate(rows):
        padded[c, :, : r.shape[1]] = r
    return np.concatenate(parts), offsets.astype(np.int64), padded, np.stack(counts)


def _concat(keys, values):
    """Listed pairs of every LISTED component, one after another, with bounds."""
    bounds = np.concatenate(([0], np.cumsum([k.size for k in keys]))).astype(np.int64)
    flat_keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    flat_values = np.concatenate(values) if values else np.zeros(0)
    return flat_keys, flat_values, bounds


def score_rows(plan: ScorePlan, f: ScoreTables, start: int, stop: int, out: np.ndarray) -> None:
    """Write the totals of mentees ``start..stop-1`` into ``out`` (float64, C-ordered).

    Parameters
    ----------
    plan : :func:`plan_scores` of ``f``.
    f : the score tables (for the NUMPY components).
    start, stop : the mentee range.
    out : float64 ``(stop - start, n_mentors)``.
    """
    n_m = f.shape[1]
    extra = np.empty((len(plan.numpy_names), stop - start, n_m))
    if plan.numpy_names:
        cells = Cells.block(start, stop, n_m)
        for c, (name, w) in enumerate(zip(plan.numpy_names, plan.numpy_weights, strict=True)):
            extra[c] = component_function(name)(f, cells)
            extra[c] *= w
    rows = np.arange(start, stop, dtype=np.int64)
    fill_runs(plan.steps, plan.weight_sum, plan.arrays, extra, rows, np.zeros_like(rows), out)


def score_chunks(plan: ScorePlan, rows: np.ndarray, starts: np.ndarray, out: np.ndarray) -> None:
    """Write the totals of runs of mentors: ``out[p]`` holds mentee ``rows[p]``'s scores of
    mentors ``starts[p] .. starts[p] + out.shape[1] - 1`` (-inf past the last mentor).

    Each cell is the float the whole row gives (:func:`fill_runs` computes both). For
    plans without NUMPY components (:attr:`ScorePlan.numpy_names` empty).
    """
    if plan.numpy_names:
        raise ValueError("score_chunks: the plan has components computed by numpy")
    rows, starts = np.asarray(rows, np.int64), np.asarray(starts, np.int64)
    fill_runs(plan.steps, plan.weight_sum, plan.arrays, np.empty((0, 0, 0)), rows, starts, out)


@njit(cache=True, nogil=True)
def fill_runs(steps, weight_sum, arrays, extra, rows, starts, out):
    """Each cell's total, component by component in ``steps`` order (see the module):
    ``out[p]`` gets mentee ``rows[p]``'s mentors ``starts[p]`` on (-inf past the last);
    ``extra[c, p]`` is NUMPY component ``c`` of that run, already weighted."""
    flat, t_off, t_shape, e_codes, m_codes = arrays[0], arrays[1], arrays[2], arrays[3], arrays[4]
    credit, c_off, tag_rows, tag_count, credit_w = (
        arrays[5],
        arrays[6],
        arrays[7],
        arrays[8],
        arrays[9],
    )
    l_keys, l_values, l_bounds = arrays[10], arrays[11], arrays[12]
    n_m, width = m_codes.shape[1], out.shape[1]
    part = np.empty(width)  # a tag-credit component of one run
    for p in range(rows.size):
        i, c0 = rows[p], starts[p]
        n = max(0, min(n_m, c0 + width) - c0)
        row = out[p, :n]
        for s in range(steps.shape[0]):
            kind, c = steps[s, 0], steps[s, 1]
            first = s == 0
            if kind == TABLE:
                n_b = t_shape[c, 1]
                base = t_off[c] + (e_codes[c, i] % t_shape[c, 0]) * n_b
                _add_gather(flat[base : base + n_b], m_codes[c, c0 : c0 + n], row, first)
            elif kind == CREDIT:
                mine = part[:n]
                _add_credit(
                    credit, c_off[c], tag_rows[c, i], tag_count[c, i], credit_w[c], c0, mine
                )
                _add(mine, row, first)
            elif kind == LISTED:
                lo, hi = l_bounds[c], l_bounds[c + 1]
                a = lo + np.searchsorted(l_keys[lo:hi], i * n_m + c0)
                b = lo + np.searchsorted(l_keys[lo:hi], i * n_m + c0 + n)
                for q in range(a, b):
                    row[l_keys[q] - i * n_m - c0] += l_values[q]
            else:
                _add(extra[c, p, :n], row, first)
        for j in range(n):
            row[j] /= weight_sum
        out[p, n:] = -np.inf


@njit(cache=True, nogil=True)
def _add(values, row, first):
    """``row = values`` for the first component, else ``row += values``."""
    if first:
        row[:] = values
    else:
        for j in range(row.size):
            row[j] += values[j]


@njit(cache=True, nogil=True)
def _add_gather(table_row, codes, row, first):
    """:func:`_add` of ``table_row[codes]`` (codes already wrapped into range)."""
    if first:
        for j in range(row.size):
            row[j] = table_row[codes[j]]
    else:
        for j in range(row.size):
            row[j] += table_row[codes[j]]


@njit(cache=True, nogil=True)
def _add_credit(credit, offset, tags, count, w, c0, out):
    """Write a mentee's weighted mean tag credit, ``(t[r0] + t[r1] + ...) / max(count, 1) * w``,
    summed as numpy sums it (rows past ``count`` would add exact zeros), into ``out``: the
    mentors ``c0 .. c0 + out.size - 1``."""
    n_tags = min(count, tags.size)
    if n_tags == 0 or tags[0] < 0:  # no tags (or a narrower table's padding)
        out[:] = 0.0
        return
    out[:] = credit[offset + tags[0], c0 : c0 + out.size]
    for q in range(1, n_tags):
        line = credit[offset + tags[q], c0 : c0 + out.size]
        for j in range(out.size):
            out[j] += line[j]
    divisor = float(max(count, 1))
    for j in range(out.size):
        out[j] = out[j] / divisor * w
