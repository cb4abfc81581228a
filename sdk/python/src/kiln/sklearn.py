"""A fitted scikit-learn estimator (or pipeline) as a Kiln ``Model`` (needs the ``sklearn`` extra).

The exported ONNX graph takes each raw column as a ``[N, 1]`` tensor named after it (float for numbers,
booleans and dates, string for text) and gives ``label`` and ``probabilities`` for a classifier or
``variable`` for a regressor: the signature ``evaluate.model``, ``deploy.model`` and serving read from
Kiln's own trainers. Put imputation and encoding in the pipeline (e.g. a ``ColumnTransformer``), so
training and serving cannot drift apart; Kiln sends missing numbers as NaN and missing text as "".
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .values import Model, Task

#: skl2onnx's output names → the names Kiln's models use.
_RENAMES = {"output_label": "label", "output_probability": "probabilities"}


def _features(columns: Any) -> list[dict[str, str]]:
    """Feature declarations from a DataFrame (its dtypes) or ``[(name, "float" | "string")]``."""
    if hasattr(columns, "dtypes"):
        import pandas as pd

        out = []
        for name, dtype in columns.dtypes.items():
            numeric = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            out.append({"name": str(name), "type": "float" if numeric else "string"})
        return out
    return [{"name": str(n), "type": t} for n, t in columns]


def to_onnx_bytes(estimator: Any, features: Sequence[Mapping[str, str]], target_opset: int | None = None) -> bytes:
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    initial = [(f["name"], FloatTensorType([None, 1]) if f["type"] == "float" else StringTensorType([None, 1])) for f in features]
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    options = {id(final): {"zipmap": False}} if hasattr(final, "predict_proba") else None
    kwargs: dict[str, Any] = {"initial_types": initial, "options": options}
    if target_opset is not None:
        kwargs["target_opset"] = target_opset
    onx = to_onnx(estimator, **kwargs)
    for node in onx.graph.node:
        node.output[:] = [_RENAMES.get(o, o) for o in node.output]
    for o in onx.graph.output:
        o.name = _RENAMES.get(o.name, o.name)
    return onx.SerializeToString()


def to_model(estimator: Any, features: Any, target: str, *, task: Task | None = None, meta: Mapping[str, Any] | None = None) -> Model:
    """The ``Model`` of a fitted estimator whose input is ``features`` (the training DataFrame without its
    target, or ``[(name, "float" | "string")]``) and which predicts ``target``."""
    feats = _features(features)
    classes = getattr(estimator, "classes_", None)
    if task is None:
        task = "regression" if classes is None else ("binary" if len(classes) == 2 else "multiclass")
    onnx = to_onnx_bytes(estimator, feats)
    plain = None if task == "regression" else [c.item() if hasattr(c, "item") else c for c in classes]  # type: ignore[union-attr]
    return Model.from_onnx(onnx, task=task, target=target, classes=plain, features=feats, meta={"producer": "kiln.sklearn", "estimator": type(estimator).__name__, **(meta or {})})
