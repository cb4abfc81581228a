from typing import Annotated, Optional, TypedDict

import pydantic
import pytest

import kiln
from kiln.node import REGISTRY, DefinitionError, NodeFailure


def test_params_from_keyword_parameters():
    @kiln.node(type="unit.kw", version=2, capabilities=["network"])
    def kw(ctx: kiln.Context, data: kiln.Dataset, extra: Optional[kiln.Model], column: str, factor: Annotated[float, pydantic.Field(gt=0)] = 2.0) -> kiln.Dataset:
        """Scales a column.

        More words."""

    t = REGISTRY["unit.kw"]
    reg = t.registration()
    assert reg["title"] == "Scales a column."
    assert reg["category"] == "unit" and reg["version"] == 2 and reg["capabilities"] == ["network"]
    assert reg["inputs"] == {"data": "Dataset", "extra": {"type": "Model", "optional": True}}
    assert reg["outputs"] == {"dataset": "Dataset"}
    schema = reg["paramsJsonSchema"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["required"] == ["column"]
    assert schema["properties"]["factor"] == {"default": 2.0, "exclusiveMinimum": 0, "title": "Factor", "type": "number"}
    assert t.check_params({"column": "x"}).factor == 2.0
    with pytest.raises(NodeFailure) as err:
        t.check_params({"column": 3, "factor": -1, "colour": "red"})
    assert err.value.type == "InvalidParams" and not err.value.retryable
    assert str(err.value) == "invalid params for unit.kw: colour: unknown param (params: column, factor); column: Input should be a valid string; factor: Input should be greater than 0"


def test_params_from_a_model_and_typed_dict_outputs():
    class P(pydantic.BaseModel):
        target: str
        depth: int = 3

    class Out(TypedDict):
        model: kiln.Model
        metrics: kiln.Metrics

    @kiln.node(type="unit.model", description="d")
    def fit(train: kiln.Dataset, p: P) -> Out: ...

    t = REGISTRY["unit.model"]
    assert t.params_arg == "p" and t.context_arg is None
    assert t.registration()["outputs"] == {"model": "Model", "metrics": "Metrics"}
    assert t.params_json_schema()["properties"]["depth"]["default"] == 3
    with pytest.raises(NodeFailure, match="unknown param"):
        t.check_params({"target": "y", "dpeth": 4})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "NoCategory"}, 'a node type is "<category>.<name>"'),
        ({"type": "unit.v", "version": 0}, "version must be a whole number"),
        ({"type": "unit.c", "capabilities": ["user-code"]}, 'capability "user-code" cannot be declared by a Python node type'),
        ({"type": "unit.k", "capabilities": ["kiln-api"]}, "gives nodes no API client"),
        ({"type": "unit.o", "outputs": {"a.b": "Json"}}, 'output port "a.b"'),
        ({"type": "unit.t", "outputs": {"x": "Table"}}, "is not a port type"),
    ],
)
def test_declarations_kiln_cannot_take(kwargs, message):
    with pytest.raises(DefinitionError, match=message):
        kiln.node(**kwargs)(lambda: None)


def test_a_parameter_without_a_hint_is_refused():
    with pytest.raises(DefinitionError, match='parameter "rows" has no type hint'):

        @kiln.node(type="unit.nohint")
        def f(rows): ...


def test_ports_declared_by_the_decorator():
    @kiln.node(type="unit.declared", inputs={"data": {"type": "Dataset", "description": "rows"}}, outputs={"n": "Json"})
    def count(data, minimum: int = 0) -> dict: ...

    reg = REGISTRY["unit.declared"].registration()
    assert reg["inputs"] == {"data": {"type": "Dataset", "description": "rows"}} and reg["outputs"] == {"n": "Json"}
    assert list(reg["paramsJsonSchema"]["properties"]) == ["minimum"]
