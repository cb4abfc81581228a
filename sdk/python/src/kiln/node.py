"""``@kiln.node``: a typed Python function as a Kiln node type.

Ports come from the annotations (a parameter annotated with a port class is an input, ``Optional[...]``
an optional one; the return annotation names the outputs: one port class, or a ``TypedDict`` of them).
Params come from one parameter annotated with a pydantic model, or from the other keyword parameters'
type hints and defaults; either way their JSON Schema is derived with pydantic, and unknown params are
refused (as the TypeScript nodes' strict zod objects do).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence, Union

import pydantic

from .values import PORT_CLASSES, PortValue

# engine/src/catalog/registration.ts
NODE_TYPE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,63}\.[a-z][a-z0-9_-]{0,63}$")
PORT_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

#: Capabilities a Python type may declare (engine/src/catalog/capabilities.ts), for the API's policy and
#: the studio. Not ``user-code`` (running code the pipeline author wrote): the Python worker runs its
#: operator's own code and has no port of the TypeScript worker's user-code confinement and starter-seal
#: check. Not ``kiln-api``: the Python worker hands nodes no API client or service token.
PYTHON_CAPABILITIES = ("local-files", "network")

JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"


class NodeFailure(Exception):
    """A failure a node reports on purpose: its message as is (no traceback), its ``type`` as the
    failure's type, and whether another attempt may help."""

    def __init__(self, message: str, *, type: str = "NodeFailure", retryable: bool = True) -> None:
        super().__init__(message)
        self.type = type
        self.retryable = retryable


@dataclass(frozen=True)
class Port:
    type: str
    optional: bool = False
    description: str | None = None

    def to_json(self) -> Any:
        if not self.optional and self.description is None:
            return self.type
        out: dict[str, Any] = {"type": self.type}
        if self.optional:
            out["optional"] = True
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass
class NodeType:
    """A registered Python node type: its declaration and the function that runs it."""

    type: str
    version: int
    fn: Callable[..., Any]
    title: str
    description: str
    category: str
    capabilities: tuple[str, ...]
    inputs: dict[str, Port]
    outputs: dict[str, Port]
    params_model: type[pydantic.BaseModel]
    #: How the function takes its params: one pydantic model parameter (its name), or keyword parameters (None).
    params_arg: str | None
    context_arg: str | None
    single_output: str | None = None
    module: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def params_json_schema(self) -> dict[str, Any]:
        schema = self.params_model.model_json_schema()
        schema.setdefault("type", "object")
        schema["additionalProperties"] = False
        return {"$schema": JSON_SCHEMA_2020_12, **schema}

    def check_params(self, params: Mapping[str, Any]) -> pydantic.BaseModel:
        """The params validated; raises ``NodeFailure`` (InvalidParams) naming each problem."""
        known = set()
        for name, f in self.params_model.model_fields.items():
            known.add(f.alias or name)
        unknown = [k for k in params if k not in known]
        problems = [f"{k}: unknown param (params: {', '.join(sorted(known)) or 'none'})" for k in unknown]
        try:
            parsed = self.params_model.model_validate(dict(params))
        except pydantic.ValidationError as err:
            # Unknown params are named above, with the ones there are.
            problems += [f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}" for e in err.errors() if e["type"] != "extra_forbidden"]
            parsed = None
        if problems:
            raise NodeFailure(f"invalid params for {self.type}: {'; '.join(problems)}", type="InvalidParams", retryable=False)
        assert parsed is not None
        return parsed

    def registration(self) -> dict[str, Any]:
        """The type as the registration body lists it (engine/src/catalog/registration.ts)."""
        return {
            "type": self.type,
            "version": self.version,
            "category": self.category,
            "title": self.title,
            "description": self.description,
            "inputs": {k: p.to_json() for k, p in self.inputs.items()},
            "outputs": {k: p.to_json() for k, p in self.outputs.items()},
            "capabilities": list(self.capabilities),
            "paramsJsonSchema": self.params_json_schema(),
        }


#: Every node type defined in this process, by type name.
REGISTRY: dict[str, NodeType] = {}


class DefinitionError(TypeError):
    """A node declaration Kiln cannot take (named in the message)."""


