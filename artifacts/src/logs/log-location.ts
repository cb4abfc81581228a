import { createHash } from 'node:crypto';
import type { LogAttempt } from '@kiln/engine';

/**
 * Where a node attempt's log lives among the store's named objects:
 * `logs/<run>/<node>/<attempt>` with `<attempt>` = `a<N>` (or `i<item>-a<N>` for an item of a mapped
 * node). Run and node ids are encoded (`keyPart`), so whatever a worker or a request carries, the
 * key stays inside the run's own folder.
 */
export const LOGS_ROOT = 'logs';

/** Letters, digits, `_` and `-` as they are; every other UTF-8 byte as `%XX`; long ids hashed (`%H<sha256>`). */
export function keyPart(id: string): string {
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length === 0 || out.length > 150) return `%H${createHash('sha256').update(id).digest('hex')}`;
  return out;
}

export function runLogKey(runId: string): string {
  return `${LOGS_ROOT}/${keyPart(runId)}`;
}

export function nodeLogKey(runId: string, nodeId: string): string {
  return `${runLogKey(runId)}/${keyPart(nodeId)}`;
}

/** The folder name of an attempt. */
export function attemptName(at: LogAttempt): string {
  if (!Number.isSafeInteger(at.attempt) || at.attempt < 1) throw new Error(`invalid attempt ${at.attempt}`);
  if (at.item !== undefined && (!Number.isSafeInteger(at.item) || at.item < 0)) throw new Error(`invalid item ${at.item}`);
  return at.item === undefined ? `a${at.attempt}` : `i${at.item}-a${at.attempt}`;
}

/** The attempt a folder name stands for, or undefined for anything else. */
export function parseAttemptName(name: string): LogAttempt | undefined {
  const match = /^(?:i(\d{1,9})-)?a(\d{1,9})$/.exec(name);
  if (!match) return undefined;
  const attempt = Number(match[2]);
  if (attempt < 1) return undefined;
  return match[1] === undefined ? { attempt } : { attempt, item: Number(match[1]) };
}

export function attemptLogKey(runId: string, nodeId: string, at: LogAttempt): string {
  return `${nodeLogKey(runId, nodeId)}/${attemptName(at)}`;
}

/** A live segment's name: the number of its first line, zero-padded so names sort in order. */
export function segmentName(firstLine: number): string {
  return `seg-${String(firstLine).padStart(12, '0')}.jsonl`;
}

export function parseSegmentName(name: string): number | undefined {
  const match = /^seg-(\d{12})\.jsonl$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export const END_OBJECT = 'end.json';
export const LOG_MEDIA_TYPE = 'application/vnd.kiln.node-log+jsonl';
