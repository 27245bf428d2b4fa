"""Everything that crosses the file boundary: sheets in, pair files out, policy files.

Decoding (:mod:`.decode`), field parsing (:mod:`.fields`), one validator reporting every
problem (:mod:`.validate`, :mod:`.records`), cohort and pair files (:mod:`.cohort_csv`,
:mod:`.pair_files`), policy presets and files (:mod:`.policy`, :mod:`.policy_checks`), and
the synthetic cohort generator (:mod:`.generate`).
"""
