"""The pure domain: rows of the input sheets and the clock in, findings, scores, calendars and
sheet models out. It reads no file and loads no library that does (see tests/test_layers.py).
"""
