import { useEffect, useRef, useState } from 'react';
import { type LogAttempt, type LogEnd, type LogLine, type NodeLog, logGaps } from '@kiln/engine';
import { nodeLogEvents } from '@kiln/api-types';
import { ApiError, api, getToken } from '../api/client';
import { streamEvents } from '../api/sse';

/** A line of the panel: a log line, or a mark where the per-attempt cap dropped lines. */
type Row = LogLine | { dropped: number; after: number };

const logsUrl = (runId: string, nodeId: string) => `/runs/${encodeURIComponent(runId)}/nodes/${encodeURIComponent(nodeId)}/logs`;
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * A node's log in the run view: the latest attempt, followed live while it runs (and the next
 * attempt after a retry), or an earlier attempt picked from the list.
 */
export function NodeLogPanel({ runId, nodeId, nodeStatus, runsAttempts }: { runId: string; nodeId: string; nodeStatus: string | undefined; runsAttempts: boolean }) {
  /** The attempt asked for; undefined follows the latest. */
  const [chosen, setChosen] = useState<number>();
  const [shown, setShown] = useState<number>();
  const [attempts, setAttempts] = useState<LogAttempt[]>([]);
  const [rows, setRows] = useState<Row[]>([]);
  const [end, setEnd] = useState<LogEnd | 'ended'>();
  const [live, setLive] = useState(false);
  const [note, setNote] = useState<string>();
  const status = useRef(nodeStatus);
  status.current = nodeStatus;
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  // A node that has not started, was skipped or reused from a cache, or is decided by the workflow
  // itself (an approval gate) has no log: nothing is asked until an attempt can have begun.
  const started = runsAttempts && nodeStatus !== undefined && !['pending', 'skipped', 'cached'].includes(nodeStatus);
  useEffect(() => {
    if (!started) {
      setNote(runsAttempts ? 'No log: the node has not run.' : 'No log: this node is decided by the workflow, not run by a worker.');
      return;
    }
    const abort = new AbortController();
    const { signal } = abort;
    const mayRun = () => status.current === undefined || status.current === 'pending' || status.current === 'running';
    const load = async () => {
      let last: number | undefined;
      while (!signal.aborted) {
        let log: NodeLog;
        try {
          log = await api<NodeLog>('GET', `${logsUrl(runId, nodeId)}${chosen ? `?attempt=${chosen}` : ''}`);
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof ApiError && err.status === 404 && chosen === undefined && mayRun()) {
            setNote('No log yet: the node has not printed anything.');
            await sleep(1000, signal);
            continue;
          }
          setNote((err as Error).message);
          return;
        }
        if (signal.aborted) return;
        // An attempt that wrote no line has no stored log: the API answers it ended and empty.
        setNote(log.ended && !log.end && log.lines.length === 0 ? 'No log: the node printed nothing.' : undefined);
        setAttempts(log.attempts);
        if (log.ended && log.attempt === last) {
          // Following the latest: the attempt shown has ended; wait for a retry while the node runs.
          if (chosen !== undefined || !mayRun()) return;
          await sleep(1000, signal);
          continue;
        }
        last = log.attempt;
        setShown(log.attempt);
        if (log.ended) {
          setRows(withGaps(log.lines, 0));
          setEnd(log.end ?? 'ended');
          setLive(false);
          if (chosen !== undefined) return;
          continue;
        }
        // Running: follow it until it ends (the stream starts from its first line).
        setRows([]);
        setEnd(undefined);
        setLive(true);
        try {
          await streamEvents(
            `/api/v1${logsUrl(runId, nodeId)}?follow=true&attempt=${log.attempt}`,
            getToken() ?? '',
            (e) => {
              // Each event's data parsed by its @kiln/api-types schema (a malformed one fails the stream).
              const data: unknown = JSON.parse(e.data);
              if (e.event === 'lines') {
                const lines = nodeLogEvents.lines.parse(data);
                setRows((r) => [...r, ...lines]);
              } else if (e.event === 'dropped') {
                const { count, after } = nodeLogEvents.dropped.parse(data);
                setRows((r) => [...r, { dropped: count, after }]);
              } else if (e.event === 'end') setEnd(nodeLogEvents.end.parse(data).end ?? 'ended');
            },
            signal,
          );
        } catch (err) {
          if (signal.aborted) return;
          setNote(`Live log interrupted (${(err as Error).message}); reconnecting…`);
          await sleep(1000, signal);
        }
        setLive(false);
      }
    };
    void load();
    return () => abort.abort();
  }, [runId, nodeId, chosen, started]);

  // Keep the newest line in view unless the user scrolled up.
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [rows]);

  return (
    <section aria-label="Log" className="node-log">
      <div className="row node-log-head">
        <h3>Log</h3>
        <select
          aria-label="Attempt"
          value={chosen ?? 'latest'}
          onChange={(e) => {
            setRows([]);
            setEnd(undefined);
            setChosen(e.target.value === 'latest' ? undefined : Number(e.target.value));
          }}
        >
          <option value="latest">latest attempt{chosen === undefined && shown ? ` (${shown})` : ''}</option>
          {attempts
            .filter((a) => a.item === undefined)
            .map((a) => (
              <option key={a.attempt} value={a.attempt}>
                attempt {a.attempt}
              </option>
            ))}
        </select>
        <span role="status" aria-label="Log state" className="muted small">
          {live && !end ? '● live' : end && end !== 'ended' ? `${end.outcome}, ${end.lines} lines${end.droppedLines ? ` (${end.droppedLines} dropped)` : ''}` : end ? 'ended' : ''}
        </span>
      </div>
      {note && <p className="muted small">{note}</p>}
      {/* No box for an attempt that printed nothing (the note says so). */}
      {(rows.length > 0 || live || !end) && (
        <div
          className="log-lines mono"
          role="log"
          aria-label="Log lines"
          ref={box}
          onScroll={(e) => {
            const el = e.currentTarget;
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {rows.map((row) =>
            'dropped' in row ? (
              <div key={`gap-${row.after}`} className="log-gap">
                … {row.dropped} lines dropped (the log keeps each attempt&apos;s first and last lines) …
              </div>
            ) : (
              <div key={row.n} className={`log-line log-${row.s}`}>
                <span className="log-time" title={row.t}>
                  {row.t.slice(11, 19)}
                </span>
                <span className="log-stream">{row.s}</span>
                <span className="log-text">{row.m}</span>
              </div>
            ),
          )}
        </div>
      )}
    </section>
  );
}

/** Log lines with a mark wherever their numbers jump (lines the cap dropped). */
function withGaps(lines: readonly LogLine[], after: number): Row[] {
  const gaps = new Map(logGaps(lines, after).map((g) => [g.after + g.count + 1, g]));
  return lines.flatMap((line): Row[] => {
    const gap = gaps.get(line.n);
    return gap ? [{ dropped: gap.count, after: gap.after }, line] : [line];
  });
}
