"""Per-person arrays of a cohort: the encoding the hard rules and simple scores read.

Tags pass through the policy's aliases once more (the reader already normalised the
cohort, but a policy may bring aliases of its own). Set-like attributes are stored as a
*table* (one row per tag, one column per mentor, plus a zero pad row) and a padded
per-mentee list of table rows: "how many of mentee ``i``'s tags does mentor ``j`` have"
is then a sum of a few gathered rows, the same additions in the same order whether a
block of mentees or single pairs are evaluated (see :mod:`matcher.encode.cells`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.encode.cells import Cells, sorted_lookup
from matcher.io.fields import alias_table, normalise_tag
from matcher.model import Cohort

MINUTES_PER_DAY = 1440


def tag_normaliser(aliases: Iterable[tuple[str, str]] = ()) -> Callable[[str], str]:
    """A function normalising a tag like the cohort reader, then applying ``aliases``.

    Parameters
    ----------
    aliases : (alias, canonical) pairs; both sides are normalised before use.

    Returns
    -------
    callable
        ``str -> str``: :func:`matcher.io.records.normalise_tag` with the alias table built once,
        memoised (a cohort repeats a few hundred distinct tags many thousand times).
    """
    table = alias_table(tuple(aliases))
    seen: dict[str, str] = {}

    def normalise(text: str) -> str:
        found = seen.get(text)
        if found is None:
            tag = normalise_tag(text)
            found = seen[text] = table.get(tag, tag)
        return found

    return normalise


def circular_minutes(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray | np.int64:
    """Minutes between two UTC offsets around the clock: ``min(|a-b|, 1440-|a-b|)``.

    Parameters
    ----------
    a, b : UTC offsets in minutes (int arrays that broadcast, or ints).

    Returns
    -------
    np.ndarray or np.int64
        int64 of the broadcast shape; a numpy scalar when both are scalars.
    """
    d = np.abs(np.asarray(b, np.int64) - np.asarray(a, np.int64)) % MINUTES_PER_DAY
    return np.minimum(d, MINUTES_PER_DAY - d)


def preference_lists(
    cohort: Cohort,
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Stated ``prefer`` lists by index, keeping only the other role's ids, first mention wins.

    Returns
    -------
    (mentee_prefs, mentor_prefs)
        One tuple of indices per mentee (mentor indices) and per mentor (mentee indices).
    """
    mentor_at = {m.id: j for j, m in enumerate(cohort.mentors)}
    mentee_at = {e.id: i for i, e in enumerate(cohort.mentees)}

    def mapped(ids, at):
        return tuple(dict.fromkeys(at[x] for x in ids if x in at))

    return (
        tuple(mapped(e.prefer, mentor_at) for e in cohort.mentees),
        tuple(mapped(m.prefer, mentee_at) for m in cohort.mentors),
    )


# --------------------------------------------------------------------------- arrays


@dataclass(frozen=True, eq=False)
class PersonArrays:
    """Per-person arrays the hard rules and simple components read.

    Seniority and UTC offsets come with a ``*_known`` mask; department and location are
    codes into ``departments`` / ``locations`` (-1: unknown). Languages are a table
    ``(n_languages + 1, n_mentors)`` of 0/1 with a zero pad row, and padded mentee rows.
    External scores are sorted pair keys (``mentee * n_mentors + mentor``) and values.
    """

    mentee_ids: tuple[str, ...]
    mentor_ids: tuple[str, ...]
    e_sen: np.ndarray
    e_sen_known: np.ndarray
    m_sen: np.ndarray
    m_sen_known: np.ndarray
    e_tz: np.ndarray
    e_tz_known: np.ndarray
    m_tz: np.ndarray
    m_tz_known: np.ndarray
    departments: tuple[str, ...]
    e_dept: np.ndarray
    m_dept: np.ndarray
    locations: tuple[str, ...]
    e_loc: np.ndarray
    m_loc: np.ndarray
    languages: tuple[str, ...]
    lang_table: np.ndarray
    lang_rows: np.ndarray
    lang_count: np.ndarray
    m_lang_count: np.ndarray
    ext_keys: np.ndarray
    ext_values: np.ndarray
    e_lang_bits: np.ndarray | None = None
    m_lang_bits: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.mentee_ids), len(self.mentor_ids))


def _known(values) -> tuple[np.ndarray, np.ndarray]:
    known = np.array([v is not None for v in values], dtype=bool)
    return np.array([0 if v is None else v for v in values], dtype=np.int64), known


def _codes(e_values, m_values, norm) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    vocab: dict[str, int] = {}
    coded = []
    for values in (e_values, m_values):
        out = []
        for v in values:
            out.append(-1 if not v else vocab.setdefault(norm(v), len(vocab)))
        coded.append(np.array(out, dtype=np.int64))
    return tuple(vocab), coded[0], coded[1]


def tag_table(
    e_sets: Iterable[Iterable[str]],
    m_sets: Iterable[Iterable[str]],
    vocab: dict[str, int] | None = None,
) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
    """Encode tag sets as a mentor table and padded mentee rows (see the module docstring).

    Parameters
    ----------
    e_sets, m_sets : per-mentee and per-mentor iterables of already normalised tags.
    vocab : tag -> row, extended in place with new tags (default: a fresh one).

    Returns
    -------
    (vocab, table, rows, count)
        ``table`` float64 ``(len(vocab) + 1, n_mentors)``; ``rows`` int64
        ``(n_mentees, max count)`` padded with the zero row; ``count`` int64 per mentee.
    """
    vocab = {} if vocab is None else vocab
    e_lists = [sorted({vocab.setdefault(t, len(vocab)) for t in s}) for s in e_sets]
    m_lists = [{vocab.setdefault(t, len(vocab)) for t in s} for s in m_sets]
    pad = len(vocab)
    table = np.zeros((pad + 1, len(m_lists)))
    for j, tags in enumerate(m_lists):
        table[list(tags), j] = 1.0
    rows, count = padded(e_lists, pad)
    return vocab, table, rows, count


