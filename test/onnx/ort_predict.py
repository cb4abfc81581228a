"""Runs an ONNX model with Python's onnxruntime, for python-ort.test.ts.

Usage: python ort_predict.py DIR. Reads DIR/model.onnx and DIR/feeds.json ({name: {type: "float32" |
"string", dims, data}}, NaN written as null), writes DIR/outputs.json ({name: {dims, data}}): floats
as the exact doubles of their float32 values, int64 as integers, strings as strings.
"""

import json
import math
import os
import sys

import numpy as np
import onnxruntime as ort


def feed(spec):
    if spec["type"] == "float32":
        values = [math.nan if v is None else v for v in spec["data"]]
        return np.asarray(values, dtype=np.float32).reshape(spec["dims"])
    if spec["type"] == "string":
        return np.asarray(spec["data"], dtype=object).reshape(spec["dims"])
    raise ValueError(f"unsupported input type {spec['type']}")


def plain(value):
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def main(folder):
    with open(os.path.join(folder, "feeds.json"), encoding="utf-8") as f:
        feeds = {name: feed(spec) for name, spec in json.load(f).items()}
    session = ort.InferenceSession(os.path.join(folder, "model.onnx"), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = session.run(names, feeds)
    out = {}
    for name, array in zip(names, results):
        array = np.asarray(array)
        out[name] = {"dims": list(array.shape), "data": [plain(v) for v in array.reshape(-1).tolist()]}
    out["_versions"] = {"onnxruntime": ort.__version__, "numpy": np.__version__}
    with open(os.path.join(folder, "outputs.json"), "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