def _port_of(annotation: Any) -> Port | None:
    """The port an annotation declares (``Dataset``, ``Optional[Dataset]``), or None if it is not one."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, PortValue):
        return Port(annotation.PORT_TYPE)
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            inner = _port_of(args[0])
            if inner is not None:
                return Port(inner.type, optional=True)
    if isinstance(annotation, str) and annotation in PORT_CLASSES:
        return Port(annotation)
    return None


def _port_decl(name: str, decl: Any) -> Port:
    if isinstance(decl, Port):
        return decl
    if isinstance(decl, Mapping):
        port = _port_decl(name, decl.get("type"))
        return Port(port.type, bool(decl.get("optional", False)), decl.get("description"))
    port = _port_of(decl)
    if port is None:
        raise DefinitionError(f'port "{name}": {decl!r} is not a port type ({", ".join(PORT_CLASSES)})')
    return port


def _check_port_names(where: str, ports: Mapping[str, Port]) -> None:
    for name in ports:
        if not PORT_NAME_PATTERN.match(name):
            raise DefinitionError(f'{where} port "{name}": a port name starts with a letter or _ and holds letters, digits and _ only')


def node(
    type: str,
    version: int = 1,
    *,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    capabilities: Sequence[str] = (),
    inputs: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    output: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares the decorated function as node type ``type`` (``<category>.<name>``), version ``version``.

    ``inputs``/``outputs`` override what the annotations say (name → port class, port type name, or
    ``{"type", "optional", "description"}``); ``output`` names the single output of a function whose
    return annotation is one port class (default: the port type in lower case, e.g. ``dataset``).
    The function is returned unchanged, so it can still be called directly in tests.
    """
    if not NODE_TYPE_NAME_PATTERN.match(type):
        raise DefinitionError(f'node type "{type}": a node type is "<category>.<name>": lower case letters, digits, _ and -, each part starting with a letter')
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 1_000_000:
        raise DefinitionError(f"node type {type}: version must be a whole number from 1 to 1,000,000")
    for c in capabilities:
        if c not in PYTHON_CAPABILITIES:
            why = {
                "user-code": " (the Python worker does not confine user code; see docs/write-a-node-python.md)",
                "kiln-api": " (the Python worker gives nodes no API client)",
            }.get(c, "")
            raise DefinitionError(f'node type {type}: capability "{c}" cannot be declared by a Python node type{why}; allowed: {", ".join(PYTHON_CAPABILITIES)}')

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(fn, include_extras=True)
        sig = inspect.signature(fn)
        found_inputs: dict[str, Port] = {}
        context_arg: str | None = None
        params_arg: str | None = None
        loose: dict[str, Any] = {}
        from .context import Context

        for name, p in sig.parameters.items():
            ann = hints.get(name, inspect.Parameter.empty)
            if ann is Context or (name == "ctx" and ann is inspect.Parameter.empty):
                context_arg = name
                continue
            port = _port_of(ann)
            if port is not None:
                found_inputs[name] = port
                continue
            if inputs is not None and name in inputs:  # declared by the decorator
                continue
            bare = typing.get_args(ann)[0] if typing.get_origin(ann) is typing.Annotated else ann
            if isinstance(bare, builtins_type) and issubclass(bare, pydantic.BaseModel):
                if params_arg is not None:
                    raise DefinitionError(f"node type {type}: two pydantic params models ({params_arg}, {name}); take one")
                params_arg = name
                continue
            if ann is inspect.Parameter.empty:
                raise DefinitionError(f'node type {type}: parameter "{name}" has no type hint (a port class, a pydantic model, or a param type)')
            loose[name] = (ann, ... if p.default is inspect.Parameter.empty else p.default)
        if params_arg is not None and loose:
            raise DefinitionError(f"node type {type}: params come from the model {params_arg} or from keyword parameters ({', '.join(loose)}), not both")
        if params_arg is not None:
            params_model = typing.get_args(hints[params_arg])[0] if typing.get_origin(hints[params_arg]) is typing.Annotated else hints[params_arg]
        else:
            params_model = pydantic.create_model(  # type: ignore[call-overload]
                f"{fn.__name__}_params", __config__=pydantic.ConfigDict(extra="forbid"), **loose
            )

        single: str | None = None
        ret = hints.get("return", None)
        found_outputs: dict[str, Port] = {}
        if ret is not None and ret is not types.NoneType:
            port = _port_of(ret)
            if port is not None:
                single = output or port.type.lower()
                found_outputs[single] = port
            elif typing.is_typeddict(ret):
                for k, v in typing.get_type_hints(ret).items():
                    found_outputs[k] = _port_decl(k, v)
            elif outputs is None:
                raise DefinitionError(f"node type {type}: the return annotation {ret!r} is not a port class or a TypedDict of them")
        final_inputs = {k: _port_decl(k, v) for k, v in inputs.items()} if inputs is not None else found_inputs
        final_outputs = {k: _port_decl(k, v) for k, v in outputs.items()} if outputs is not None else found_outputs
        if outputs is not None and len(final_outputs) == 1 and single is not None:
            single = next(iter(final_outputs))
        _check_port_names("input", final_inputs)
        _check_port_names("output", final_outputs)
        missing = [k for k in final_inputs if k not in sig.parameters]
        if missing:
            raise DefinitionError(f"node type {type}: input ports {', '.join(missing)} are not parameters of {fn.__name__}")
        if type in REGISTRY and REGISTRY[type].fn is not fn:
            raise DefinitionError(f"node type {type} is defined twice ({REGISTRY[type].module} and {fn.__module__})")
        doc = inspect.getdoc(fn) or ""
        REGISTRY[type] = NodeType(
            type=type,
            version=version,
            fn=fn,
            title=title or (doc.splitlines()[0] if doc else type),
            description=description if description is not None else doc,
            category=category or type.split(".")[0],
            capabilities=tuple(capabilities),
            inputs=final_inputs,
            outputs=final_outputs,
            params_model=params_model,
            params_arg=params_arg,
            context_arg=context_arg,
            single_output=single,
            module=fn.__module__,
        )
        fn.kiln_node = REGISTRY[type]  # type: ignore[attr-defined]
        return fn

    return decorate


builtins_type = type
