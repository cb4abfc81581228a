"""bench/serve's peer: the same ONNX model behind FastAPI on uvicorn with Python onnxruntime, taking the
same JSON as Kiln's predict endpoint: {"instances": [{column: value}]} -> {"predictions", "probabilities"}.

Usage: python peer_server.py MODEL.onnx SIGNATURE.json PORT
One uvicorn process, a sync endpoint (FastAPI runs it in its thread pool; onnxruntime releases the
GIL while it runs), one intra-op thread per session as in Kiln's inference threads.
"""

import json
import sys
from typing import Any, Optional, Union

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

model_path, signature_path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(signature_path) as f:
    signature = json.load(f)

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
features = signature["features"]
regression = signature["task"] == "regression"
outputs = ["variable"] if regression else ["label", "probabilities"]

Value = Optional[Union[float, int, bool, str]]


class PredictRequest(BaseModel):
    instances: list[dict[str, Value]]


app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, bool]:
    return {"ok": True}


@app.post("/predict")
def predict(body: PredictRequest) -> dict[str, Any]:
    rows = body.instances
    if not rows:
        raise HTTPException(400, "instances is empty")
    feeds = {}
    for f in features:
        name = f["name"]
        try:
            values = [row[name] for row in rows]
        except KeyError:
            raise HTTPException(400, f"missing column {name!r}")
        if f["type"] == "float":
            feeds[name] = np.array([[np.nan if v is None else float(v)] for v in values], dtype=np.float32)
        else:
            feeds[name] = np.array([["" if v is None else str(v)] for v in values], dtype=object)
    result = session.run(outputs, feeds)
    if regression:
        return {"predictions": result[0].reshape(-1).tolist(), "probabilities": None}
    return {"predictions": result[0].tolist(), "probabilities": result[1].tolist()}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
