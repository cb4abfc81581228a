import { parseArgs } from 'node:util';
import { type LogLine, type NodeLog, SseHttpError, logGaps, streamEvents } from '@kiln/engine';
import { type RunDetail, nodeLogEvents } from '@kiln/api-types';
import { apiTarget } from '../api-target';
import type { Io } from '../io';
import { LOGS_USAGE } from './usage';

/** Following more nodes at once than this asks for a node instead (one event stream per node). */
const MAX_FOLLOWED_NODES = 32;

class UsageError extends Error {}

const positiveInt = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(text)})`);
  return Number(text);
};

/**
 * Prints a run's node logs from the API: one node's attempt (default the latest), or every node's
 * latest attempt; `-f` follows them live until the attempts end.
 */
export async function logsCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  let numbers;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        follow: { type: 'boolean', short: 'f' },
        attempt: { type: 'string' },
        item: { type: 'string' },
        tail: { type: 'string' },
        json: { type: 'boolean' },
        api: { type: 'string' },
        token: { type: 'string' },
      },
    });
    numbers = {
      attempt: positiveInt('attempt', parsed.values.attempt, 1),
      item: positiveInt('item', parsed.values.item, 0),
      tail: positiveInt('tail', parsed.values.tail, 1),
    };
  } catch (err) {
    io.err(`kiln logs: ${(err as Error).message}\nusage: ${LOGS_USAGE}`);
    return 2;
  }
  const [runId, nodeId, ...extra] = parsed.positionals;
  const { base, token } = apiTarget(parsed.values);
  if (!runId || extra.length > 0 || !token) {
    io.err(`${token ? '' : 'a token is needed (--token or KILN_TOKEN)\n'}usage: ${LOGS_USAGE}`);
    return 2;
  }
  if (!nodeId && (numbers.attempt !== undefined || numbers.item !== undefined)) {
    io.err(`kiln logs: --attempt and --item need a node\nusage: ${LOGS_USAGE}`);
    return 2;
  }
  const json = Boolean(parsed.values.json);
  const run = `${base}/api/v1/runs/${encodeURIComponent(runId)}`;
  const get = async (url: string) => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${res.status} ${String(body.message ?? res.statusText)}`);
    return body;
  };
  const query = (follow: boolean) => {
    const q = new URLSearchParams();
    if (numbers.attempt !== undefined) q.set('attempt', String(numbers.attempt));
    if (numbers.item !== undefined) q.set('item', String(numbers.item));
    if (numbers.tail !== undefined) q.set('tail', String(numbers.tail));
    if (follow) q.set('follow', 'true');
    return q.size > 0 ? `?${q}` : '';
  };
  try {
    let nodes: string[];
    if (nodeId) nodes = [nodeId];
    else {
      const { state } = (await get(run)) as unknown as RunDetail;
      nodes = Object.entries(state?.nodes ?? {})
        .filter(([, n]) => n.status !== 'skipped' && n.status !== 'cached' && (parsed.values.follow || n.status !== 'pending'))
        .sort(([, a], [, b]) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~'))
        .map(([id]) => id);
      if (parsed.values.follow && nodes.length > MAX_FOLLOWED_NODES) {
        io.err(`kiln logs: the run has ${nodes.length} nodes to follow (at most ${MAX_FOLLOWED_NODES} at once); name one: kiln logs ${runId} <node> -f`);
        return 2;
      }
    }
    const prefix = (node: string) => (nodeId ? '' : `${node} │ `);
    const print = (node: string, lines: readonly LogLine[], after: number) => {
      for (const gap of logGaps(lines, after)) if (!json) io.out(`${prefix(node)}… ${gap.count} lines dropped (the per-attempt log cap keeps the first and last lines) …`);
      for (const line of lines) io.out(json ? JSON.stringify({ node, ...line }) : `${prefix(node)}${formatLine(line)}`);
    };
    if (!parsed.values.follow) {
      for (const node of nodes) {
        let log: NodeLog;
        try {
          log = (await get(`${run}/nodes/${encodeURIComponent(node)}/logs${query(false)}`)) as unknown as NodeLog;
        } catch (err) {
          // Listing a whole run: a node without a log yet is not an error.
          if (!nodeId && (err as Error).message.startsWith('404')) continue;
          throw err;
        }
        if (!nodeId && !json) io.out(`── ${node} (attempt ${log.attempt}${log.item !== undefined ? `, item ${log.item}` : ''}${log.ended ? '' : ', running'}) ──`);
        const first = log.lines[0];
        print(node, log.lines, numbers.tail !== undefined && first ? first.n - 1 : 0);
      }
      return 0;
    }
    const failures: string[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        let after = 0;
        let started = false;
        try {
          await streamEvents(`${run}/nodes/${encodeURIComponent(node)}/logs${query(true)}`, token, (e) => {
            // Each event's data parsed by its @kiln/api-types schema.
            const data: unknown = JSON.parse(e.data);
            if (e.event === 'attempt' && !json) {
              const at = nodeLogEvents.attempt.parse(data);
              io.err(`${prefix(node)}following attempt ${at.attempt}${at.item !== undefined ? ` of item ${at.item}` : ''}`);
            } else if (e.event === 'dropped' && !json) {
              io.out(`${prefix(node)}… ${nodeLogEvents.dropped.parse(data).count} lines dropped (the per-attempt log cap keeps the first and last lines) …`);
            } else if (e.event === 'lines') {
              const lines = nodeLogEvents.lines.parse(data);
              if (!started && numbers.tail !== undefined && lines[0]) after = lines[0].n - 1;
              started = true;
              for (const line of lines) io.out(json ? JSON.stringify({ node, ...line }) : `${prefix(node)}${formatLine(line)}`);
              after = lines.at(-1)?.n ?? after;
            } else if (e.event === 'end' && !json) {
              const end = nodeLogEvents.end.parse(data);
              io.err(`${prefix(node)}${end.end ? `attempt ended (${end.end.outcome})` : end.reason}`);
            }
          }, new AbortController().signal);
        } catch (err) {
          if (nodeId || !(err instanceof SseHttpError && err.status === 404)) failures.push(`${node}: ${unreachable(err, base) ?? (err as Error).message}`);
        }
      }),
    );
    for (const f of failures) io.err(`kiln logs: ${f}`);
    return failures.length > 0 ? 1 : 0;
  } catch (err) {
    io.err(`kiln logs: ${unreachable(err, base) ?? (err as Error).message}`);
    return 1;
  }
}

/** A sentence for an API that did not answer (fetch says only "fetch failed"). */
function unreachable(err: unknown, base: string): string | undefined {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? cause?.message;
  if (!(err instanceof TypeError) || !code) return undefined;
  return `cannot reach the Kiln API at ${base} (${code}): is \`kiln up\` or \`kiln api\` running there? Set --api or KILN_API_URL`;
}

const TAGS: Record<LogLine['s'], string> = { stdout: 'out ', stderr: 'err ', info: 'info', warn: 'warn' };

/** `12:00:03.120 out  text` (local time). */
function formatLine(line: LogLine): string {
  const t = new Date(line.t);
  const time = Number.isNaN(t.getTime()) ? line.t : `${t.toTimeString().slice(0, 8)}.${String(t.getMilliseconds()).padStart(3, '0')}`;
  return `${time} ${TAGS[line.s]} ${line.m}`;
}
