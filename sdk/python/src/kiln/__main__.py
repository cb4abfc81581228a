"""``python -m kiln worker <module>...``: serve Python node types to Kiln.

Connects to Temporal (``--temporal-address`` or ``TEMPORAL_ADDRESS``, default ``127.0.0.1:7233``;
``TEMPORAL_NAMESPACE``, default ``default``), serves every ``@kiln.node`` of the modules on ``--queue``
(or ``KILN_QUEUE``), and registers them with the API at ``KILN_API_URL`` with the worker token
``KILN_WORKER_TOKEN`` or ``KILN_API_TOKEN`` (renewed every 15 s). Artifacts go to the store the TypeScript workers use
(``S3_ENDPOINT``…, else ``KILN_ARTIFACTS`` or ``$KILN_HOME/artifacts``). Exit codes: 0 stopped, 1
failed, 2 bad arguments or a registration the API refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from typing import Sequence

from temporalio.client import Client

from .registration import RegistrationRefused, default_worker_id, deregister, keep_registered, registration_body
from .worker import create_worker, import_nodes


def parse(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m kiln", description="Serve Python node types to Kiln.")
    sub = p.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker", help="serve the node types of Python modules")
    w.add_argument("modules", nargs="+", help="modules defining @kiln.node functions (importable: on PYTHONPATH or the working directory)")
    w.add_argument("--queue", default=os.environ.get("KILN_QUEUE"), help="the task queue to serve (KILN_QUEUE); not cpu, gpu or kiln-workflows")
    w.add_argument("--source", default=None, help="the name the studio groups these types under (default: the first module)")
    w.add_argument("--temporal-address", default=os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"))
    w.add_argument("--namespace", default=os.environ.get("TEMPORAL_NAMESPACE", "default"))
    w.add_argument("--worker-id", default=os.environ.get("KILN_WORKER_ID"))
    w.add_argument("--concurrency", type=int, default=int(os.environ.get("KILN_PY_CONCURRENCY", "4")), help="node attempts at once (processes)")
    w.add_argument("--no-register", action="store_true", help="serve without registering with the API")
    args = p.parse_args(argv)
    if not args.queue:
        p.error("--queue (or KILN_QUEUE) is required: the task queue these node types are served on")
    if args.queue in ("cpu", "gpu", "kiln-workflows"):
        p.error(f"--queue {args.queue}: that queue is served by Kiln's own workers; give the Python types a queue of their own")
    if args.concurrency < 1:
        p.error("--concurrency must be at least 1")
    return args


async def serve(args: argparse.Namespace) -> int:
    sys.path.insert(0, os.getcwd())
    types = import_nodes(args.modules)
    api_url = os.environ.get("KILN_API_URL")
    # KILN_WORKER_TOKEN first, as the TypeScript worker reads it (docs/node-registry.md).
    token = os.environ.get("KILN_WORKER_TOKEN") or os.environ.get("KILN_API_TOKEN")
    registering = not args.no_register
    if registering and not (api_url and token):
        print("kiln worker: KILN_API_URL and a worker token (KILN_WORKER_TOKEN or KILN_API_TOKEN) are needed to register; pass --no-register to serve without", file=sys.stderr)
        return 2
    client = await Client.connect(args.temporal_address, namespace=args.namespace)
    worker = await create_worker(client, args.queue, args.modules, args.concurrency)
    registration: asyncio.Task[None] | None = None
    worker_id = args.worker_id or default_worker_id(args.queue)
    if registering:
        assert api_url and token
        body = registration_body(types, args.queue, args.source or args.modules[0])
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        registration = asyncio.create_task(keep_registered(api_url, token, worker_id, body, first))
        try:
            await first
        except RegistrationRefused as err:
            print(f"kiln worker: {err}", file=sys.stderr, flush=True)
            return 2
        print(f"kiln worker: registered {', '.join(t.type for t in types)} as {worker_id} with {api_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"kiln worker: serving {', '.join(t.type for t in types)} on queue {args.queue} at {args.temporal_address}", flush=True)
    run = asyncio.create_task(worker.run())
    await asyncio.wait([run, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    if registration:
        registration.cancel()
        assert api_url and token
        await asyncio.to_thread(deregister, api_url, token, worker_id)
    if not run.done():
        await worker.shutdown()
    try:
        await run
    except Exception as err:  # noqa: BLE001
        print(f"kiln worker: stopped: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    sys.exit(asyncio.run(serve(args)))


if __name__ == "__main__":
    main()
