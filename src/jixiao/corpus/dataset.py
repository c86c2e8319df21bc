"""The corpus data set on disk: three partitioned Parquet tables in one directory.

```
DATASET/documents/part-RUN-00001.parquet   one row per document (status, message, unit-year fields)
DATASET/projects/part-RUN-00001.parquet    one row per project table
DATASET/indicators/part-RUN-00001.parquet  one row per indicator
```
A partition is one Dask task's batch of documents. Its projects and indicators files are written
first and its documents file last, each through a temporary name and a rename, so a documents file
marks a finished partition: a run that was stopped leaves at most orphan files, which the next run
removes. A document is keyed by content hash + path; when a path's content changed, the newest run's
row is the current one (`current_documents`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from jixiao.corpus.rows import DOCUMENT_COLUMNS, INDICATOR_COLUMNS, PROJECT_COLUMNS

TABLES: dict[str, dict[str, str]] = {
    "documents": DOCUMENT_COLUMNS,
    "projects": PROJECT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
}

_TYPES = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}


def schema(table: str) -> pa.Schema:
    return pa.schema([(name, _TYPES[t]) for name, t in TABLES[table].items()])


def to_table(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    sch = schema(table)
    cols = {name: [r.get(name) for r in rows] for name in sch.names}
    return pa.Table.from_pydict(cols, schema=sch)


def _write_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def write_partition(out: str | Path, part: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Write one partition's three files; the documents file last (it marks the partition done)."""
    out = Path(out)
    for table in ("indicators", "projects", "documents"):
        _write_atomic(to_table(table, rows.get(table, [])), out / table / f"{part}.parquet")


def partitions(out: str | Path, table: str = "documents") -> list[Path]:
    d = Path(out) / table
    return sorted(d.glob("part-*.parquet")) if d.is_dir() else []


def remove_orphans(out: str | Path) -> int:
    """Delete temporary files and partitions a stopped run left without their documents file."""
    out = Path(out)
    done = {p.name for p in partitions(out)}
    n = 0
    for table in TABLES:
        d = out / table
        if not d.is_dir():
            continue
        for f in d.iterdir():
            if f.name.endswith(".tmp") or (
                table != "documents" and f.suffix == ".parquet" and f.name not in done
            ):
                f.unlink()
                n += 1
    return n


def read(out: str | Path, table: str, columns: list[str] | None = None) -> pa.Table:
    """All partitions of one table (an empty table with the schema when there are none)."""
    files = partitions(out, table)
    sch = schema(table)
    if columns is not None:
        sch = pa.schema([sch.field(c) for c in columns])
    if not files:
        return sch.empty_table()
    return pa.concat_tables(
        [pq.read_table(f, columns=columns, schema=schema(table)).select(sch.names) for f in files]
    )


def current_documents(out: str | Path, columns: list[str] | None = None) -> pa.Table:
    """The documents table with, for each path, only the newest run's row."""
    cols = None if columns is None else list(dict.fromkeys(["path", "run", *columns]))
    t = read(out, "documents", cols)
    if t.num_rows == 0:
        return t if columns is None else t.select(columns)
    newest = t.group_by("path").aggregate([("run", "max")])
    t = t.join(newest, keys=["path", "run"], right_keys=["path", "run_max"], join_type="inner")
    t = t.sort_by([("path", "ascending")])
    return t if columns is None else t.select(columns)


def read_current(out: str | Path, table: str, columns: list[str] | None = None) -> pa.Table:
    """Projects or indicators of the current documents only (a path's superseded contents dropped)."""
    t = read(out, table, columns if columns is None else list(dict.fromkeys(["sha256", "path", *columns])))
    docs = read(out, "documents", ["sha256", "path", "run"])
    if docs.num_rows and docs.num_rows != len(set(docs.column("path").to_pylist())):
        cur = current_documents(out, ["sha256", "path"])
        t = t.join(cur, keys=["sha256", "path"], join_type="inner")
    return t if columns is None else t.select(columns)
