import { type LogAttempt, type LogEnd, type LogLine, logEndSchema, logLineSchema } from '@kiln/engine';
import type { ArtifactStore } from '../artifact-store';
import { END_OBJECT, attemptLogKey, nodeLogKey, parseAttemptName, parseSegmentName, runLogKey } from './log-location';

/** The attempts of a node that have a log, oldest first (items of a mapped node by item, then attempt). */
export async function logAttempts(store: ArtifactStore, runId: string, nodeId: string): Promise<LogAttempt[]> {
  const names = await store.objects.list(nodeLogKey(runId, nodeId));
  return names
    .map(parseAttemptName)
    .filter((a): a is LogAttempt => a !== undefined)
    .sort((a, b) => (a.item ?? -1) - (b.item ?? -1) || a.attempt - b.attempt);
}

/** The nodes of a run that have a log (their key parts; see `keyPart`). */
export function loggedNodeKeys(store: ArtifactStore, runId: string): Promise<string[]> {
  return store.objects.list(runLogKey(runId));
}

/** What a read of an attempt's log found: lines after the given number, and the end once it has ended. */
export interface AttemptLogRead {
  lines: LogLine[];
  /** Set once the attempt has ended (its log is complete). */
  end?: LogEnd;
}

/**
 * Reads an attempt's log: the final artifact when it has ended, else the live segments. Only lines
 * numbered after `after` are returned (a follower passes the last number it has).
 */
export async function readAttemptLog(
  store: ArtifactStore,
  where: { runId: string; nodeId: string } & LogAttempt,
  after = 0,
): Promise<AttemptLogRead> {
  const key = attemptLogKey(where.runId, where.nodeId, where);
  for (let tries = 0; tries < 3; tries++) {
    const end = await readEnd(store, key);
    if (end) return { lines: parseLines(await store.get(end.digest), after), end };
    const names = await store.objects.list(key);
    const segments = names
      .map((name) => ({ name, first: parseSegmentName(name) }))
      .filter((s): s is { name: string; first: number } => s.first !== undefined);
    const lines: LogLine[] = [];
    let missing = false;
    for (let i = 0; i < segments.length; i++) {
      // A segment holds lines up to the next one's first: skip those already read.
      const next = segments[i + 1]?.first;
      if (next !== undefined && next - 1 <= after) continue;
      const bytes = await store.objects.get(`${key}/${segments[i]!.name}`);
      if (!bytes) {
        missing = true; // pruned or compacted meanwhile: read again
        break;
      }
      lines.push(...parseLines(bytes, after));
    }
    if (!missing) return { lines };
  }
  return { lines: [] };
}

async function readEnd(store: ArtifactStore, key: string): Promise<LogEnd | undefined> {
  const bytes = await store.objects.get(`${key}/${END_OBJECT}`);
  if (!bytes) return undefined;
  const parsed = logEndSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  return parsed.success ? parsed.data : undefined;
}

function parseLines(bytes: Uint8Array, after: number): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of Buffer.from(bytes).toString('utf8').split('\n')) {
    if (!text) continue;
    const parsed = logLineSchema.safeParse(JSON.parse(text));
    if (parsed.success && parsed.data.n > after) lines.push(parsed.data);
  }
  return lines;
}
