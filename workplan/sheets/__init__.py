"""Rendering results as generated sheets: pure functions from domain values to `SheetModel`s."""
