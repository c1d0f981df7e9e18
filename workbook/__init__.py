"""The workbook as a file and as a contract: the bottom layer, importing no other package of ours.

The contract (`layout`), what people type (`values`), reading (`reader`, `xlsxstream`, `raw`), the
sheet model and its rendering (`sheetmodel`, `render_xlsx`), the package writer (`package`,
`ooxml`, `xmltext`, `styles`, `fingerprints`, `zipout`), appending rows (`append`), safe
replacement (`safety`), the VBA project (`xlsm`) and our exceptions (`errors`).
"""
