import math

import numpy as np
import pyarrow as pa
import pytest

from kiln.datasets import DatasetError, read_table, write_dataset
from kiln.store import FolderArtifactStore


def test_columns_take_kiln_types(tmp_path):
    store = FolderArtifactStore(tmp_path)
    table = pa.table(
        {
            "small": pa.array([1, 2, 3], pa.int64()),
            "big": pa.array([1, 2, 2**40], pa.int64()),
            "cat": pa.array(["x", "y", "x"]).dictionary_encode(),
            "f32": pa.array([1.5, float("nan"), 3.0], pa.float32()),
        }
    )
    value = write_dataset(store, table)
    assert [(c["name"], c["type"], c["nullable"]) for c in value["schema"]] == [("small", "int", False), ("big", "float", False), ("cat", "string", False), ("f32", "float", True)]
    back = read_table(store, value)
    assert [str(f.type) for f in back.schema] == ["int32", "double", "string", "double"]
    assert back.column("f32").to_pylist() == [1.5, None, 3.0]


def test_numeric_stats_as_typescript_counts_them(tmp_path):
    store = FolderArtifactStore(tmp_path)
    values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None]
    s = write_dataset(store, pa.table({"v": pa.array(values, pa.int64())}))["stats"][0]
    assert s["count"] == 11 and s["nullCount"] == 1 and s["min"] == 0 and s["max"] == 10 and s["mean"] == 5.0
    assert math.isclose(s["std"], np.std(np.arange(11), ddof=1))
    h = s["histogram"]
    assert len(h["edges"]) == 21 and h["edges"][0] == 0 and h["edges"][-1] == 10 and h["edges"][10] == 5.0
    # Bin k is [edges[k], edges[k+1]), the last one closed: 10 lands in the last bin.
    assert h["counts"] == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    one = write_dataset(store, pa.table({"v": [7.0, 7.0]}))["stats"][0]
    assert one["histogram"] == {"edges": [7.0, 7.0], "counts": [2]} and one["std"] == 0.0


def test_categorical_top_values_break_ties_by_bytes(tmp_path):
    store = FolderArtifactStore(tmp_path)
    s = write_dataset(store, pa.table({"c": ["b", "a", "c", "a", "b", None]}))["stats"][0]
    assert s == {"name": "c", "type": "string", "kind": "categorical", "count": 5, "nullCount": 1, "distinctCount": 3, "topValues": [{"value": "a", "count": 2}, {"value": "b", "count": 2}, {"value": "c", "count": 1}], "topValuesExact": True}


def test_unsupported_columns_are_named(tmp_path):
    with pytest.raises(DatasetError, match='column "tags" has Arrow type list<item: string>'):
        write_dataset(FolderArtifactStore(tmp_path), pa.table({"tags": [["a"], ["b"]]}))
    with pytest.raises(DatasetError, match="not list"):
        write_dataset(FolderArtifactStore(tmp_path), [1, 2])
