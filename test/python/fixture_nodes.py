"""Node types the Python worker tests run: one that raises, one that runs until it is stopped."""

from __future__ import annotations

import os
import subprocess
import time

import kiln


def _check_ratio(rows: int) -> float:
    return 1 / rows  # rows == 0 raises here, two frames below the node


@kiln.node(type="kiln_test.explode", version=1)
def explode(ctx: kiln.Context, rows: int = 0) -> kiln.Json:
    """Raises ZeroDivisionError from a helper, after writing to its log three ways."""
    print(f"checking {rows} rows")
    ctx.log("about to divide")
    subprocess.run(["sh", "-c", "echo from a child process >&2"], check=True)
    return {"ratio": _check_ratio(rows)}


@kiln.node(type="kiln_test.spin", version=1)
def spin(ctx: kiln.Context, pid_file: str) -> kiln.Json:
    """Starts a child process (`sleep`), writes both pids to `pid_file`, prints a line, then reports progress forever."""
    child = subprocess.Popen(["sleep", "600"])
    tmp = pid_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{os.getpid()} {child.pid}\n")
    os.replace(tmp, pid_file)
    print("spinning until stopped", flush=True)
    i = 0
    while True:
        i += 1
        ctx.progress(tick=i)
        time.sleep(0.05)
