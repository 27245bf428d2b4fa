"""Free-text similarity: TF-IDF vectors of words and character 4-grams, cosine per pair.

The definition (the independent checker re-derives it in plain Python):

* **terms** of a text: its words (runs of letters or digits, lower case) that are at
  least two characters long and not in :data:`STOP_WORDS`; each word ``w`` gives the
  feature ``w:w`` and the features ``c:g`` for every 4-character slice ``g`` of
  ``" w "`` (the word padded with a space each side; the whole padded word when shorter),
  so "leading" and "leadership" share features;
* **weights**: over the corpus of one rule (every answered mentee and mentor text),
  ``tf = 1 + ln(count)``, ``idf = ln((1 + N) / (1 + df)) + 1``; each text's vector is
  ``tf * idf`` divided by its Euclidean length;
* **similarity** of two answered texts is the dot product of their vectors, in [0, 1].

Vectors are sparse (scipy CSR); a block of mentees against every mentor is one sparse
product, single pairs a row-wise product (equal to 1e-12).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

WORD = re.compile(r"[^\W_]+")
STOP_WORDS = frozenset(
    """a about also am an and any are as at be been but by can could do for from get
    have how i if in into is it its just me more my no not of on or our so some than
    that the their them then there they this to up us want was we well what when which
    who will with would you your""".split()
)


def words(text: str) -> list[str]:
    """The words of ``text`` that count (see the module docstring)."""
    return [w for w in WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


@lru_cache(maxsize=65_536)
def _word_terms(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    grams = (f"c:{padded[k : k + 4]}" for k in range(max(1, len(padded) - 3)))
    return (f"w:{word}", *grams)


def terms(text: str) -> list[str]:
    """Every feature of ``text``, repeated as often as it occurs."""
    return [term for w in words(text) for term in _word_terms(w)]


DENSE_MENTOR_CELLS = 4_000_000  # mentor vectors kept dense (terms x mentors) up to this


@dataclass(frozen=True, eq=False)
class TextVectors:
    """Unit TF-IDF rows of the mentees' and the mentors' texts, and who answered.

    ``m_dense_t`` is the mentors' matrix transposed and dense when it is small (a sparse
    block times a dense matrix is the fast product), else None.
    """

    e_rows: sparse.csr_matrix
    m_rows: sparse.csr_matrix
    e_known: np.ndarray
    m_known: np.ndarray
    m_dense_t: np.ndarray | None = None


def tfidf(e_texts: Sequence[str | None], m_texts: Sequence[str | None]) -> TextVectors:
    """L2-normalised TF-IDF rows of the mentee and the mentor texts (None: unanswered).

    Returns
    -------
    TextVectors
        Texts that were answered and hold at least one term are ``known``.
    """
    from scipy import sparse  # loaded only for cohorts with free-text questions

    vocab: dict[str, int] = {}
    docs, cols, counts = [], [], []
    for k, text in enumerate((*e_texts, *m_texts)):
        found = Counter(terms(text)) if text else Counter()
        for term, count in found.items():
            docs.append(k)
            cols.append(vocab.setdefault(term, len(vocab)))
            counts.append(count)
    n_all = len(e_texts) + len(m_texts)
    docs_a = np.array(docs, np.int64)
    cols_a = np.array(cols, np.int64)
    known = np.zeros(n_all, bool)
    known[docs_a] = True
    df = np.bincount(cols_a, minlength=len(vocab)).astype(np.float64)
    idf = np.log((1.0 + known.sum()) / (1.0 + df)) + 1.0
    values = (1.0 + np.log(np.array(counts, np.float64))) * idf[cols_a]
    length = np.sqrt(np.bincount(docs_a, weights=values * values, minlength=n_all))
    values = values / np.where(length > 0, length, 1.0)[docs_a]
    rows = sparse.csr_matrix((values, (docs_a, cols_a)), shape=(n_all, len(vocab)))
    n_e = len(e_texts)
    e_rows, m_rows = rows[:n_e], rows[n_e:]
    dense = None
    if len(vocab) * len(m_texts) <= DENSE_MENTOR_CELLS:
        dense = np.ascontiguousarray(m_rows.T.toarray())
    return TextVectors(e_rows, m_rows, known[:n_e], known[n_e:], dense)


def shared_words(a: str, b: str, most: int = 3) -> list[str]:
    """The words two texts share, in the first text's order (for explanations)."""
    theirs = set(words(b))
    return [w for w in dict.fromkeys(words(a)) if w in theirs][:most]
