"""The Python side of test/python/store-compat.test.ts: reads and writes the store named by the environment.

    python store_roundtrip.py '<json request>'  →  prints a JSON answer

Request: {"get": [digest...], "put": "<text>", "dataset": true, "read_dataset": <Dataset value>}.
"""

import hashlib
import json
import sys

import pyarrow as pa

import kiln
from kiln.datasets import read_table, write_dataset

req = json.loads(sys.argv[1])
store = kiln.store_from_env()
out = {}
# Bytes TypeScript stored: read back (verified), hashed here.
out["got"] = {d: hashlib.sha256(store.get(d)).hexdigest() for d in req.get("get", [])}
out["local"] = {d: hashlib.sha256(open(store.local_path(d), "rb").read()).hexdigest() for d in req.get("get", [])}
if "put" in req:
    out["put"] = store.put_bytes(req["put"].encode("utf-8"), "text/plain").to_json()
if req.get("dataset"):
    table = pa.table(
        {
            "id": pa.array([1, 2, 3, None], pa.int64()),
            "score": pa.array([0.5, float("nan"), 2.25, -1.0]),
            "flag": pa.array([True, False, None, True]),
            "when": pa.array([0, 86_400_000, None, 1_700_000_000_123], pa.timestamp("ms")),
            "name": pa.array(["a", "b", None, "a"], pa.large_string()),
        }
    )
    out["dataset"] = write_dataset(store, table)
if "read_dataset" in req:
    t = read_table(store, req["read_dataset"])
    out["read"] = {"rows": t.num_rows, "columns": t.column_names, "types": [str(f.type) for f in t.schema], "first": t.slice(0, 1).to_pylist()[0]}
print(json.dumps(out))
