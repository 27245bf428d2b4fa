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

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
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


def terms(text: str) -> list[str]:
    """Every feature of ``text``, repeated as often as it occurs."""
    out = []
    for w in words(text):
        out.append(f"w:{w}")
        padded = f" {w} "
        out.extend(f"c:{padded[k : k + 4]}" for k in range(max(1, len(padded) - 3)))
    return out


def tfidf(e_texts: Sequence[str | None], m_texts: Sequence[str | None]):
    """L2-normalised TF-IDF rows of the mentee and the mentor texts (None: unanswered).

    Returns
    -------
    (e_rows, m_rows, e_known, m_known)
        scipy CSR matrices (n_mentees, V) and (n_mentors, V), and bool masks of the texts
        that were answered and hold at least one term.
    """
    docs = [Counter(terms(t)) if t else Counter() for t in (*e_texts, *m_texts)]
    vocab: dict[str, int] = {}
    for doc in docs:
        for term in doc:
            vocab.setdefault(term, len(vocab))
    n_docs = sum(1 for doc in docs if doc)
    df = np.zeros(len(vocab))
    for doc in docs:
        for term in doc:
            df[vocab[term]] += 1
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    indptr, indices, data = [0], [], []
    for doc in docs:
        cols = np.fromiter((vocab[t] for t in doc), np.int64, len(doc))
        counts = np.fromiter(doc.values(), np.float64, len(doc))
        values = (1.0 + np.log(counts)) * idf[cols] if cols.size else counts
        norm = math.sqrt(float(np.dot(values, values))) if cols.size else 1.0
        order = np.argsort(cols)
        indices.append(cols[order])
        data.append(values[order] / norm)
        indptr.append(indptr[-1] + cols.size)
    shape = (len(docs), len(vocab))
    rows = sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            np.concatenate(indices) if indices else np.zeros(0, np.int64),
            np.array(indptr),
        ),
        shape=shape,
    )
    known = np.array([bool(doc) for doc in docs], dtype=bool)
    n_e = len(e_texts)
    return rows[:n_e], rows[n_e:], known[:n_e], known[n_e:]


def shared_words(a: str, b: str, most: int = 3) -> list[str]:
    """The words two texts share, in the first text's order (for explanations)."""
    theirs = set(words(b))
    return [w for w in dict.fromkeys(words(a)) if w in theirs][:most]