def padded(lists: Sequence[Sequence[int]], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Lists of ints as an int64 matrix padded with ``pad``, and their lengths."""
    count = np.array([len(x) for x in lists], dtype=np.int64)
    rows = np.full((len(lists), int(count.max(initial=0))), pad, dtype=np.int64)
    for i, x in enumerate(lists):
        rows[i, : len(x)] = x
    return rows, count


def bitsets(lists: Sequence[Collection[int]], n_tags: int) -> np.ndarray:
    """Sets of tag numbers (``0 <= tag < n_tags``) as uint64 bit sets, one row per set.

    Parameters
    ----------
    lists : one collection of tag numbers per person (lists or int arrays).
    n_tags : the vocabulary size.

    Returns
    -------
    np.ndarray
        uint64 ``(len(lists), max(1, ceil(n_tags / 64)))``; bit ``t % 64`` of word
        ``t // 64`` is set when the person has tag ``t``.

    Raises
    ------
    ValueError
        If a tag number is outside ``0 <= tag < n_tags``.
    """
    words = max(1, -(-n_tags // 64))
    out = np.zeros((len(lists), words), dtype=np.uint64)
    sizes = [len(tags) for tags in lists]
    who = np.repeat(np.arange(len(lists)), sizes)
    tags = np.fromiter((t for x in lists for t in x), np.int64, int(sum(sizes)))
    if (tags < 0).any() or (tags >= n_tags).any():
        raise ValueError(f"tag numbers must be in [0, {n_tags}); got {tags.min()}..{tags.max()}")
    bits = np.left_shift(np.uint64(1), (tags % 64).astype(np.uint64))
    np.bitwise_or.at(out, (who, tags // 64), bits)
    return out


def shared_any(e_bits: np.ndarray, m_bits: np.ndarray, cells: Cells) -> np.ndarray:
    """Bool at ``cells``: the mentee's and the mentor's bit sets intersect.

    Parameters
    ----------
    e_bits, m_bits : uint64 bit sets from :func:`bitsets`, one row per mentee / mentor.
    cells : a :class:`matcher.encode.cells.Cells`.

    Returns
    -------
    np.ndarray
        bool of ``cells.shape``.
    """
    out = None
    for w in range(e_bits.shape[1]):
        hit = (cells.mentee(e_bits[:, w]) & cells.mentor(m_bits[:, w])) != 0
        out = hit if out is None else out | hit
    return np.broadcast_to(out, cells.shape)


def person_arrays(cohort: Cohort, norm: Callable[[str], str]) -> PersonArrays:
    """The per-person arrays of ``cohort``, tags through ``norm``.

    Parameters
    ----------
    cohort : the validated cohort.
    norm : the tag normaliser (:func:`tag_normaliser` of the policy's aliases).

    Returns
    -------
    PersonArrays
    """
    es, ms = cohort.mentees, cohort.mentors
    e_sen, e_sen_known = _known([p.seniority for p in es])
    m_sen, m_sen_known = _known([p.seniority for p in ms])
    e_tz, e_tz_known = _known([p.utc_offset_minutes for p in es])
    m_tz, m_tz_known = _known([p.utc_offset_minutes for p in ms])
    departments, e_dept, m_dept = _codes(
        [p.department for p in es], [p.department for p in ms], norm
    )
    locations, e_loc, m_loc = _codes([p.location for p in es], [p.location for p in ms], norm)
    languages, lang_table, lang_rows, lang_count = tag_table(
        [[norm(x) for x in p.languages] for p in es], [[norm(x) for x in p.languages] for p in ms]
    )
    e_lists = [r[:n] for r, n in zip(lang_rows.tolist(), lang_count.tolist(), strict=True)]
    e_lang_bits = bitsets(e_lists, len(languages))
    m_tags, m_who = np.nonzero(lang_table[:-1])
    m_lists = np.split(
        m_tags[np.argsort(m_who, kind="stable")],
        np.cumsum(np.bincount(m_who, minlength=len(ms)))[:-1],
    )
    m_lang_bits = bitsets(m_lists, len(languages))
    ext = cohort.external_scores
    if ext is None:
        ext_keys, ext_values = np.zeros(0, np.int64), np.zeros(0)
    else:
        ext_keys, ext_values = sorted_lookup(
            ext.mentee_index, ext.mentor_index, np.asarray(ext.value, np.float64), len(ms)
        )
    return PersonArrays(
        mentee_ids=cohort.mentee_ids,
        mentor_ids=cohort.mentor_ids,
        e_sen=e_sen,
        e_sen_known=e_sen_known,
        m_sen=m_sen,
        m_sen_known=m_sen_known,
        e_tz=e_tz,
        e_tz_known=e_tz_known,
        m_tz=m_tz,
        m_tz_known=m_tz_known,
        departments=departments,
        e_dept=e_dept,
        m_dept=m_dept,
        locations=locations,
        e_loc=e_loc,
        m_loc=m_loc,
        languages=tuple(languages),
        lang_table=lang_table,
        lang_rows=lang_rows,
        lang_count=lang_count,
        m_lang_count=lang_table[:-1].sum(axis=0).astype(np.int64),
        ext_keys=ext_keys,
        ext_values=ext_values,
        e_lang_bits=e_lang_bits,
        m_lang_bits=m_lang_bits,
    )
