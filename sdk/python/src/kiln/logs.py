"""A node attempt's log, in the layout of artifacts/src/logs (read by ``kiln logs`` and the studio).

Lines ``{n, t, s, m}`` (number from 1, ISO time, stream ``stdout``/``stderr``/``info``/``warn``, text
cut at 8,192 characters with ``…``), bounded as the TypeScript worker bounds them (the first 256 KiB
of lines and the last 768 KiB; the rest counted as dropped). When the attempt ends, whatever the
outcome, the kept lines become one content-addressed artifact (``application/vnd.kiln.node-log+jsonl``)
and ``named/logs/<run>/<node>/<attempt>/end.json`` names it. Unlike the TypeScript worker, no live
segments are written while the attempt runs: a Python node's log appears when the attempt ends.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from datetime import datetime, timezone
from typing import Any

from .store import ArtifactStore

LOG_MEDIA_TYPE = "application/vnd.kiln.node-log+jsonl"
LINE_CHARS = 8192
HEAD_BYTES = 256 * 1024
TAIL_BYTES = 768 * 1024
_PLAIN = re.compile(rb"[A-Za-z0-9_-]")


def key_part(value: str) -> str:
    """artifacts/src/logs/log-location.ts keyPart: ``[A-Za-z0-9_-]`` kept, other UTF-8 bytes as ``%XX``, long ids hashed."""
    out = "".join(chr(b) if _PLAIN.fullmatch(bytes([b])) else f"%{b:02X}" for b in value.encode("utf-8"))
    if not out or len(out) > 150:
        return "%H" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return out


def attempt_key(run_id: str, node_id: str, attempt: int, item: int | None) -> str:
    name = f"a{attempt}" if item is None else f"i{item}-a{attempt}"
    return f"logs/{key_part(run_id)}/{key_part(node_id)}/{name}"


def now_iso() -> str:
    """``new Date().toISOString()``."""
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class AttemptLog:
    """The lines of one attempt, bounded in memory."""

    def __init__(self) -> None:
        self.n = 0
        self.head: list[dict[str, Any]] = []
        self.head_bytes = 0
        self.tail: deque[dict[str, Any]] = deque()
        self.tail_bytes = 0
        self.dropped_lines = 0
        self.dropped_bytes = 0

    def add(self, stream: str, text: str) -> None:
        if len(text) > LINE_CHARS:
            text = text[: LINE_CHARS - 1] + "…"
        self.n += 1
        line = {"n": self.n, "t": now_iso(), "s": stream, "m": text}
        size = len(text.encode("utf-8"))
        if self.head_bytes + size <= HEAD_BYTES and not self.tail:
            self.head.append(line)
            self.head_bytes += size
            return
        self.tail.append(line)
        self.tail_bytes += size
        while self.tail_bytes > TAIL_BYTES and self.tail:
            old = self.tail.popleft()
            dropped = len(old["m"].encode("utf-8"))
            self.tail_bytes -= dropped
            self.dropped_lines += 1
            self.dropped_bytes += dropped

    def finish(self, store: ArtifactStore, run_id: str, node_id: str, attempt: int, item: int | None, outcome: str) -> dict[str, Any]:
        """Stores the kept lines and writes ``end.json``; returns what it holds."""
        body = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in [*self.head, *self.tail])
        where: dict[str, Any] = {"runId": run_id, "nodeId": node_id, "attempt": attempt, **({"item": item} if item is not None else {})}
        ref = store.put_bytes(body.encode("utf-8"), LOG_MEDIA_TYPE, where)
        end = {
            "digest": ref.digest,
            "size": ref.size,
            "lines": self.n,
            "droppedLines": self.dropped_lines,
            "droppedBytes": self.dropped_bytes,
            "endedAt": now_iso(),
            "outcome": outcome,
        }
        store.put_object(f"{attempt_key(run_id, node_id, attempt, item)}/end.json", json.dumps(end, separators=(",", ":")).encode("utf-8"))
        return end
