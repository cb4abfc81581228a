import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { RunEvents } from '@kiln/api-types';
import type { NodeState, RunState } from '@kiln/engine';
import { queryChanges } from '@kiln/engine/temporal';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { CurrentActor } from '../auth/actor.decorator';
import type { KilnRequest } from '../auth/auth-guard';
import type { Actor } from '../auth/roles';
import { EventStreams } from '../common/event-stream';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { TEMPORAL_CLIENT } from '../database';
import { RunService, idempotentRunId } from './run-service';
import { temporalWorkflowUrl } from './temporal-link';
import { API_CONFIG, type ApiConfig } from '../config';
import { IdParam, PARAM_KINDS, ZodQuery, versionNumber } from '../common/params';

const startBody = z.object({
  params: z.record(z.string(), z.unknown()).default({}),
  version: versionNumber.optional(),
  /** The same key for the same pipeline starts at most one run, ever (a repeat answers with that run). */
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** False: compute every node, reading and writing nothing in the node cache. */
  cache: z.boolean().optional(),
});
const decisionBody = z.object({ comment: z.string().max(5000).optional() });
const rerunBody = z.object({
  /**
   * What to recompute: `"failed"` — the nodes that did not succeed (failed, skipped, cancelled);
   * a list of node ids — those and everything downstream. The rest is reused from the run. Absent:
   * every node runs again.
   */
  from: z.union([z.literal('failed'), z.array(z.string().min(1).max(200)).min(1).max(10_000)]).optional(),
});
const listQuery = z.object({
  pipelineId: PARAM_KINDS.uuid.optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']).optional(),
  trigger: z.enum(['api', 'schedule', 'webhook', 'rerun', 'cli', 'drift']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

@ApiTags('runs')
@ApiBearerAuth()
@Controller()
export class RunController {
  /** Open event streams: ended when the API shuts down, so it need not wait for runs to end. */
  private readonly streams = new EventStreams();

  constructor(
    @Inject(RunService) private readonly runs: RunService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Post('pipelines/:id/runs')
  @ApiBody({ schema: openApiSchema(startBody) })
  start(@IdParam('id', 'uuid') id: string, @Body(new ZodBody(startBody)) body: z.output<typeof startBody>, @CurrentActor() actor: Actor) {
    return this.runs.start({
      pipelineId: id,
      params: body.params,
      ...(body.version ? { version: body.version } : {}),
      trigger: 'api',
      actor,
      ...(body.idempotencyKey ? { uniqueRunId: idempotentRunId(id, body.idempotencyKey) } : {}),
      ...(body.cache === false ? { cache: false } : {}),
    });
  }

  @Get('runs')
  list(@ZodQuery(listQuery) query: z.output<typeof listQuery>) {
    return this.runs.list(query);
  }

  @Get('runs/:runId')
  async get(@IdParam('runId', 'runId') runId: string) {
    const run = await this.runs.get(runId);
    // A link to the run's workflow in the Temporal web UI, when its address is known.
    const temporalUrl = temporalWorkflowUrl(this.config, runId);
    return temporalUrl ? { ...run, temporalUrl } : run;
  }

  /** Server-sent events: one `node` event per node state change, in order, then `end`. */
  @Get('runs/:runId/events')
  async events(@IdParam('runId', 'runId') runId: string, @Req() req: KilnRequest, @Res() reply: FastifyReply) {
    const run = await this.runs.record(runId);
    const stream = this.streams.start<RunEvents>(req, reply);
    const { send, raw } = stream;
    const handle = this.temporal.workflow.getHandle(runId);
    let since = 0;
    const seen = new Map<string, string>();
    const emit = (nodes: Record<string, NodeState>) => {
      for (const [nodeId, state] of Object.entries(nodes)) {
        const key = JSON.stringify(state);
        if (seen.get(nodeId) === key) continue;
        seen.set(nodeId, key);
        send('node', { nodeId, ...state });
      }
    };
    if (run.status === 'running') {
      while (!stream.closed) {
        try {
          const changes = await queryChanges(handle, since);
          since = changes.version;
          emit(changes.nodes);
          if (changes.status !== 'running') break;
        } catch {
          // Unreachable Temporal (a restart) is waited out; a workflow that ended or is gone ends the stream.
          const description = await handle.describe().catch((err: unknown) => (err instanceof WorkflowNotFoundError ? null : undefined));
          if (description === null || (description && description.status.name !== 'RUNNING')) break;
        }
        if (!stream.closed) raw.write(': keep-alive\n\n');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (!stream.closed) {
      const final = await this.runs.get(runId).catch(() => undefined);
      const state = final?.state as RunState | null | undefined;
      if (state?.nodes) emit(state.nodes);
      send('end', { runId, status: state?.status ?? final?.status ?? 'unknown' });
      raw.end();
    }
  }

  /** Ends every open event stream (graceful shutdown). */
  endStreams(): void {
    this.streams.endAll();
  }

  @Post('runs/:runId/cancel')
  @HttpCode(202)
  async cancel(@IdParam('runId', 'runId') runId: string, @CurrentActor() actor: Actor) {
    await this.runs.cancel(runId, actor);
    return { runId, cancelling: true };
  }

  @Post('runs/:runId/nodes/:nodeId/approve')
  @HttpCode(202)
  @ApiBody({ schema: openApiSchema(decisionBody) })
  approve(@IdParam('runId', 'runId') runId: string, @IdParam('nodeId', 'nodeId') nodeId: string, @Body(new ZodBody(decisionBody)) body: z.output<typeof decisionBody>, @CurrentActor() actor: Actor) {
    return this.runs.decide(runId, nodeId, 'approve', body.comment, actor);
  }

  @Post('runs/:runId/nodes/:nodeId/reject')
  @HttpCode(202)
  @ApiBody({ schema: openApiSchema(decisionBody) })
  reject(@IdParam('runId', 'runId') runId: string, @IdParam('nodeId', 'nodeId') nodeId: string, @Body(new ZodBody(decisionBody)) body: z.output<typeof decisionBody>, @CurrentActor() actor: Actor) {
    return this.runs.decide(runId, nodeId, 'reject', body.comment, actor);
  }

  @Post('runs/:runId/rerun')
  @ApiBody({ schema: openApiSchema(rerunBody) })
  rerun(@IdParam('runId', 'runId') runId: string, @Body(new ZodBody(rerunBody)) body: z.output<typeof rerunBody>, @CurrentActor() actor: Actor) {
    return this.runs.rerun(runId, actor, body.from);
  }
}
