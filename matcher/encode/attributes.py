"""The programme's own questions as arrays: one table per policy attribute rule.

Answers are compared as sets (a choice is a set of one, a number the set of its value,
text through the tag normaliser), so one definition serves every kind of question:

* ``same`` / ``different``: 1 when the answers share a value (do not), else 0;
* ``overlap``: the share of the mentee's answers the mentor has;
* ``closeness``: ``max(0, 1 - |a - b| / within)`` between two numbers;
* ``similar``: TF-IDF cosine similarity of free text (:mod:`matcher.encode.text`);
* ``must_match`` / ``must_differ``: hard rules: answers that share nothing (that share a
  value) forbid the pair.

A soft rule scores 0.5 where either side did not answer, and a hard rule never forbids
such a pair, as the other rules of :mod:`matcher.encode.rules` treat unknown values. The
``attributes`` score component is the weighted mean of the soft rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matcher.encode.cells import Cells
from matcher.encode.person_arrays import bitsets, padded, shared_any
from matcher.model import AttributeMatch, AttributeRule, Cohort, InputError, Problem

if TYPE_CHECKING:  # scipy loads only when a cohort has free-text questions
    from matcher.encode.text import TextVectors


@dataclass(frozen=True, eq=False)
class _Sets:
    """Answers as bit sets over one vocabulary, and as padded rows of a mentor table."""

    e_bits: np.ndarray
    m_bits: np.ndarray
    e_known: np.ndarray
    m_known: np.ndarray
    table: np.ndarray
    rows: np.ndarray
    count: np.ndarray

    def share(self, cells: Cells) -> np.ndarray:
        return np.broadcast_to(shared_any(self.e_bits, self.m_bits, cells), cells.shape)

    def known(self, cells: Cells) -> np.ndarray:
        return cells.mentee(self.e_known) & cells.mentor(self.m_known)


@dataclass(frozen=True, eq=False)
class AttributeTable:
    """One rule, encoded: ``sets`` for set rules, ``codes`` for closeness, ``text`` for
    similarity (the other fields are None)."""

    rule: AttributeRule
    sets: _Sets | None = None
    codes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    text: TextVectors | None = None

    def score(self, cells: Cells) -> np.ndarray:
        """The rule's score in [0, 1] at ``cells`` (0.5 where either side is unanswered)."""
        match = self.rule.rule
        if self.codes is not None:
            table, e_code, m_code = self.codes
            return cells.code_table(table, e_code, m_code)
        if self.text is not None:
            t = self.text
            known = cells.mentee(t.e_known) & cells.mentor(t.m_known)
            similar = cells.sparse_dot(t.e_rows, t.m_rows, t.m_dense_t)
            return np.where(known, np.clip(similar, 0.0, 1.0), 0.5)
        s = self.sets
        known = s.known(cells)
        if match is AttributeMatch.OVERLAP:
            total = cells.table_sum(s.table, s.rows, s.count)
            n = cells.mentee(s.count)
            credit = np.divide(total, n, out=np.zeros(cells.shape), where=n > 0)
            return np.where(known, credit, 0.5)
        hit = s.share(cells) if match is AttributeMatch.SAME else ~s.share(cells)
        return np.where(known, np.where(hit, 1.0, 0.0), 0.5)

    def forbids(self, cells: Cells) -> np.ndarray:
        """Bool at ``cells``: the hard rule forbids the pair."""
        s = self.sets
        share = s.share(cells)
        clash = ~share if self.rule.rule is AttributeMatch.MUST_MATCH else share
        return s.known(cells) & clash


@dataclass(frozen=True, eq=False)
class AttributeTables:
    """Every attribute rule of a policy, encoded; soft and hard apart."""

    soft: tuple[AttributeTable, ...] = ()
    hard: tuple[AttributeTable, ...] = ()

    def score(self, cells: Cells) -> np.ndarray:
        """The ``attributes`` component: the soft rules' weighted mean (0 with none)."""
        weight = sum(t.rule.weight for t in self.soft)
        total = np.zeros(cells.shape)
        for table in self.soft:
            if table.rule.weight > 0:
                total += table.rule.weight * table.score(cells)
        return total / weight if weight > 0 else total

    def forbids(self, cells: Cells) -> np.ndarray | None:
        """Bool at ``cells``: some hard rule forbids the pair (None without hard rules)."""
        out = None
        for table in self.hard:
            mask = table.forbids(cells)
            out = mask if out is None else out | mask
        return out


