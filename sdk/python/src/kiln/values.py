"""Port values: what flows between nodes, in the JSON shapes of engine/src/catalog/port-values.ts.

Each port type is a class here. As an annotation it declares a port (``def f(data: Dataset) -> Model``);
as a value it wraps the JSON the workflow carries (inputs), or holds what a node made until the
worker stores it (outputs: ``Model.from_onnx(bytes, ...)``, ``Metrics(task, values)``). Fields a newer
node adds are kept (``.json``), as the TypeScript schemas are not strict either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

if TYPE_CHECKING:
    import pandas
    import pyarrow

    from .store import ArtifactStore

Task = Literal["binary", "multiclass", "regression"]
TASKS = ("binary", "multiclass", "regression")
ONNX_MEDIA_TYPE = "application/onnx"
ARROW_FILE_MEDIA_TYPE = "application/vnd.apache.arrow.file"


@dataclass(frozen=True)
class ArtifactRef:
    """A pointer to immutable bytes in the store; the digest is the identity."""

    uri: str
    digest: str
    size: int
    media_type: str
    meta: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": self.uri, "digest": self.digest, "size": self.size, "mediaType": self.media_type}
        if self.meta is not None:
            out["meta"] = self.meta
        return out

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "ArtifactRef":
        return cls(uri=value["uri"], digest=value["digest"], size=value["size"], media_type=value["mediaType"], meta=value.get("meta"))


class PortValue:
    """The base of the port classes; ``PORT_TYPE`` is the Kiln port type it stands for."""

    PORT_TYPE: str = ""

    def to_port_value(self, store: "ArtifactStore") -> Any:
        """The JSON the workflow carries, storing whatever the value still holds in memory."""
        raise NotImplementedError


class Json(PortValue):
    """``Json``: any plain JSON value. As an annotation only: a node gets and returns the value itself."""

    PORT_TYPE = "Json"


class Dataset(PortValue):
    """``Dataset``: an Arrow IPC file in the store with its column schema, row count and statistics.

    A node gets one per Dataset input (read it with ``to_arrow()`` or ``to_pandas()``) and may return a
    ``pyarrow.Table``, a ``pandas.DataFrame`` or a ``Dataset`` for a Dataset output.
    """

    PORT_TYPE = "Dataset"

    def __init__(self, json: Mapping[str, Any], store: "ArtifactStore | None" = None) -> None:
        self.json = dict(json)
        self._store = store

    @property
    def artifact(self) -> ArtifactRef:
        return ArtifactRef.from_json(self.json["artifact"])

    @property
    def schema(self) -> list[dict[str, Any]]:
        """``[{name, type: int|float|bool|date|string, nullable}]``."""
        return list(self.json["schema"])

    @property
    def row_count(self) -> int:
        return int(self.json["rowCount"])

    @property
    def stats(self) -> list[dict[str, Any]]:
        return list(self.json["stats"])

    def to_arrow(self) -> "pyarrow.Table":
        from .datasets import read_table

        if self._store is None:
            raise RuntimeError("this Dataset is not bound to a store")
        return read_table(self._store, self.json)

    def to_pandas(self) -> "pandas.DataFrame":
        return self.to_arrow().to_pandas()

    def to_port_value(self, store: "ArtifactStore") -> dict[str, Any]:
        return self.json


class Model(PortValue):
    """``Model``: an ONNX model over raw columns, with its task, features, classes and target.

    The graph takes each feature as a ``[N, 1]`` float or string tensor named after its column; a
    classifier gives ``label`` ``[N]`` and ``probabilities`` ``[N, classes]`` (in ``classes`` order), a
    regressor ``variable`` ``[N, 1]``, as Kiln's own trainers do, so ``evaluate.model``,
    ``deploy.model`` and serving take it unchanged. ``kiln.sklearn.to_model`` builds one from a
    fitted scikit-learn pipeline.
    """

    PORT_TYPE = "Model"

    def __init__(self, json: Mapping[str, Any], store: "ArtifactStore | None" = None, onnx: bytes | None = None, meta: Mapping[str, Any] | None = None) -> None:
        self.json = dict(json)
        self._store = store
        self._onnx = onnx
        self._meta = dict(meta) if meta else None

    @classmethod
    def from_onnx(
        cls,
        onnx: bytes,
        *,
        task: Task,
        target: str,
        classes: Sequence[str | int | float] | None,
        features: Sequence[Mapping[str, str]] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> "Model":
        """A model to store: ONNX bytes and its signature. ``features`` default to the graph's inputs."""
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")
        if task == "regression" and classes is not None:
            raise ValueError("classes must be None for a regression model")
        if task != "regression" and not classes:
            raise ValueError(f"a {task} model must list its classes")
        feats = [dict(f) for f in features] if features is not None else onnx_features(onnx)
        plain = None if classes is None else [c.item() if hasattr(c, "item") else c for c in classes]
        return cls({"task": task, "features": feats, "classes": plain, "target": target}, onnx=onnx, meta=meta)

    @property
    def task(self) -> Task:
        return self.json["task"]

    @property
    def features(self) -> list[dict[str, str]]:
        return list(self.json["features"])

    @property
    def classes(self) -> list[str | int | float] | None:
        return self.json["classes"]

    @property
    def target(self) -> str:
        return self.json["target"]

    @property
    def artifact(self) -> ArtifactRef:
        return ArtifactRef.from_json(self.json["artifact"])

    def onnx_bytes(self) -> bytes:
        if self._onnx is not None:
            return self._onnx
        if self._store is None:
            raise RuntimeError("this Model is not bound to a store")
        return self._store.get(self.json["artifact"]["digest"])

    def to_port_value(self, store: "ArtifactStore") -> dict[str, Any]:
        if "artifact" not in self.json:
            assert self._onnx is not None
            ref = store.put_bytes(self._onnx, ONNX_MEDIA_TYPE, {"task": self.task, "target": self.target, "producer": "kiln-sdk-python", **(self._meta or {})})
            self.json = {"artifact": ref.to_json(), **self.json}
        return self.json


