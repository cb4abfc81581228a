"""A Temporal worker serving Python node types, with the activity contract of worker/src/node-activity.ts.

Activity name = node type; its one argument is the workflow's ``NodeTask`` (engine/src/run/node-task.ts)
and it returns a ``NodeResult`` (``{outputs, attempt}``), both through Temporal's default JSON payload
converter, as the TypeScript side sends and reads them. A failure is an ``ApplicationError`` whose type
names the cause, ``non_retryable`` on the node's last allowed attempt or when another cannot help, and
whose one detail is ``{"attempt": n}`` (``NodeFailureDetails``); cancellation ends the activity
cancelled; a worker shutting down hands the node back (``WorkerShutdown``, retryable).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
import time
from datetime import timedelta
from typing import Any, Callable, Sequence

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from .logs import AttemptLog, attempt_key
from .node import REGISTRY, NodeFailure, NodeType
from .runner import run_attempt
from .store import ArtifactStore, store_from_env
from .values import artifact_digests, port_value_problem

#: How often a running node tells Temporal it is alive (and learns of a cancellation).
HEARTBEAT_EVERY_S = 1.0
#: How often the worker looks at the attempt's process.
POLL_EVERY_S = 0.05
#: How long a stopped attempt gets between SIGTERM and SIGKILL.
KILL_GRACE_S = 2.0
#: How long the end of an attempt waits for its log to reach the store.
LOG_FINISH_S = 10.0
#: How often an attempt's new log lines go to the store (as DEFAULT_LOG_LIMITS.flushMs).
LOG_FLUSH_EVERY_S = 1.0


def _kill_group(proc: multiprocessing.process.BaseProcess) -> None:
    """Stops the attempt's process group (the node and whatever it started, leftovers of a finished
    attempt included): SIGTERM, up to ``KILL_GRACE_S`` to exit, then SIGKILL. Blocks: run it off the loop."""
    pid = proc.pid
    if pid is None:
        return
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.is_alive():  # killed before it made its own group
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        proc.join(wait)


async def _stop(proc: multiprocessing.process.BaseProcess) -> None:
    await asyncio.shield(asyncio.get_running_loop().run_in_executor(None, _kill_group, proc))


class _LiveLog:
    """Writes an attempt's new lines to the store as a segment every second, in a thread, one write
    at a time (a write still going when the next is due is waited for then, never on the node's
    loop). A store error is reported once and never fails the node: the live view misses those lines,
    the final log has them."""

    def __init__(self, log: AttemptLog, store: ArtifactStore, key: str) -> None:
        self.log, self.store, self.key = log, store, key
        self.writing: asyncio.Future[None] | None = None
        self.last = time.monotonic()
        self.warned = False

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last < LOG_FLUSH_EVERY_S or (self.writing is not None and not self.writing.done()):
            return
        self.last = now
        batch = self.log.take_pending()
        if batch:
            self.writing = asyncio.ensure_future(asyncio.to_thread(self._write, batch))

    def _write(self, batch: list[dict[str, Any]]) -> None:
        try:
            self.log.write_segment(self.store, self.key, batch)
        except Exception as err:  # noqa: BLE001
            if not self.warned:
                self.warned = True
                print(f"kiln worker: live log lines of {self.key} could not be written to the store: {err}", file=sys.stderr, flush=True)

    async def settle(self) -> None:
        if self.writing is not None:
            await asyncio.wait({self.writing}, timeout=LOG_FINISH_S)


async def _finish_log(log: AttemptLog, store: ArtifactStore, task: dict[str, Any], attempt: int, outcome: str) -> None:
    """Writes the attempt's log; a store that fails or hangs never fails the node (as finishLog in node-activity.ts)."""
    item = task.get("item")
    try:
        await asyncio.wait_for(asyncio.to_thread(log.finish, store, task["runId"], task["nodeId"], attempt, item["index"] if item else None, outcome), LOG_FINISH_S)
    except Exception as err:  # noqa: BLE001
        print(f"kiln worker: the log of {task.get('nodeId')} attempt {attempt} could not be written to the store: {err}", file=sys.stderr, flush=True)


def reuse_result(node: NodeType, reuse: dict[str, Any], store: ArtifactStore) -> dict[str, Any] | str:
    """An earlier run's outputs as a cached result (worker/src/reuse.ts): they must still fit the
    type's output ports and every artifact they point at must still be stored; else why not."""
    outputs = reuse.get("outputs") or {}
    digests: list[str] = []
    for name, port in node.outputs.items():
        value = outputs.get(name)
        if value is None:
            if port.optional:
                continue
            return f'the earlier outputs no longer fit: output "{name}" is missing'
        problem = port_value_problem(port.type, value)
        if problem:
            return f'the earlier outputs no longer fit: output "{name}" {problem}'
        digests += artifact_digests(port.type, value)
    try:
        gone = sorted({d for d in digests if not store.has(d)})
    except Exception as err:  # noqa: BLE001
        return f"the store could not be asked: {err}"
    if gone:
        return f"artifact{'' if len(gone) == 1 else 's'} {', '.join(gone)} no longer in the store"
    result: dict[str, Any] = {"outputs": outputs, "attempt": 0, "cached": True, "cachedFrom": reuse["from"]}
    if reuse.get("skipDownstream"):
        result["skipDownstream"] = reuse["skipDownstream"]
    return result


