"""Services the commands share, above the domain: building a master and the demo, form files,
report files, the roll-up, the weekly watcher, logging, the command-line plumbing, launchers.

Each module stands on `workbook` (the file and its contract) and `workplan` (the pure domain);
only `sync.py`, `reports.py` and `macros/` stand on it.
"""
