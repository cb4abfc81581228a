import json

from kiln.logs import HEAD_BYTES, TAIL_BYTES, AttemptLog, attempt_key, key_part
from kiln.store import FolderArtifactStore


def test_keys_as_typescript_encodes_them():
    assert key_part("churn-1_a") == "churn-1_a"
    assert key_part("a.b/é") == "a%2Eb%2F%C3%A9"
    assert key_part("x" * 151).startswith("%H") and len(key_part("x" * 151)) == 66
    assert attempt_key("run 1", "node", 2, None) == "logs/run%201/node/a2"
    assert attempt_key("r", "n", 1, 7) == "logs/r/n/i7-a1"


def test_the_log_keeps_head_and_tail_and_ends_in_the_store(tmp_path):
    log = AttemptLog()
    line = "x" * 1000
    count = (HEAD_BYTES + TAIL_BYTES) // 1000 + 300
    for _ in range(count):
        log.add("stdout", line)
    log.add("info", "y" * 10_000)
    assert log.n == count + 1 and log.dropped_lines > 0 and log.tail[-1]["m"] == "y" * 8191 + "…"
    store = FolderArtifactStore(tmp_path)
    end = log.finish(store, "r", "n", 1, None, "succeeded")
    assert json.loads((tmp_path / "named/logs/r/n/a1/end.json").read_text()) == end
    lines = [json.loads(x) for x in store.get(end["digest"]).decode().splitlines()]
    assert end["lines"] == count + 1 and end["droppedLines"] == log.dropped_lines and len(lines) == count + 1 - log.dropped_lines
    assert lines[0]["n"] == 1 and lines[-1]["n"] == count + 1 and set(lines[0]) == {"n", "t", "s", "m"}
