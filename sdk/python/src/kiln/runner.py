"""Runs one node attempt in a process of its own (the worker's side is kiln/worker.py).

The worker starts this process per attempt, so that cancelling a node or hitting its timeout stops it
for sure (scikit-learn and numpy run in C, where no Python exception reaches them): the process leads
its own process group, which the worker kills with whatever it started. It talks back through a pipe:
``("progress", details)`` as often as the node reports, then ``("ok", outputs)`` or
``("error", {type, message, retryable})``.
"""

from __future__ import annotations

import codecs
import importlib
import json
import os
import shutil
import sys
import threading
import traceback
from typing import Any, Callable

from .context import Context
from .node import REGISTRY, NodeFailure, NodeType
from .store import store_from_env
from .values import PORT_CLASSES, PortValue, wrap_input

#: A traceback longer than this keeps its end (where the error is), so the failure fits Temporal's payload limit.
MAX_MESSAGE_CHARS = 32_000


def failure_message(err: BaseException) -> str:
    """``<Type>: <message>`` then the Python traceback."""
    head = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    trace = "".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip()
    text = f"{head}\n\n{trace}"
    if len(text) > MAX_MESSAGE_CHARS:
        text = f"{head}\n\n… {trace[-(MAX_MESSAGE_CHARS - len(head) - 10):]}"
    return text


def output_values(node: NodeType, result: Any, store: Any) -> dict[str, Any]:
    """The function's return value as the port values the workflow carries (storing what it must)."""
    if node.single_output is not None:
        result = {node.single_output: result}
    if not node.outputs:
        if result not in (None, {}):
            raise NodeFailure(f"node type {node.type} declares no outputs but returned {type(result).__name__}", type="InvalidPortValue", retryable=False)
        return {}
    if not isinstance(result, dict):
        raise NodeFailure(f"node type {node.type} must return a dict of its outputs ({', '.join(node.outputs)}), not {type(result).__name__}", type="InvalidPortValue", retryable=False)
    unknown = [k for k in result if k not in node.outputs]
    if unknown:
        raise NodeFailure(f"node type {node.type} returned outputs it does not declare: {', '.join(unknown)} (outputs: {', '.join(node.outputs)})", type="InvalidPortValue", retryable=False)
    out: dict[str, Any] = {}
    for name, port in node.outputs.items():
        value = result.get(name)
        if value is None:
            if port.optional:
                continue
            raise NodeFailure(f'node type {node.type} returned no value for output "{name}"', type="InvalidPortValue", retryable=False)
        out[name] = port_value(node.type, name, port.type, value, store)
    return out


def port_value(node_type: str, name: str, port_type: str, value: Any, store: Any) -> Any:
    if port_type == "Json":
        try:  # what travels is JSON: no NaN, no Infinity, no objects JSON cannot hold
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise NodeFailure(f'output "{name}" of {node_type} is not a valid Json value: {err}', type="InvalidPortValue", retryable=False) from None
        return value
    if port_type == "Dataset" and not isinstance(value, PortValue):
        from .datasets import write_dataset

        return write_dataset(store, value, {"producer": node_type})
    cls = PORT_CLASSES[port_type]
    if isinstance(value, cls):
        return value.to_port_value(store)
    raise NodeFailure(
        f'output "{name}" of {node_type} is a {port_type} port, so it takes a kiln.{cls.__name__}'
        f"{' (or a pyarrow.Table / pandas.DataFrame)' if port_type == 'Dataset' else ''}, not {type(value).__name__}",
        type="InvalidPortValue",
        retryable=False,
    )


def _pump(read_fd: int, through_fd: int, stream: str, send: Callable[[Any], None]) -> None:
    """Sends each line written to ``read_fd`` to the worker (the attempt's log), and copies the bytes
    to the worker's own output."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    partial = ""
    while chunk := os.read(read_fd, 65536):
        try:
            os.write(through_fd, chunk)
        except OSError:
            pass
        *lines, partial = (partial + decoder.decode(chunk)).split("\n")
        for line in lines:
            send(("log", stream, line.removesuffix("\r")))
    rest = partial + decoder.decode(b"", final=True)
    if rest:
        send(("log", stream, rest))
    os.close(read_fd)


class _Capture:
    """The attempt's stdout and stderr (its own prints, and those of processes it starts) into its log."""

    def __init__(self, send: Callable[[Any], None]) -> None:
        self.saved = {1: os.dup(1), 2: os.dup(2)}
        self.threads: list[threading.Thread] = []
        for fd, stream in ((1, "stdout"), (2, "stderr")):
            r, w = os.pipe()
            os.dup2(w, fd)
            os.close(w)
            t = threading.Thread(target=_pump, args=(r, self.saved[fd], stream, send), daemon=True)
            t.start()
            self.threads.append(t)
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    def stop(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in self.saved.items():
            os.dup2(saved, fd)  # closes the pipe's write end: the pump reads to its end
        # A process the node started and left running may hold the pipe open: do not wait for it.
        for t in self.threads:
            t.join(2.0)


def run_attempt(modules: list[str], task: dict[str, Any], attempt: int, queue: str, conn: Any) -> None:
    """The body of the attempt's process."""
    os.setpgid(0, 0)  # a group of its own: the worker kills the node with everything it started
    lock = threading.Lock()

    def send(message: Any) -> None:
        with lock:
            conn.send(message)

    capture = _Capture(send)
    ctx: Context | None = None
    outcome: Any
    try:
        for m in modules:
            importlib.import_module(m)
        node = REGISTRY[task["type"]]
        store = store_from_env()
        ctx = Context(
            run_id=task["runId"],
            pipeline=task["pipeline"],
            node_id=task["nodeId"],
            type=task["type"],
            attempt=attempt,
            queue=queue,
            store=store,
            item=task.get("item"),
            _send=send,
        )
        params = node.check_params(task.get("params") or {})
        kwargs: dict[str, Any] = {}
        if node.context_arg:
            kwargs[node.context_arg] = ctx
        if node.params_arg:
            kwargs[node.params_arg] = params
        else:
            kwargs.update({k: getattr(params, k) for k in type(params).model_fields})
        inputs = task.get("inputs") or {}
        for name, port in node.inputs.items():
            kwargs[name] = wrap_input(port.type, inputs.get(name), store)
        result = node.fn(**kwargs)
        outcome = ("ok", output_values(node, result, store))
    except NodeFailure as err:
        outcome = ("error", {"type": err.type, "message": str(err), "retryable": err.retryable})
    except BaseException as err:  # noqa: BLE001 - every Python error fails the node with its traceback
        outcome = ("error", {"type": type(err).__name__, "message": failure_message(err), "retryable": True})
    finally:
        if ctx is not None and ctx._scratch is not None:
            shutil.rmtree(ctx._scratch, ignore_errors=True)
    capture.stop()  # every line is sent before the outcome
    send(outcome)
    conn.close()