class Metrics(PortValue):
    """``Metrics``: headline numbers (None where undefined) and a JSON report in the store.

    Return ``Metrics(task, {"accuracy": 0.9}, details={...})``; numbers that are not finite become None.
    """

    PORT_TYPE = "Metrics"

    def __init__(self, task: Task | None = None, values: Mapping[str, float | int | None] | None = None, details: Mapping[str, Any] | None = None, *, json: Mapping[str, Any] | None = None, store: "ArtifactStore | None" = None) -> None:
        if json is not None:
            self.json = dict(json)
        else:
            if task not in TASKS:
                raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")
            clean: dict[str, float | int | None] = {}
            for k, v in (values or {}).items():
                x = None if v is None else (v.item() if hasattr(v, "item") else v)
                if isinstance(x, bool) or not (x is None or isinstance(x, (int, float))):
                    raise ValueError(f"metric {k!r} is {type(v).__name__}, not a number")
                clean[str(k)] = None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x
            self.json = {"task": task, "values": clean}
        self._details = dict(details or {})
        self._store = store

    @property
    def task(self) -> Task:
        return self.json["task"]

    @property
    def values(self) -> dict[str, float | int | None]:
        return dict(self.json["values"])

    def report(self) -> Any:
        """The full report document."""
        if self._store is None:
            raise RuntimeError("these Metrics are not bound to a store")
        return self._store.get_json(self.json["report"])

    def to_port_value(self, store: "ArtifactStore") -> dict[str, Any]:
        if "report" not in self.json:
            ref = store.put_json({"kind": "kiln.metrics-report/v1", "task": self.task, "values": self.json["values"], **self._details})
            self.json = {**self.json, "report": ref.to_json()}
        return self.json


class Report(PortValue):
    """``Report``: a JSON document in the store with a small summary to show."""

    PORT_TYPE = "Report"

    def __init__(self, summary: Mapping[str, Any] | None = None, document: Any = None, *, json: Mapping[str, Any] | None = None, store: "ArtifactStore | None" = None) -> None:
        self.json = dict(json) if json is not None else {"summary": dict(summary or {})}
        self._document = document
        self._store = store

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.json["summary"])

    def document(self) -> Any:
        if self._store is None:
            raise RuntimeError("this Report is not bound to a store")
        return self._store.get_json(self.json["artifact"])

    def to_port_value(self, store: "ArtifactStore") -> dict[str, Any]:
        if "artifact" not in self.json:
            doc = self._document if self._document is not None else self.json["summary"]
            self.json = {"artifact": store.put_json(doc).to_json(), **self.json}
        return self.json


