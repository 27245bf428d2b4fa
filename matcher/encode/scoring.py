"""Soft pair scores: each component in [0, 1] (external: any real) and their weighted total.

One function per component reads :class:`matcher.encode.score_tables.ScoreTables` at a
:class:`matcher.encode.cells.Cells`; :func:`score_matrix` evaluates them on row blocks of the
full (n_mentees, n_mentors) matrix and :func:`pair_components` on any set of pairs, with
bit-identical results. The total is ``sum(w * s) / sum(w)`` over components with ``w > 0``
(:func:`combine`); with ``scores_only`` it is the external value alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from matcher.encode.cells import Cells
from matcher.encode.person_arrays import shared_any
from matcher.encode.score_tables import ScoreTables, active_components, total_steps
from matcher.model import DepartmentRule, Weights
from matcher.parallel import empty_matrix, for_row_ranges
from matcher.sorted_ints import unique_rows

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "block_components",
    "combine",
    "pair_components",
    "pair_scores",
    "score_block",
    "score_matrix",
    "weighted_tables",
]

_BLOCK_CELLS = 65_536  # mentees per block = this / n_mentors (blocks stay in the L2 cache)
_BLOCK_ROWS = 1_000


def _mean_credit(cells: Cells, table, rows, count) -> np.ndarray:
    """Sum of the table rows of each mentee's tags, divided by their number (0 for none)."""
    total = cells.table_sum(table, rows, count)
    n = cells.mentee(count)
    return np.divide(total, n, out=np.zeros(cells.shape), where=n > 0)


def _skills(f: ScoreTables, cells: Cells) -> np.ndarray:
    return _mean_credit(cells, f.skill_table, f.skill_rows, f.skill_count)


def _goals(f: ScoreTables, cells: Cells) -> np.ndarray:
    return _mean_credit(cells, f.goal_table, f.goal_rows, f.goal_count)


def _seniority(f: ScoreTables, cells: Cells) -> np.ndarray:
    return cells.code_table(f.sen_table, f.e_sen_code, f.m_sen_code)


def _timezone(f: ScoreTables, cells: Cells) -> np.ndarray:
    return cells.code_table(f.tz_table, f.e_tz_code, f.m_tz_code)


def _language(f: ScoreTables, cells: Cells) -> np.ndarray:
    p = f.persons
    if p.e_lang_bits is not None:
        shared = shared_any(p.e_lang_bits, p.m_lang_bits, cells)
    else:
        shared = cells.table_sum(p.lang_table, p.lang_rows, p.lang_count) > 0
    both = (cells.mentee(p.lang_count) > 0) & (cells.mentor(p.m_lang_count) > 0)
    return np.where(shared, 1.0, np.where(both, 0.0, 0.5))


def _same_code(e: np.ndarray, m: np.ndarray, equal: bool, cells: Cells) -> np.ndarray:
    """1 cells both codes are known and (un)equal as asked, 0 otherwise, 0.5 if unknown."""
    e, m = cells.mentee(e), cells.mentor(m)
    hit = (e == m) if equal else (e != m)
    return np.where((e >= 0) & (m >= 0), np.where(hit, 1.0, 0.0), 0.5)


def _location(f: ScoreTables, cells: Cells) -> np.ndarray:
    p = f.persons
    if f.loc_table is not None:  # code -1 (unknown) reads the table's last row / column
        return cells.code_table(f.loc_table, p.e_loc, p.m_loc)
    return _same_code(p.e_loc, p.m_loc, True, cells)


def _department(f: ScoreTables, cells: Cells) -> np.ndarray:
    if f.department_preference is DepartmentRule.ANY:
        return np.zeros(cells.shape)
    p = f.persons
    if f.dept_table is not None:
        return cells.code_table(f.dept_table, p.e_dept, p.m_dept)
    same = f.department_preference is DepartmentRule.SAME
    return _same_code(p.e_dept, p.m_dept, same, cells)


def _preference(f: ScoreTables, cells: Cells) -> np.ndarray:
    return cells.lookup(f.pref_keys, f.pref_values, 0.0)


def _external(f: ScoreTables, cells: Cells) -> np.ndarray:
    return cells.lookup(f.persons.ext_keys, f.persons.ext_values, 0.0)


def _attributes(f: ScoreTables, cells: Cells) -> np.ndarray:
    return f.attributes.score(cells)


def component_function(name: str):
    """The function computing component ``name`` at a :class:`Cells` (features, cells)."""
    return _COMPONENT_FUNCTIONS[name]


_COMPONENT_FUNCTIONS = {
    "skills": _skills,
    "goals": _goals,
    "seniority": _seniority,
    "timezone": _timezone,
    "language": _language,
    "location": _location,
    "department": _department,
    "preference": _preference,
    "external": _external,
    "attributes": _attributes,
}


def _components(f: ScoreTables, cells: Cells) -> dict[str, np.ndarray]:
    out = {}
    for name in f.active:
        values = np.asarray(_COMPONENT_FUNCTIONS[name](f, cells), dtype=np.float64)
        if values.shape != cells.shape:
            values = np.broadcast_to(values, cells.shape).copy()
        out[name] = values
    return out