def _answers(value, norm: Callable[[str], str]) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, tuple):
        return frozenset(norm(v) for v in value if str(v).strip())
    if isinstance(value, float | int):
        return frozenset({repr(float(value))})
    return frozenset({norm(value)}) if str(value).strip() else frozenset()


def _sets(e_values, m_values, norm) -> _Sets:
    e_sets = [_answers(v, norm) for v in e_values]
    m_sets = [_answers(v, norm) for v in m_values]
    vocab: dict[str, int] = {}
    e_lists = [sorted(vocab.setdefault(t, len(vocab)) for t in s) for s in e_sets]
    m_lists = [sorted(vocab.setdefault(t, len(vocab)) for t in s) for s in m_sets]
    table = np.zeros((len(vocab) + 1, len(m_sets)))
    for j, tags in enumerate(m_lists):
        table[tags, j] = 1.0
    rows, count = padded(e_lists, len(vocab))
    return _Sets(
        bitsets(e_lists, len(vocab)),
        bitsets(m_lists, len(vocab)),
        np.array([bool(s) for s in e_sets]),
        np.array([bool(s) for s in m_sets]),
        table,
        rows,
        count,
    )


def _closeness(e_values, m_values, within: float) -> tuple[np.ndarray, ...]:
    def codes(values):
        known = np.array([v is not None for v in values], dtype=bool)
        numbers = np.array([0.0 if v is None else float(v) for v in values])
        distinct = np.unique(numbers[known])
        return distinct, np.where(known, np.searchsorted(distinct, numbers), distinct.size)

    e_distinct, e_code = codes(e_values)
    m_distinct, m_code = codes(m_values)
    table = np.full((e_distinct.size + 1, m_distinct.size + 1), 0.5)
    apart = np.abs(e_distinct[:, None] - m_distinct[None, :])
    table[:-1, :-1] = np.maximum(0.0, 1.0 - apart / within)
    return table, e_code, m_code


def _text(value) -> str | None:
    if isinstance(value, tuple):
        return " ".join(value) or None
    return str(value) if value is not None and str(value).strip() else None


def rule_problems(cohort: Cohort, rules: tuple[AttributeRule, ...]) -> list[Problem]:
    """Rules naming a question nobody answered, or comparing non-numbers by closeness."""
    problems = []
    asked = {name for p in (*cohort.mentees, *cohort.mentors) for name, _ in p.attributes}
    for k, rule in enumerate(rules):
        sides = (("attribute", rule.attribute, cohort.mentees),)
        sides += (("mentor_attribute", rule.mentor_name, cohort.mentors),)
        for key, name, people in sides:
            values = [p.attribute(name) for p in people if p.attribute(name) is not None]
            where = dict(row=k, column=f"attributes[{k}].{key}", value=name, source="policy")
            if name not in asked:
                close = difflib.get_close_matches(name, sorted(asked), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                known = ", ".join(sorted(asked)) or "none"
                message = f"no one in the cohort answered this question{hint} (known: {known})"
                problems.append(Problem(message, **where))
            elif rule.rule is AttributeMatch.CLOSENESS and any(
                not isinstance(v, float | int) for v in values
            ):
                problems.append(Problem("closeness compares numbers; answers are not", **where))
    return problems


def encode_attributes(
    cohort: Cohort, rules: tuple[AttributeRule, ...], norm: Callable[[str], str]
) -> AttributeTables:
    """Encode every rule of ``rules`` for ``cohort``.

    Raises
    ------
    InputError
        If a rule names a question nobody answered or compares non-numbers by closeness.
    """
    problems = rule_problems(cohort, rules)
    if problems:
        raise InputError(problems, title="the policy's question rules do not fit the cohort")
    soft, hard = [], []
    for rule in rules:
        e_values = [p.attribute(rule.attribute) for p in cohort.mentees]
        m_values = [p.attribute(rule.mentor_name) for p in cohort.mentors]
        if rule.rule is AttributeMatch.CLOSENESS:
            table = AttributeTable(rule, codes=_closeness(e_values, m_values, rule.within))
        elif rule.rule is AttributeMatch.SIMILAR:
            from matcher.encode.text import tfidf

            vectors = tfidf([_text(v) for v in e_values], [_text(v) for v in m_values])
            table = AttributeTable(rule, text=vectors)
        else:
            table = AttributeTable(rule, sets=_sets(e_values, m_values, norm))
        (hard if rule.hard else soft).append(table)
    return AttributeTables(tuple(soft), tuple(hard))
