"""Publishing the worker's node types to the Kiln API (``PUT /api/v1/node-types/registrations/:workerId``).

The body is engine/src/catalog/registration.ts's ``nodeTypeRegistrationSchema``; the API refuses a bad
type with a 400 naming it, and forgets a worker that stops renewing (``REGISTRATION_TTL_SECONDS``), so
the worker renews every ``renewSeconds`` the API answers (default ``RENEW_SECONDS``) and ends its
registration when it stops.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
import urllib.error
import urllib.request
from typing import Any, Sequence
from urllib.parse import quote

from .node import NodeType

#: engine/src/catalog/registration.ts REGISTRATION_RENEW_SECONDS
RENEW_SECONDS = 15.0
REQUEST_TIMEOUT_S = 10.0


class RegistrationRefused(Exception):
    """The API answered 4xx: the registration itself is wrong (a bad type, a bad token); retrying cannot help."""


def default_worker_id(queue: str) -> str:
    """``py-<host>-<pid>-<queue>``, with the characters a worker id may hold."""
    import os

    raw = f"py-{socket.gethostname()}-{os.getpid()}-{queue}"
    return re.sub(r"[^A-Za-z0-9._:@-]", "-", raw)[:200]


def registration_body(types: Sequence[NodeType], queue: str, source: str) -> dict[str, Any]:
    return {"language": "python", "source": source, "queue": queue, "types": [t.registration() for t in types]}


def _url(api_url: str, worker_id: str) -> str:
    return f"{api_url.rstrip('/')}/api/v1/node-types/registrations/{quote(worker_id, safe='')}"


def register_once(api_url: str, token: str, worker_id: str, body: dict[str, Any]) -> Any:
    """One PUT; raises ``RegistrationRefused`` on a 4xx (with the API's message), OSError on anything else."""
    req = urllib.request.Request(_url(api_url, worker_id), data=json.dumps(body).encode("utf-8"), method="PUT", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as res:
            text = res.read().decode("utf-8")
            return json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        text = err.read().decode("utf-8", "replace")
        if 400 <= err.code < 500:
            raise RegistrationRefused(f"the API refused the registration of {body['source']} ({err.code}): {_message(text)}") from None
        raise OSError(f"the API answered {err.code}: {_message(text)}") from None


def deregister(api_url: str, token: str, worker_id: str) -> None:
    """Ends the registration (the worker is stopping): its types show unserved at once rather than at expiry."""
    req = urllib.request.Request(_url(api_url, worker_id), method="DELETE", headers={"Authorization": f"Bearer {token}"})
    try:
        urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S).close()
    except (OSError, urllib.error.HTTPError) as err:
        print(f"kiln worker: could not end the registration of {worker_id}: {err}", file=sys.stderr, flush=True)


def _message(text: str) -> str:
    try:
        doc = json.loads(text)
    except ValueError:
        return text[:2000]
    parts = [str(doc.get("message", ""))] if isinstance(doc, dict) else [text]
    if isinstance(doc, dict) and isinstance(doc.get("problems"), list):
        parts += [f"{p.get('path', '')}: {p.get('message', '')}" if isinstance(p, dict) else str(p) for p in doc["problems"]]
    return "; ".join(p for p in parts if p)


async def keep_registered(api_url: str, token: str, worker_id: str, body: dict[str, Any], first: asyncio.Future[None]) -> None:
    """Registers, then renews until cancelled. ``first`` settles after the first try: with the
    exception when the API refuses (a 4xx); an API that cannot be reached is retried."""
    renew = RENEW_SECONDS
    while True:
        try:
            answer = await asyncio.to_thread(register_once, api_url, token, worker_id, body)
            if isinstance(answer, dict) and isinstance(answer.get("renewSeconds"), (int, float)) and answer["renewSeconds"] > 0:
                renew = float(answer["renewSeconds"])
            if not first.done():
                first.set_result(None)
        except RegistrationRefused as err:
            if not first.done():
                first.set_exception(err)
                return
            print(f"kiln worker: {err}", file=sys.stderr, flush=True)
        except OSError as err:
            # An API that is down does not keep the worker from serving: it registers once the API answers.
            print(f"kiln worker: could not register with {api_url} (retrying every {renew:g} s): {err}", file=sys.stderr, flush=True)
            if not first.done():
                first.set_result(None)
        await asyncio.sleep(renew)
