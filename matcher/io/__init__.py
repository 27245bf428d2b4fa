"""Everything that crosses the file boundary: sheets in, pair files out, policy files.

Decoding (:mod:`.decode`, and :mod:`.xlsx` for workbooks), field parsing (:mod:`.fields`,
:mod:`.timezones`, :mod:`.forms`), one validator reporting every problem
(:mod:`.validate`, :mod:`.records`), sheets of people with or without a mapping
(:mod:`.sheets`; mappings: :mod:`.mapping`, :mod:`.mapped`, suggested by :mod:`.suggest`
and written by :mod:`.mapping_file`; what was understood: :mod:`.understood`), cohort and
pair files (:mod:`.cohort_csv`, :mod:`.pair_files`, :mod:`.pairs_workbook`,
:mod:`.intros`), policy presets and files (:mod:`.policy`, :mod:`.policy_checks`), and the
synthetic cohort generator (:mod:`.generate`).
"""