def combine(
    components: Mapping[str, np.ndarray], weights: Weights, scores_only: bool = False
) -> np.ndarray | np.float64:
    """The weighted total of component scores.

    Parameters
    ----------
    components : component name -> scores (arrays of one shape); must hold every
        component with a positive weight (and ``"external"`` when ``scores_only``).
    weights : the policy's weights.
    scores_only : when True the total is the external value alone.

    Returns
    -------
    np.ndarray or np.float64
        float64 ``sum(w * s) / sum(w)`` over components with ``w > 0``, added in
        :data:`matcher.model.COMPONENTS` order; all zeros when no weight is positive.
        Of the components' shape; 0-d components give a numpy float64 scalar unless
        ``scores_only`` or no weight is positive (numpy's arithmetic unwraps 0-d results).

    Raises
    ------
    KeyError
        If a needed component is missing.
    """
    if scores_only:
        return np.array(components["external"], dtype=np.float64)
    active = active_components(weights)
    if not active:
        shape = np.shape(next(iter(components.values()))) if components else ()
        return np.zeros(shape)
    first = float(getattr(weights, active[0]))
    total = np.multiply(np.asarray(components[active[0]], dtype=np.float64), first)
    part = np.empty_like(total)
    weight_sum = first
    for name in active[1:]:
        w = float(getattr(weights, name))
        np.multiply(components[name], w, out=part)
        total += part
        weight_sum += w
    total /= weight_sum
    return total


def pair_components(
    features: ScoreTables, mentee_idx: ArrayLike, mentor_idx: ArrayLike
) -> dict[str, np.ndarray]:
    """Active component scores of the pairs ``(mentee_idx, mentor_idx)``.

    Parameters
    ----------
    features : from :func:`~matcher.encode.score_tables.score_tables`.
    mentee_idx, mentor_idx : broadcastable integer index arrays: two 1-D arrays of pairs,
        or ``rows[:, None]`` and ``cols[None, :]`` for a block, or scalars.

    Returns
    -------
    dict
        component name -> float64 array of the broadcast shape, for the components in
        ``features.active``; the same numbers, bit for bit, as the matrix path.
    """
    cells = Cells.pairs(mentee_idx, mentor_idx, features.shape[1])
    return _components(features, cells)


def pair_scores(
    features: ScoreTables, mentee_idx: ArrayLike, mentor_idx: ArrayLike
) -> np.ndarray | np.float64:
    """Total scores of the pairs ``(mentee_idx, mentor_idx)`` (see :func:`pair_components`).

    Parameters
    ----------
    features : from :func:`~matcher.encode.score_tables.score_tables`.
    mentee_idx, mentor_idx : as for :func:`pair_components`.

    Returns
    -------
    np.ndarray or np.float64
        float64 totals of the broadcast shape; equal to the matching ``score_matrix`` cells.
        Two scalar indices give a numpy float64 scalar (a 0-d array with ``scores_only``
        or when no weight is positive; see :func:`combine`).
    """
    comps = pair_components(features, mentee_idx, mentor_idx)
    return combine(comps, features.weights, features.scores_only)


def block_components(features: ScoreTables, start: int, stop: int) -> dict[str, np.ndarray]:
    """Active component scores of mentees ``start..stop-1`` against every mentor.

    Parameters
    ----------
    features : from :func:`~matcher.encode.score_tables.score_tables`.
    start, stop : a contiguous range of mentee indices.

    Returns
    -------
    dict
        component name -> float64 array ``(stop - start, n_mentors)``.
    """
    return _components(features, Cells.block(start, stop, features.shape[1]))


def weighted_tables(f: ScoreTables) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Code-table components with the weight folded in: ``w * table`` then a gather
    (language too, by language set, when the sets are few).

    ``(w * table)[a, b]`` is the same float as ``w * table[a, b]``, so the block total
    stays bit-identical to :func:`combine` of the components.
    """
    p, w = f.persons, f.weights
    tables = {
        "seniority": (f.sen_table, f.e_sen_code, f.m_sen_code),
        "timezone": (f.tz_table, f.e_tz_code, f.m_tz_code),
    }
    if f.loc_table is not None:
        tables["location"] = (f.loc_table, p.e_loc, p.m_loc)
    if f.dept_table is not None and f.department_preference is not DepartmentRule.ANY:
        tables["department"] = (f.dept_table, p.e_dept, p.m_dept)
    if "language" in f.active and p.e_lang_bits is not None:
        found = _language_table(f)
        if found is not None:
            tables["language"] = found
    return {name: (t * float(getattr(w, name)), e, m) for name, (t, e, m) in tables.items()}


_LANGUAGE_TABLE_CELLS = 1_000_000  # beyond this many (mentee set, mentor set) pairs: no table


def _language_table(f: ScoreTables) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The language score by (mentee set, mentor set) code: :func:`_language` of one pair
    of people with those sets (0, 0.5 or 1), so a gather gives the same number. None when
    the distinct sets are too many."""
    p = f.persons
    if 0 in f.shape:
        return None
    e_key = np.column_stack([p.e_lang_bits, p.lang_count > 0]).astype(np.uint64)
    m_key = np.column_stack([p.m_lang_bits, p.m_lang_count > 0]).astype(np.uint64)
    e_first, e_code = unique_rows(e_key)
    m_first, m_code = unique_rows(m_key)
    if e_first.size * m_first.size > _LANGUAGE_TABLE_CELLS:
        return None
    cells = Cells.pairs(e_first[:, None], m_first[None, :], f.shape[1])
    table = np.asarray(_language(f, cells), dtype=np.float64)
    return table, e_code, m_code


