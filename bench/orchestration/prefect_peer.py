"""The Prefect peer of bench/orchestration: the same shapes as Prefect 3 flows of no-op tasks, on
Prefect's ephemeral server (what `python flow.py` uses with no PREFECT_API_URL set).

A long-lived process so the server stays warm between rounds, as Temporal's does: reads one shape a
line on stdin ("chain 40", "fan 1000") and answers with the flow's wall time in ms on stdout.
"""
import sys
import time

from prefect import flow, task


@task
def noop(i: int) -> None:
    return None


@flow
def chain(n: int) -> None:
    # Each task waits for the one before it (a dependency), like the Kiln chain's edges.
    previous = None
    for i in range(n):
        previous = noop.submit(i, wait_for=[previous] if previous is not None else None)
    previous.result()


@flow
def fan(n: int) -> None:
    for future in noop.map(range(n)):
        future.result()


SHAPES = {"chain": chain, "fan": fan}

for line in sys.stdin:
    shape, n = line.split()
    start = time.perf_counter()
    SHAPES[shape](int(n))
    print(f"{(time.perf_counter() - start) * 1000:.1f}", flush=True)
