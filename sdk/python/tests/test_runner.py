import pyarrow as pa
import pytest

import kiln
from kiln.node import REGISTRY, NodeFailure
from kiln.runner import failure_message, output_values
from kiln.store import FolderArtifactStore


@kiln.node(type="unit.two", outputs={"a": "Json", "b": {"type": "Dataset", "optional": True}})
def two() -> dict: ...


def test_outputs_become_port_values(tmp_path):
    store = FolderArtifactStore(tmp_path)
    node = REGISTRY["unit.two"]
    out = output_values(node, {"a": [1, 2], "b": pa.table({"x": [1]})}, store)
    assert out["a"] == [1, 2] and out["b"]["rowCount"] == 1 and out["b"]["artifact"]["meta"]["producer"] == "unit.two"
    assert output_values(node, {"a": 1}, store) == {"a": 1}  # an optional output left out


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"a": 1, "c": 2}, "returned outputs it does not declare: c"),
        ({"b": pa.table({"x": [1]})}, 'returned no value for output "a"'),
        ([1], "must return a dict of its outputs"),
        ({"a": 1, "b": "not a table"}, "a pyarrow.Table or a pandas.DataFrame, not str"),
    ],
)
def test_bad_outputs_fail_without_retry(tmp_path, result, message):
    with pytest.raises((NodeFailure, ValueError), match=message) as err:
        output_values(REGISTRY["unit.two"], result, FolderArtifactStore(tmp_path))
    if isinstance(err.value, NodeFailure):
        assert err.value.type == "InvalidPortValue" and not err.value.retryable


def test_metrics_and_models_store_what_they_hold(tmp_path):
    store = FolderArtifactStore(tmp_path)
    m = kiln.Metrics("binary", {"auc": 0.9, "nan": float("nan"), "n": 3}, details={"why": "test"}).to_port_value(store)
    assert m["values"] == {"auc": 0.9, "nan": None, "n": 3}
    assert store.get_json(m["report"]) == {"kind": "kiln.metrics-report/v1", "task": "binary", "values": m["values"], "why": "test"}
    with pytest.raises(ValueError, match="must list its classes"):
        kiln.Model.from_onnx(b"x", task="binary", target="y", classes=None, features=[{"name": "a", "type": "float"}])
    model = kiln.Model.from_onnx(b"onnx", task="regression", target="y", classes=None, features=[{"name": "a", "type": "float"}]).to_port_value(store)
    assert model["artifact"]["mediaType"] == "application/onnx" and store.get(model["artifact"]["digest"]) == b"onnx"


def test_failure_message_holds_the_traceback():
    def inner():
        raise KeyError("missing")

    try:
        inner()
    except KeyError as err:
        text = failure_message(err)
    first, rest = text.split("\n", 1)
    assert first == "KeyError: 'missing'"
    assert "Traceback (most recent call last):" in rest and ", in inner\n" in rest


def test_json_outputs_must_be_json(tmp_path):
    with pytest.raises(NodeFailure, match='output "a" of unit.two is not a valid Json value: Out of range float values are not JSON compliant'):
        output_values(REGISTRY["unit.two"], {"a": {"x": float("nan")}}, FolderArtifactStore(tmp_path))
