"""What a running node gets besides its inputs and params."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .store import ArtifactStore


@dataclass
class Context:
    """The node's run, attempt and store; ``progress`` becomes the activity's heartbeat details."""

    run_id: str
    pipeline: str
    node_id: str
    type: str
    attempt: int
    queue: str
    store: ArtifactStore
    #: ``{"index": i, "value": v}`` for an item of a mapped node, else None.
    item: dict[str, Any] | None
    _send: Callable[[Any], None]
    _scratch: Path | None = None

    def progress(self, details: dict[str, Any] | None = None, **fields: Any) -> None:
        """Reports progress (a small JSON object: ``ctx.progress(epoch=3, loss=0.4)``); the worker sends
        the latest with its next heartbeat, and the API shows it on the running node."""
        self._send(("progress", {**(details or {}), **fields}))

    def log(self, message: str) -> None:
        """A line in the attempt's log (``kiln logs``, the studio's log panel), as ``info``."""
        for line in str(message).split("\n"):
            self._send(("log", "info", line))

    def warn(self, message: str) -> None:
        """A ``warn`` line in the attempt's log."""
        for line in str(message).split("\n"):
            self._send(("log", "warn", line))

    def scratch_dir(self) -> Path:
        """A folder of this attempt's own, removed when the attempt ends."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix=f"kiln-{self.node_id[:40]}-"))
        return self._scratch
