"""A cohort and a policy as arrays, built once by :func:`matcher.encode.prepare.prepare`.

Per-person arrays (:mod:`.person_arrays`), the reporting chain (:mod:`.orgchart`), hard
rules as masks and the reasons they give (:mod:`.rules`), score tables and the numpy score
matrix (:mod:`.score_tables`, :mod:`.scoring`), evaluated on blocks or pair lists
(:mod:`.cells`), scores computed on demand for large cohorts (:mod:`.lazy_scores`), and
the solver-facing :class:`~matcher.encode.instance.Instance`.
"""