def _total_block(f: ScoreTables, start: int, stop: int, out: np.ndarray, tables) -> None:
    """Write the weighted total of mentees ``start..stop-1`` into ``out``.

    The same multiplications and additions in the same order as
    ``combine(block_components(f, start, stop))``, with fewer passes over the block.
    ``np.take(..., out=, mode="wrap")``: the default mode buffers ``out`` (3x slower);
    "wrap" reads code -1 (unknown) as the last row / column, as plain indexing does.
    """
    if f.scores_only or not active_components(f.weights):
        out[...] = combine(block_components(f, start, stop), f.weights, f.scores_only)
        return
    cells = Cells.block(start, stop, f.shape[1])
    part = np.empty_like(out)
    steps, weight_sum = total_steps(f, tables)
    for k, (kind, name, w, source) in enumerate(steps):
        target = out if k == 0 else part
        if kind == "table":
            table, e_code, m_code = source
            np.take(table[e_code[start:stop]], m_code, axis=1, out=target, mode="wrap")
        elif kind == "credit":
            _block_mean_credit(*source, start, stop, target)
            target *= w
        elif kind == "listed":
            keys, values = source
            n_m = f.shape[1]
            lo, hi = np.searchsorted(keys, [start * n_m, stop * n_m])
            hit = keys[lo:hi]
            out[hit // n_m - start, hit % n_m] += values[lo:hi] * w
            continue
        else:
            target[...] = _COMPONENT_FUNCTIONS[name](f, cells)
            target *= w
        if k > 0:
            out += part
    out /= weight_sum


def score_block(
    features: ScoreTables, start: int, stop: int, out: np.ndarray, tables: dict | None = None
) -> None:
    """Write the total scores of mentees ``start..stop-1`` into ``out``, as the matrix has them.

    Parameters
    ----------
    features : from :func:`~matcher.encode.score_tables.score_tables`.
    start, stop : a contiguous range of mentee indices.
    out : float64 ``(stop - start, n_mentors)``, written in place.
    tables : :func:`weighted_tables` of ``features`` (computed when not given).
    """
    tables = weighted_tables(features) if tables is None else tables
    _total_block(features, start, stop, out, tables)


def _block_mean_credit(table, rows, count, start: int, stop: int, out: np.ndarray) -> None:
    """:func:`_mean_credit` of a block of mentees, written into ``out``."""
    width = int(count[start:stop].max(initial=0))
    if width == 0:
        out[...] = 0.0
        return
    np.take(table, rows[start:stop, 0], axis=0, out=out, mode="wrap")
    if width > 1:
        buf = np.empty_like(out)
        for q in range(1, width):
            np.take(table, rows[start:stop, q], axis=0, out=buf, mode="wrap")
            out += buf
    out /= np.maximum(count[start:stop], 1)[:, None]


def score_matrix(
    features: ScoreTables, block_rows: int | None = None, *, threads: int | None = None
) -> np.ndarray:
    """The (n_mentees, n_mentors) float64 matrix of total pair scores.

    Computed in row blocks (about 65,000 cells, at most 1,000 mentees each) so that
    temporaries stay in the cache; with ``threads > 1`` the blocks are shared out among
    threads (numpy releases the GIL). Every block is computed the same way whatever the
    thread count, so the matrix is the same bit for bit.

    Parameters
    ----------
    features : from :func:`~matcher.encode.score_tables.score_tables`.
    block_rows : mentees per block (default: chosen from the number of mentors).
    threads : worker threads (default: :func:`matcher.parallel.default_threads`).

    Returns
    -------
    np.ndarray
        float64 ``(n_mentees, n_mentors)``.
    """
    n_e, n_m = features.shape
    out = empty_matrix((n_e, n_m))
    if block_rows is None:
        block_rows = max(1, min(_BLOCK_ROWS, _BLOCK_CELLS // max(1, n_m)))
    tables = weighted_tables(features)

    def run(start: int, stop: int) -> None:
        for r0 in range(start, stop, block_rows):
            r1 = min(stop, r0 + block_rows)
            _total_block(features, r0, r1, out[r0:r1], tables)

    for_row_ranges(run, n_e, block_rows, threads)
    return out
