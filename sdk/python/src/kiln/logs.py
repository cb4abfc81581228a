"""A node attempt's log, in the layout of artifacts/src/logs (read by ``kiln logs`` and the studio).

Lines ``{n, t, s, m}`` (number from 1, ISO time, stream ``stdout``/``stderr``/``info``/``warn``, text
cut at 8,192 characters with ``…``), bounded as the TypeScript worker bounds them (the first 256 KiB
of lines and the last 768 KiB; the rest counted as dropped). While the attempt runs, new lines go to
the store every second as segments ``seg-<first line>.jsonl`` beside ``end.json``, so ``kiln logs -f``
and the studio follow it live; segments past the head are pruned to the tail's size. When the attempt
ends, whatever the outcome, the kept lines become one content-addressed artifact
(``application/vnd.kiln.node-log+jsonl``), ``named/logs/<run>/<node>/<attempt>/end.json`` names it,
and the segments are removed. An attempt that wrote no line leaves no log.
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


def segment_name(first_line: int) -> str:
    """artifacts/src/logs/log-location.ts segmentName."""
    return f"seg-{first_line:012d}.jsonl"


def _json_lines(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines).encode("utf-8")


class AttemptLog:
    """The lines of one attempt, bounded in memory. ``add`` and ``take_pending`` belong to the thread
    that receives the lines; ``write_segment`` may run on another, one call at a time."""

    def __init__(self) -> None:
        self.n = 0
        self.head: list[dict[str, Any]] = []
        self.head_bytes = 0
        self.head_last = 0
        self.tail: deque[dict[str, Any]] = deque()
        self.tail_bytes = 0
        self.dropped_lines = 0
        self.dropped_bytes = 0
        self.pending: list[dict[str, Any]] = []
        # Segments written: (name, bytes, holds head lines).
        self.segments: list[tuple[str, int, bool]] = []

    def add(self, stream: str, text: str) -> None:
        if len(text) > LINE_CHARS:
            text = text[: LINE_CHARS - 1] + "…"
        self.n += 1
        line = {"n": self.n, "t": now_iso(), "s": stream, "m": text}
        size = len(text.encode("utf-8"))
        self.pending.append(line)
        if self.head_bytes + size <= HEAD_BYTES and not self.tail:
            self.head.append(line)
            self.head_bytes += size
            self.head_last = self.n
            return
        self.tail.append(line)
        self.tail_bytes += size
        while self.tail_bytes > TAIL_BYTES and self.tail:
            old = self.tail.popleft()
            dropped = len(old["m"].encode("utf-8"))
            self.tail_bytes -= dropped
            self.dropped_lines += 1
            self.dropped_bytes += dropped

    def take_pending(self) -> list[dict[str, Any]]:
        """The lines added since the last call that the tail still keeps (the next segment)."""
        first_tail = self.tail[0]["n"] if self.tail else self.n + 1
        batch = [line for line in self.pending if line["n"] <= self.head_last or line["n"] >= first_tail]
        self.pending = []
        return batch

    def write_segment(self, store: ArtifactStore, key: str, batch: list[dict[str, Any]]) -> None:
        """Writes ``batch`` as a live segment, then prunes the oldest segments past the head to about
        the tail's size (the newest always stays), as AttemptLog.writeSegment does."""
        if not batch:
            return
        data = _json_lines(batch)
        name = segment_name(batch[0]["n"])
        store.put_object(f"{key}/{name}", data)
        self.segments.append((name, len(data), batch[0]["n"] <= self.head_last))
        prunable = [s for s in self.segments if not s[2]]
        size = sum(s[1] for s in prunable)
        remove: list[str] = []
        while len(prunable) > 1 and size > TAIL_BYTES:
            old = prunable.pop(0)
            size -= old[1]
            remove.append(old[0])
            self.segments.remove(old)
        if remove:
            store.remove_objects([f"{key}/{name}" for name in remove])

    def finish(self, store: ArtifactStore, run_id: str, node_id: str, attempt: int, item: int | None, outcome: str) -> dict[str, Any] | None:
        """Stores the kept lines, writes ``end.json`` and removes the live segments; returns what
        ``end.json`` holds, or None when the attempt wrote no line (it has no log)."""
        if self.n == 0:
            return None
        key = attempt_key(run_id, node_id, attempt, item)
        where: dict[str, Any] = {"runId": run_id, "nodeId": node_id, "attempt": attempt, **({"item": item} if item is not None else {})}
        ref = store.put_bytes(_json_lines([*self.head, *self.tail]), LOG_MEDIA_TYPE, where)
        end = {
            "digest": ref.digest,
            "size": ref.size,
            "lines": self.n,
            "droppedLines": self.dropped_lines,
            "droppedBytes": self.dropped_bytes,
            "endedAt": now_iso(),
            "outcome": outcome,
        }
        store.put_object(f"{key}/end.json", json.dumps(end, separators=(",", ":")).encode("utf-8"))
        if self.segments:
            store.remove_objects([f"{key}/{name}" for name, _, _ in self.segments])
            self.segments = []
        return end