class Transform(PortValue):
    """``Transform``: fitted preprocessing (a ``kiln.transform/v1`` JSON artifact), as featurize.tabular writes it."""

    PORT_TYPE = "Transform"

    def __init__(self, json: Mapping[str, Any], store: "ArtifactStore | None" = None) -> None:
        self.json = dict(json)
        self._store = store

    @property
    def target(self) -> str:
        return self.json["target"]

    @property
    def task(self) -> Task:
        return self.json["task"]

    @property
    def classes(self) -> list[Any] | None:
        return self.json["classes"]

    def spec(self) -> Any:
        """The transform document (features with their imputation, scaling and encoding)."""
        if self._store is None:
            raise RuntimeError("this Transform is not bound to a store")
        return self._store.get_json(self.json["artifact"])

    def to_port_value(self, store: "ArtifactStore") -> dict[str, Any]:
        return self.json


class Deployment(PortValue):
    """``Deployment``: a model version rolled out to a deployment (``name``, ``model``, ``version``, ``strategy``, ``role``)."""

    PORT_TYPE = "Deployment"

    def __init__(self, json: Mapping[str, Any], store: "ArtifactStore | None" = None) -> None:
        self.json = dict(json)

    def to_port_value(self, store: "ArtifactStore") -> dict[str, Any]:
        return self.json


PORT_CLASSES: dict[str, type[PortValue]] = {c.PORT_TYPE: c for c in (Dataset, Model, Transform, Metrics, Report, Deployment, Json)}


def wrap_input(port_type: str, value: Any, store: "ArtifactStore") -> Any:
    """The object a node gets for an input value (a list for an input fed by a mapped node)."""
    if value is None or port_type == "Json":
        return value
    if isinstance(value, list):
        return [wrap_input(port_type, v, store) for v in value]
    if port_type in ("Metrics", "Report"):
        return PORT_CLASSES[port_type](json=value, store=store)  # type: ignore[call-arg]
    return PORT_CLASSES[port_type](value, store)  # type: ignore[call-arg]


def onnx_features(onnx: bytes) -> list[dict[str, str]]:
    """The raw-column inputs of an ONNX graph: each a float or string tensor (needs the ``onnx`` package)."""
    try:
        import onnx as onnx_pkg
    except ImportError as err:  # pragma: no cover - the sklearn extra installs it
        raise RuntimeError("pass features= to Model.from_onnx, or install onnx to read them from the graph") from err
    model = onnx_pkg.load_model_from_string(onnx)
    initializers = {t.name for t in model.graph.initializer}
    out: list[dict[str, str]] = []
    for i in model.graph.input:
        if i.name in initializers:
            continue
        elem = i.type.tensor_type.elem_type
        if elem == onnx_pkg.TensorProto.FLOAT:
            out.append({"name": i.name, "type": "float"})
        elif elem == onnx_pkg.TensorProto.STRING:
            out.append({"name": i.name, "type": "string"})
        else:
            raise ValueError(f'model input "{i.name}" must be a float or string tensor [N,1] (element type {elem})')
    if not out:
        raise ValueError("the ONNX model takes no inputs")
    return out


#: Where each port type's value holds artifact refs, and the fields it must have
#: (engine/src/catalog/port-values.ts; port-artifacts.ts finds the refs through the same schemas).
PORT_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Dataset": (("artifact",), ("artifact", "schema", "rowCount", "stats")),
    "Model": (("artifact",), ("artifact", "task", "features", "classes", "target")),
    "Transform": (("artifact",), ("artifact", "target", "task", "classes", "features", "outputFeatures")),
    "Metrics": (("report",), ("task", "values", "report")),
    "Report": (("artifact",), ("artifact", "summary")),
    "Deployment": ((), ("name", "model", "version", "strategy", "role")),
    "Json": ((), ()),
}


def port_value_problem(port_type: str, value: Any) -> str | None:
    """Why a value does not have its port type's shape (its fields and artifact refs), or None."""
    refs, fields = PORT_SHAPES[port_type]
    if port_type == "Json":
        return None
    if not isinstance(value, Mapping):
        return f"is not a {port_type} (an object)"
    missing = [f for f in fields if f not in value]
    if missing:
        return f"is not a {port_type}: no {', '.join(missing)}"
    for field in refs:
        ref = value[field]
        if not isinstance(ref, Mapping) or not isinstance(ref.get("digest"), str) or not ref["digest"].startswith("sha256:"):
            return f"is not a {port_type}: {field} is not an artifact ref"
    return None


def artifact_digests(port_type: str, value: Any) -> list[str]:
    """The digests of the artifacts a port value points at."""
    return [value[f]["digest"] for f in PORT_SHAPES[port_type][0]]
