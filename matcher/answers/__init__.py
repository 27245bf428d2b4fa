"""Answers to the questions coordinators defend a match with, each exact or checked.

Every answer starts from the certified optimum of the total objective
(:mod:`.optimum`: prepare once, solve once, re-solve changed instances warm from the
optimum's candidate graph) and compares it with an exact re-solve:

* :mod:`.why_not` -- "why didn't this mentee get that mentor?": the rules that forbid
  the pair, in words, or the exact cost of forcing it and who would move where;
* :mod:`.prices` -- what each hard rule costs in places and score, and what one more
  place at a mentor is worth; :mod:`.recruit` -- whom to recruit, checked by simulation;
* :mod:`.alternatives` -- other matchings within a given distance of the optimum, as
  different from each other as a penalty search finds;
* :mod:`.attrition` -- what each mentor's leaving would cost, by exact rematches;
* :mod:`.audit` -- score, coverage and unmatched rate by group, with the gaps flagged;
* :mod:`.receipt` and :mod:`.verify` -- digests of what a result was made from, and a
  re-check of a pairs file against them and against the rules, without any solver.

Results are frozen dataclasses with ``*_to_dict`` functions for JSON. Ids only: no
names or emails.
"""
