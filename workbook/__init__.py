"""The workbook as a file and as a contract: the bottom layer, importing no other package of ours (but one lazy name).

The contract (`layout`), what people type (`values`), reading (`reader`, `xlsxstream`, `raw`), the
sheet model and its rendering (`sheetmodel`, `render_xlsx`), the package writer (`package`,
`ooxml`, `xmltext`, `styles`, `fingerprints`, `zipout`), appending rows (`append`), safe
replacement (`safety`), the VBA project (`xlsm`) and our exceptions (`errors`).

`from workbook import read_frames` is the one exception to the layers (see the README and
tests/test_layers.py): the master as pandas DataFrames needs validation and scoring from
`workplan`, so it lives in `services.frames`, imported only when the name is asked for.
"""


def __getattr__(name: str):
    if name == "read_frames":
        from services.frames import read_frames  # the documented exception: lazy, and only this name

        return read_frames
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
