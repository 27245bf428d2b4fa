"""What-if work on top of :func:`matcher.solve.solve`: change sets (:mod:`.changes`),
scenarios and sweeps (:mod:`.scenarios`, :mod:`.sweep`), comparisons (:mod:`.compare`), and
the exact minimal-disruption rematch with its moves (:mod:`.rematch`, :mod:`.moves`)."""