def node_activity(node: NodeType, modules: Sequence[str], mp: multiprocessing.context.BaseContext, store: ArtifactStore) -> Callable[[dict[str, Any]], Any]:
    """The Temporal activity serving ``node``."""

    @activity.defn(name=node.type)
    async def run(task: dict[str, Any]) -> dict[str, Any]:
        info = activity.info()
        attempt = info.attempt
        final_attempt = attempt >= int(task.get("maxAttempts", 1))
        node_id = task.get("nodeId", "?")

        def fail(message: str, type: str, retryable: bool = True) -> ApplicationError:
            return ApplicationError(message, {"attempt": attempt}, type=type, non_retryable=final_attempt or not retryable)

        reuse_miss: str | None = None
        if task.get("reuse"):
            reused = await asyncio.to_thread(reuse_result, node, task["reuse"], store)
            if isinstance(reused, dict):
                return reused
            reuse_miss = f'not reusing the result of run {task["reuse"]["from"]["runId"]} (node "{task["reuse"]["from"]["nodeId"]}"): {reused}; running the node'

        # Checked here first: bad params fail at once, without starting a process.
        try:
            node.check_params(task.get("params") or {})
        except NodeFailure as err:
            raise fail(str(err), err.type, err.retryable) from None

        receive, send = mp.Pipe(duplex=False)
        proc = mp.Process(target=run_attempt, args=(list(modules), task, attempt, info.task_queue, send), name=f"kiln-node-{node_id}", daemon=True)
        proc.start()
        send.close()
        timeout = task.get("timeoutSeconds")
        deadline = time.monotonic() + timeout if timeout is not None else None
        progress: dict[str, Any] | None = None
        last_beat = 0.0
        outcome: tuple[str, Any] | None = None
        log = AttemptLog()
        item = task.get("item")
        live = _LiveLog(log, store, attempt_key(task["runId"], node_id, attempt, item["index"] if item else None))
        if reuse_miss:
            log.add("info", reuse_miss)
        ended = "failed"
        try:
            while outcome is None:
                while receive.poll():
                    try:
                        kind, *body = receive.recv()
                    except EOFError:
                        break
                    if kind == "progress":
                        progress = body[0]
                    elif kind == "log":
                        log.add(body[0], body[1])
                    else:
                        outcome = (kind, body[0])
                        break
                if outcome is not None:
                    break
                live.tick()
                if not proc.is_alive() and not receive.poll():
                    code = proc.exitcode
                    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
                    raise fail(f'node "{node_id}" ({node.type}): its Python process {how} before it finished', "ProcessDied")
                if deadline is not None and time.monotonic() >= deadline:
                    await _stop(proc)
                    raise fail(f'node "{node_id}" timed out after {timeout} s', "Timeout")
                now = time.monotonic()
                if now - last_beat >= HEARTBEAT_EVERY_S:
                    if progress is None:
                        activity.heartbeat()
                    else:
                        activity.heartbeat(progress)
                    last_beat = now
                await asyncio.sleep(POLL_EVERY_S)
        except asyncio.CancelledError:
            # Cancelled by the run, or the worker is shutting down: the node's process goes either way.
            await _stop(proc)
            ended = "cancelled"
            log.add("warn", f"attempt {attempt} was cancelled")
            details = activity.cancellation_details()
            if activity.is_worker_shutdown() and not (details and details.cancel_requested):
                raise ApplicationError(f'node "{node_id}" was handed back: its worker shut down', {"attempt": attempt}, type="WorkerShutdown", non_retryable=False) from None
            raise
        except ApplicationError as err:
            log.add("warn", f"attempt {attempt} failed: {err.message.splitlines()[0] if err.message else err.type}")
            raise
        finally:
            # Whatever the outcome, the attempt is over: its group goes (processes it left running too).
            await _stop(proc)
            receive.close()
            if outcome is not None:
                if outcome[0] == "ok":
                    ended = "succeeded"
                else:
                    log.add("warn", f"attempt {attempt} failed: {outcome[1]['message'].splitlines()[0]}")
            await asyncio.shield(live.settle())
            await asyncio.shield(_finish_log(log, store, task, attempt, ended))
        kind, body = outcome
        if kind == "ok":
            return {"outputs": body, "attempt": attempt}
        raise fail(body["message"], body["type"], body["retryable"])

    return run


def import_nodes(modules: Sequence[str]) -> list[NodeType]:
    """Imports the modules and returns the node types they define."""
    import importlib

    before = set(REGISTRY)
    for m in modules:
        importlib.import_module(m)
    types = [t for name, t in REGISTRY.items() if name not in before or t.module in modules]
    if not types:
        raise SystemExit(f"no @kiln.node in {', '.join(modules)}")
    return types


async def create_worker(client: Client, queue: str, modules: Sequence[str], concurrency: int = 4) -> Worker:
    """A worker serving every node type of ``modules`` on ``queue``.

    Each attempt runs in a process forked from a server process that imported ``modules`` once
    (multiprocessing's ``forkserver``), so starting one costs milliseconds, not an interpreter start.
    """
    types = import_nodes(modules)
    store = store_from_env()
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["kiln.runner", *modules])
    return Worker(
        client,
        task_queue=queue,
        activities=[node_activity(t, modules, mp, store) for t in types],
        max_concurrent_activities=concurrency,
        # As the TypeScript workers: at most a second between heartbeats sent, so progress and
        # cancellation travel within about a second.
        max_heartbeat_throttle_interval=timedelta(seconds=1),
        default_heartbeat_throttle_interval=timedelta(seconds=1),
        graceful_shutdown_timeout=timedelta(seconds=5),
        disable_payload_error_limit=True,
    )
