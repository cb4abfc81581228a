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


def test_live_segments_are_readable_while_running_pruned_past_the_head_and_removed_at_the_end(tmp_path):
    store = FolderArtifactStore(tmp_path)
    log = AttemptLog()
    key = attempt_key("r", "n", 1, None)
    folder = tmp_path / "named/logs/r/n/a1"
    log.add("stdout", "first")
    log.add("info", "second")
    log.write_segment(store, key, log.take_pending())
    # The layout and line format artifacts/src/logs/log-reader.ts reads.
    assert [json.loads(x) for x in (folder / "seg-000000000001.jsonl").read_text().splitlines()] == [
        {"n": 1, "t": log.head[0]["t"], "s": "stdout", "m": "first"},
        {"n": 2, "t": log.head[1]["t"], "s": "info", "m": "second"},
    ]
    assert log.take_pending() == []
    # Far more than head and tail, a segment a batch: past the head, segments stay within about the tail.
    line = "z" * 1000
    for _ in range(12):
        for _ in range(200):
            log.add("stdout", line)
        log.write_segment(store, key, log.take_pending())
    live = sorted(p.name for p in folder.glob("seg-*.jsonl"))
    assert live[0] == "seg-000000000001.jsonl"
    past_head = [p for p in folder.glob("seg-*.jsonl") if int(p.name[4:16]) > log.head_last]
    assert sum(p.stat().st_size for p in past_head) <= TAIL_BYTES + 200 * 1100
    assert log.dropped_lines > 0
    end = log.finish(store, "r", "n", 1, None, "succeeded")
    assert end is not None and end["lines"] == log.n
    assert sorted(p.name for p in folder.iterdir()) == ["end.json"]


def test_an_attempt_that_wrote_no_line_leaves_no_log(tmp_path):
    store = FolderArtifactStore(tmp_path)
    assert AttemptLog().finish(store, "r", "n", 1, None, "succeeded") is None
    assert not (tmp_path / "named").exists()
    store.remove_objects(["logs/r/n/a1/seg-000000000001.jsonl"])  # missing: not an error
