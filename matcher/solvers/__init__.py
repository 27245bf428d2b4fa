"""The solvers: candidate graph and certificate, flow (with side rules), fair, stable, CP-SAT.

Each takes an :class:`~matcher.encode.instance.Instance` and returns a
:class:`~matcher.encode.instance.Solution`; :mod:`.dispatch` picks one by name.
"""
