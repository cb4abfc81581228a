import { Controller, Get, HttpException, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type LogAttempt, type LogLine, type NodeLog, logGaps } from '@kiln/engine';
import type { NodeLogEvents } from '@kiln/api-types';
import type { ArtifactStore } from '@kiln/artifacts';
import type { RunRecord } from '@kiln/db';
import { type AttemptLogRead, logAttempts, readAttemptLog } from '@kiln/artifacts/logs';
import type { KilnRequest } from '../auth/auth-guard';
import { unavailableBody, unreachableDependency } from '../common/dependency-errors';
import { EventStreams } from '../common/event-stream';
import { notFound } from '../common/http-errors';
import { IdParam, ZodQuery } from '../common/params';
import { ARTIFACT_STORE } from '../database';
import { PipelineService } from '../pipelines/pipeline-service';
import { RunService } from './run-service';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const logQuery = z.object({
  /** The attempt (1 for the first); default the latest. */
  attempt: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** The item of a mapped node (0 for the first). */
  item: z.coerce.number().int().min(0).max(100_000_000).optional(),
  /** Only the last N lines (with follow: to start from). */
  tail: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** Stream the log as server-sent events (`lines`, `dropped`, `end`) until the attempt ends. */
  follow: flag.optional(),
});
type LogQuery = z.output<typeof logQuery>;

/** How often a follower reads the store for new lines, and asks the run whether the node still runs. */
const POLL_MS = 500;
const STATUS_EVERY_POLLS = 4;

/**
 * Node logs: each attempt's stdout, stderr and the node's own log lines, written by the worker to
 * the artifact store (live segments, then one artifact; `@kiln/artifacts/logs`). Any replica reads
 * them from the store, so the API needs nothing from the worker.
 */
@ApiTags('runs')
@ApiBearerAuth()
@Controller()
export class NodeLogController {
  private readonly streams = new EventStreams();

