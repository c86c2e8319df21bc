"""The corpus: many units' published disclosures as one Parquet data set (bulk import on Dask),
comparison of like indicators across units, and the indicator library learned from them.

Pure and database-free: `rows` (one document → rows), `dataset` (the Parquet tables), `build` (the
Dask import), `compare`, `library`. Loading into the database is the web layer's (`web.actions.corpus`).
"""
