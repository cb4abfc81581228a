"""Datasets as Kiln's TypeScript side writes them (tabular/src): an Arrow IPC file, uncompressed, whose
columns are Int32 (``int``), Float64 (``float``), Bool (``bool``), Timestamp(ms, UTC) (``date``) or
Utf8 (``string``), with the column statistics of ``datasetValueSchema`` computed as
``tabular/src/stats-accumulators.ts`` does (20 equal-width bins, top 20 values, 100,000 distinct).
"""

from __future__ import annotations

import math
import os
import tempfile
from datetime import datetime, timezone
from typing import Any, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .store import ArtifactStore
from .values import ARROW_FILE_MEDIA_TYPE

HISTOGRAM_BINS = 20
TOP_VALUES = 20
MAX_DISTINCT = 100_000
BATCH_ROWS = 65_536
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class DatasetError(ValueError):
    """A table that cannot become a Kiln dataset (a column of an unsupported type)."""


def _as_table(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise DatasetError(f"a Dataset output must be a pyarrow.Table or a pandas.DataFrame, not {type(data).__name__}")


def _kiln_column(name: str, column: pa.ChunkedArray) -> tuple[str, pa.ChunkedArray]:
    """The column as one of the five Arrow types Kiln's datasets hold, and its Kiln type."""
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
        t = column.type
    if pa.types.is_boolean(t):
        return "bool", column
    if pa.types.is_integer(t):
        lo, hi = pc.min(column).as_py(), pc.max(column).as_py()
        if lo is None or (lo >= INT32_MIN and hi <= INT32_MAX):
            return "int", column.cast(pa.int32())
        return "float", column.cast(pa.float64())  # beyond Int32, as ingest types such columns
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        column = column.cast(pa.float64())
        # NaN is pandas's missing value: Kiln's datasets hold it as null.
        return "float", pc.if_else(pc.is_nan(column), pa.scalar(None, pa.float64()), column)
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        if pa.types.is_date(t):
            column = column.cast(pa.timestamp("ms"))
        elif t.tz is None:
            column = column.cast(pa.timestamp(t.unit, tz="UTC"))
        return "date", column.cast(pa.timestamp("ms", tz="UTC"))
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string", column.cast(pa.string())
    if pa.types.is_null(t):
        return "string", column.cast(pa.string())
    raise DatasetError(f'column "{name}" has Arrow type {t}, which a Kiln dataset cannot hold (int, float, bool, date or string)')


def _numeric_stats(name: str, kind: str, column: pa.ChunkedArray) -> dict[str, Any]:
    values = column.drop_null().to_numpy(zero_copy_only=False).astype(np.float64)
    count = int(values.size)
    stats: dict[str, Any] = {"name": name, "type": kind, "kind": "numeric", "count": count, "nullCount": column.null_count}
    if count == 0:
        return {**stats, "min": None, "max": None, "mean": None, "std": None, "histogram": None}
    lo, hi = float(values.min()), float(values.max())
    mean = float(values.mean())
    std = float(np.sqrt(((values - mean) ** 2).sum() / (count - 1))) if count >= 2 else None
    bins = 1 if lo == hi else HISTOGRAM_BINS
    counts = np.zeros(bins, dtype=np.int64)
    if lo == hi:
        counts[0] = count
    else:
        # The same arithmetic as NumericAccumulator.addToHistogram (halves keep max - min finite).
        half_min = lo / 2
        half_range = hi / 2 - half_min
        idx = np.floor(((values / 2 - half_min) / half_range) * bins)
        idx = np.clip(idx, 0, bins - 1).astype(np.int64)
        counts = np.bincount(idx, minlength=bins)
    edges = [hi if k == bins else lo * (1 - k / bins) + hi * (k / bins) for k in range(bins + 1)]
    finite = lambda x: x if x is not None and math.isfinite(x) else None  # noqa: E731
    return {
        **stats,
        "min": int(lo) if kind == "int" else lo,
        "max": int(hi) if kind == "int" else hi,
        "mean": finite(mean),
        "std": finite(std),
        "histogram": {"edges": edges, "counts": [int(c) for c in counts]},
    }


def _categorical_stats(name: str, column: pa.ChunkedArray) -> dict[str, Any]:
    counts = pc.value_counts(column.drop_null())
    pairs = [(v.as_py(), int(c)) for v, c in zip(counts.field("values"), counts.field("counts"))] if len(counts) else []
    truncated = len(pairs) > MAX_DISTINCT
    # Ties by the values' UTF-8 bytes, as DistinctCounter.top orders them.
    pairs.sort(key=lambda p: (-p[1], p[0].encode("utf-8")))
    return {
        "name": name,
        "type": "string",
        "kind": "categorical",
        "count": len(column) - column.null_count,
        "nullCount": column.null_count,
        "distinctCount": f">{MAX_DISTINCT}" if truncated else len(pairs),
        "topValues": [{"value": v, "count": c} for v, c in pairs[:TOP_VALUES]],
        "topValuesExact": not truncated,
    }


def _iso_ms(ms: int) -> str:
    # new Date(ms).toISOString(): milliseconds, UTC, "Z".
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def column_stats(name: str, kind: str, column: pa.ChunkedArray) -> dict[str, Any]:
    """One column's statistics in the shape of ``columnStatsSchema``."""
    if kind in ("int", "float"):
        return _numeric_stats(name, kind, column)
    if kind == "string":
        return _categorical_stats(name, column)
    if kind == "bool":
        trues = int(pc.sum(column.cast(pa.int8())).as_py() or 0)
        count = len(column) - column.null_count
        return {"name": name, "type": "bool", "kind": "bool", "count": count, "nullCount": column.null_count, "trueCount": trues, "falseCount": count - trues}
    ms = column.cast(pa.int64()).drop_null()
    empty = len(ms) == 0
    return {
        "name": name,
        "type": "date",
        "kind": "date",
        "count": len(ms),
        "nullCount": column.null_count,
        "min": None if empty else _iso_ms(pc.min(ms).as_py()),
        "max": None if empty else _iso_ms(pc.max(ms).as_py()),
    }


def write_dataset(store: ArtifactStore, data: Any, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Writes a table (pyarrow or pandas) as a Kiln dataset and returns its ``Dataset`` port value."""
    table = _as_table(data)
    names = table.column_names
    if len(set(names)) != len(names):
        raise DatasetError(f"column names repeat: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    kinds: list[str] = []
    columns: list[pa.ChunkedArray] = []
    for name, column in zip(names, table.columns):
        kind, converted = _kiln_column(name, column)
        kinds.append(kind)
        columns.append(converted)
    out = pa.table(columns, schema=pa.schema([pa.field(n, c.type, nullable=True) for n, c in zip(names, columns)]))
    fd, path = tempfile.mkstemp(prefix="kiln-dataset-", suffix=".arrow")
    os.close(fd)
    try:
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, out.schema) as writer:
            for batch in out.to_batches(max_chunksize=BATCH_ROWS):
                writer.write_batch(batch)
        ref = store.put_file(path, ARROW_FILE_MEDIA_TYPE, {"rowCount": out.num_rows, "columns": len(names), **(meta or {})})
    finally:
        if os.path.exists(path):
            os.unlink(path)
    return {
        "artifact": ref.to_json(),
        "schema": [{"name": n, "type": k, "nullable": c.null_count > 0} for n, k, c in zip(names, kinds, columns)],
        "rowCount": out.num_rows,
        "stats": [column_stats(n, k, c) for n, k, c in zip(names, kinds, columns)],
    }


def read_table(store: ArtifactStore, value: Mapping[str, Any]) -> pa.Table:
    """The Arrow table of a ``Dataset`` port value (verified against its digest)."""
    artifact = value["artifact"]
    if artifact.get("mediaType") != ARROW_FILE_MEDIA_TYPE:
        raise DatasetError(f"dataset artifact {artifact['digest']} has media type {artifact.get('mediaType')!r}, not {ARROW_FILE_MEDIA_TYPE}")
    # The table's buffers keep the memory map alive.
    return pa.ipc.open_file(pa.memory_map(store.local_path(artifact["digest"]), "r")).read_all()
