import { z } from 'zod';

/** Where a log line came from: a process's stdout or stderr, or a node's own logger. */
export const LOG_STREAMS = ['stdout', 'stderr', 'info', 'warn'] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

/**
 * One line of a node attempt's log. `n` numbers the attempt's lines from 1 with no gaps, so a
 * reader that sees `n` jump knows lines were dropped there (the per-attempt cap keeps head and tail).
 */
export const logLineSchema = z.object({
  n: z.int().min(1),
  /** When the line was captured (ISO 8601). */
  t: z.string(),
  s: z.enum(LOG_STREAMS),
  /** The text, without its line feed; a line over the line cap is cut and ends with `…`. */
  m: z.string(),
});
export type LogLine = z.infer<typeof logLineSchema>;

/** What is known of an attempt once it has ended: the final log artifact and what the cap dropped. */
export const logEndSchema = z.object({
  /** The compacted log (JSON Lines of {@link LogLine}) in the artifact store. */
  digest: z.string(),
  size: z.int().min(0),
  /** Lines the attempt wrote (kept or not). */
  lines: z.int().min(0),
  droppedLines: z.int().min(0),
  droppedBytes: z.int().min(0),
  endedAt: z.string(),
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
});
export type LogEnd = z.infer<typeof logEndSchema>;

/** One attempt of a node that has a log (`item` for the items of a mapped node). */
export const logAttemptSchema = z.object({ attempt: z.int().min(1), item: z.int().min(0).optional() });
export type LogAttempt = z.infer<typeof logAttemptSchema>;

/** The answer of `GET /runs/:id/nodes/:node/logs` (without follow). */
export const nodeLogSchema = z.object({
  runId: z.string(),
  nodeId: z.string(),
  attempt: z.int().min(1),
  item: z.int().min(0).optional(),
  /** Every attempt with a log, oldest first. */
  attempts: z.array(logAttemptSchema),
  /** Whether the attempt has ended (its log is complete). */
  ended: z.boolean(),
  end: logEndSchema.optional(),
  lines: z.array(logLineSchema),
});
export type NodeLog = z.infer<typeof nodeLogSchema>;

/** Lines missing between two kept lines (`n` jumped from `after` to `after + count + 1`). */
export function logGaps(lines: readonly LogLine[], after = 0): { after: number; count: number }[] {
  const gaps: { after: number; count: number }[] = [];
  let last = after;
  for (const line of lines) {
    if (line.n > last + 1) gaps.push({ after: last, count: line.n - last - 1 });
    last = Math.max(last, line.n);
  }
  return gaps;
}