  constructor(
    @Inject(RunService) private readonly runs: RunService,
    @Inject(PipelineService) private readonly pipelines: PipelineService,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {}

  /** The log of one attempt of a node (JSON), or with `follow=true` a stream of its lines until it ends. */
  @Get('runs/:runId/nodes/:nodeId/logs')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'the attempt\'s log lines (JSON; schema from @kiln/api-types), or with follow=true server-sent events: `attempt`, `lines` (an array of lines), `dropped` ({after, count}), `end` (their data: `nodeLogEvents` in @kiln/api-types)', schema: { type: 'string' } })
  async logs(
    @IdParam('runId', 'runId') runId: string,
    @IdParam('nodeId', 'nodeId') nodeId: string,
    @ZodQuery(logQuery) query: LogQuery,
    @Req() req: KilnRequest,
    @Res() reply: FastifyReply,
  ) {
    const run = await this.checkNode(runId, nodeId);
    const attempts = await this.store_(() => logAttempts(this.store, runId, nodeId));
    if (query.follow) return this.follow(runId, nodeId, query, attempts, req, reply);
    const silent = await this.silentAttempt(run, nodeId, query, attempts);
    if (silent !== undefined) {
      // An attempt that wrote no line stores no log: it reads as an ended, empty one.
      const empty: NodeLog = { runId, nodeId, attempt: silent, attempts, ended: true, lines: [] };
      return reply.header('cache-control', 'no-store').send(empty);
    }
    const chosen = this.choose(runId, nodeId, query, attempts);
    if (!chosen) throw notFound(`a log of node "${nodeId}" in run ${runId} (the node${query.item !== undefined ? `'s item ${query.item}` : ''} has not started or printed anything yet)`);
    const read = await this.store_(() => readAttemptLog(this.store, { runId, nodeId, ...chosen }));
    const body: NodeLog = {
      runId,
      nodeId,
      ...chosen,
      attempts,
      ended: read.end !== undefined,
      ...(read.end ? { end: read.end } : {}),
      lines: query.tail ? read.lines.slice(-query.tail) : read.lines,
    };
    return reply.header('cache-control', 'no-store').send(body);
  }

  /** The run's record; 404 unless the run exists and its pipeline version has the node. */
  private async checkNode(runId: string, nodeId: string): Promise<RunRecord> {
    const run = await this.runs.record(runId);
    const version = await this.pipelines.version(run.pipelineId, run.version);
    const nodes = (version.spec as { nodes?: { id: string }[] }).nodes ?? [];
    if (!nodes.some((n) => n.id === nodeId)) throw notFound(`node "${nodeId}" in run ${runId}`);
    return run;
  }

  /** The attempt asked for (404 when it has no log), or the latest one (undefined when none has started). */
  private choose(runId: string, nodeId: string, query: LogQuery, attempts: LogAttempt[]): LogAttempt | undefined {
    const ofItem = attempts.filter((a) => a.item === query.item);
    if (query.item === undefined && ofItem.length === 0 && attempts.some((a) => a.item !== undefined)) {
      throw notFound(`a log of node "${nodeId}" without an item: it maps over items; pass item=<index> (items with logs: ${[...new Set(attempts.map((a) => a.item))].slice(0, 20).join(', ')})`);
    }
    if (query.attempt === undefined) return ofItem.at(-1);
    const found = ofItem.find((a) => a.attempt === query.attempt);
    if (!found) {
      const which = `attempt ${query.attempt}${query.item !== undefined ? ` of item ${query.item}` : ''}`;
      const have = ofItem.length > 0 ? `attempts with logs: ${ofItem.map((a) => a.attempt).join(', ')}` : 'no attempt has a log yet';
      throw notFound(`${which} of node "${nodeId}" in run ${runId} (${have})`);
    }
    return found;
  }

  private async follow(runId: string, nodeId: string, query: LogQuery, attempts: LogAttempt[], req: KilnRequest, reply: FastifyReply) {
    let chosen = this.choose(runId, nodeId, query, attempts);
    const stream = this.streams.start<NodeLogEvents>(req, reply);
    const { send, raw } = stream;
    const sleep = () => new Promise((r) => setTimeout(r, POLL_MS));

    // The node may not have started yet: wait for its first attempt while it can still come.
    for (let polls = 0; !chosen && !stream.closed; polls++) {
      if (polls % STATUS_EVERY_POLLS === STATUS_EVERY_POLLS - 1 && !(await this.nodeMayRun(runId, nodeId))) {
        send('end', { reason: 'the node ended without a log' });
        return raw.end();
      }
      raw.write(': waiting for the node to start\n\n');
      await sleep();
      try {
        chosen = this.choose(runId, nodeId, { ...query, attempt: undefined }, await logAttempts(this.store, runId, nodeId));
      } catch (err) {
        // A mapped node's items appeared without an item asked for: say so and end.
        if (err instanceof HttpException) {
          send('end', { reason: (err.getResponse() as { message?: string }).message ?? err.message });
          return raw.end();
        }
        // The store is unreachable: keep waiting.
      }
    }
    if (!chosen || stream.closed) return;
    send('attempt', chosen);
    let after = 0;
    let first = true;
    let lastChance = false;
    for (let polls = 0; !stream.closed; polls++) {
      let read: AttemptLogRead | undefined;
      try {
        read = await readAttemptLog(this.store, { runId, nodeId, ...chosen }, after);
      } catch {
        // The store is unreachable: wait it out (the client sees keep-alives).
      }
      if (read) {
        let lines: LogLine[] = read.lines;
        if (first && query.tail && lines.length > query.tail) {
          lines = lines.slice(-query.tail);
          after = lines[0]!.n - 1;
        }
        first = false;
        for (const gap of logGaps(lines, after)) send('dropped', gap);
        if (lines.length > 0) {
          send('lines', lines);
          after = lines.at(-1)!.n;
        }
        if (read.end) {
          send('end', { ...chosen, end: read.end, reason: 'the attempt ended' });
          break;
        }
        if (lastChance) {
          send('end', { ...chosen, reason: 'the attempt ended without a final log (its worker stopped)' });
          break;
        }
      }
      // A worker that died writes no end: the run's state (or a newer attempt) says the attempt is over.
      if (polls % STATUS_EVERY_POLLS === STATUS_EVERY_POLLS - 1 && !(await this.attemptMayRun(runId, nodeId, chosen))) lastChance = true;
      else {
        raw.write(': keep-alive\n\n');
        await sleep();
      }
    }
    raw.end();
  }

  /**
   * The attempt asked for (or, with none asked and none logged, the node's last) when it has ended
   * without a stored log, which is how an attempt that printed nothing ends; else undefined. Asks the
   * run's state (from Temporal while it runs: 503 when Temporal is down) only when the store has no
   * log for that attempt. Not for a mapped node's items.
   */
  private async silentAttempt(record: RunRecord, nodeId: string, query: LogQuery, logged: LogAttempt[]): Promise<number | undefined> {
    if (query.item !== undefined || logged.some((a) => a.item !== undefined)) return undefined;
    if (query.attempt === undefined ? logged.length > 0 : logged.some((a) => a.attempt === query.attempt)) return undefined;
    const run = await this.runs.withState(record);
    const node = (run.state as { nodes?: Record<string, { status: string; attempts: number }> } | null)?.nodes?.[nodeId];
    if (!node || node.attempts < 1) return undefined;
    const attempt = query.attempt ?? node.attempts;
    const over = attempt < node.attempts || ['succeeded', 'failed', 'cancelled'].includes(node.status);
    return attempt <= node.attempts && over ? attempt : undefined;
  }

  /** Whether the node is pending or running (errors count as yes: wait them out). */
  private async nodeMayRun(runId: string, nodeId: string): Promise<boolean> {
    try {
      const run = await this.runs.get(runId);
      const state = run.state as { status?: string; nodes?: Record<string, { status: string }> } | null;
      if (run.status !== 'running' || (state?.status && state.status !== 'running')) return false;
      const status = state?.nodes?.[nodeId]?.status;
      return status === undefined || status === 'pending' || status === 'running';
    } catch {
      return true;
    }
  }

  private async attemptMayRun(runId: string, nodeId: string, at: LogAttempt): Promise<boolean> {
    if (!(await this.nodeMayRun(runId, nodeId))) return false;
    const all = await logAttempts(this.store, runId, nodeId).catch(() => []);
    return !all.some((a) => a.item === at.item && a.attempt > at.attempt);
  }

  /** Ends every open log stream (graceful shutdown). */
  endStreams(): void {
    this.streams.endAll();
  }

  /** A store call: an unreachable store is a 503 naming it. */
  private async store_<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (unreachableDependency(err)) throw new HttpException(unavailableBody('artifact store'), 503);
      throw err;
    }
  }
}
