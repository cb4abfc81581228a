import { Body, Controller, Get, HttpCode, HttpException, Inject, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { datasetValueSchema, deployStrategySchema, modelValueSchema } from '@kiln/engine';
import { z } from 'zod';
import { monitorDetail } from '@kiln/api-types';
import { CurrentActor } from '../auth/actor.decorator';
import { type Actor, RequireRole } from '../auth/roles';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { DeploymentService } from './deployment-service';
import { ServingRuntime } from './serving-runtime';
import { IdParam, PARAM_KINDS, ZodQuery, versionNumber } from '../common/params';

const nameParam = PARAM_KINDS.name;
const strategy = deployStrategySchema;
const traffic = {
  canaryPercent: z.number().min(0).max(100).optional(),
  logSampleRate: z.number().min(0).max(1).optional(),
};
const putBody = z.object({ model: nameParam, version: versionNumber, strategy: strategy.default('replace'), ...traffic });
const rolloutBody = z.object({
  model: nameParam,
  strategy: strategy.default('replace'),
  ...traffic,
  register: z.object({
    model: modelValueSchema,
    metrics: z.record(z.string(), z.unknown()).default({}),
    reference: datasetValueSchema.optional().describe('The training data (a Dataset port value), for drift monitoring.'),
    runId: PARAM_KINDS.runId,
    nodeId: PARAM_KINDS.nodeId,
    description: z.string().max(5000).optional(),
  }),
});
const patchBody = z.object(traffic);
const rollbackBody = z.object({ reason: z.string().max(2000).optional() });
const feedbackBody = z.object({
  items: z
    .array(z.object({ id: z.string().min(1).max(100), label: z.union([z.string(), z.number(), z.boolean()]) }))
    .min(1)
    .max(10_000)
    .superRefine((items, ctx) => {
      // One label per prediction per request: a repeated id is refused (which label wins would be a guess).
      const first = new Map<string, number>();
      items.forEach((item, i) => {
        const seen = first.get(item.id);
        if (seen === undefined) first.set(item.id, i);
        else ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `repeats the prediction id of items[${seen}]; send one label per prediction` });
      });
    }),
});
const sinceQuery = z.object({
  since: z.iso
    .datetime({ offset: true })
    .default('1970-01-01T00:00:00Z')
    .transform((s) => new Date(s))
    .describe('ISO 8601 time with offset; only what came after it'),
});
const retrainBody = z.object({
  pipelineId: PARAM_KINDS.uuid,
  params: z.record(z.string(), z.unknown()).default({}),
  /** One run per key (monitor.drift passes its window). */
  key: z.string().min(1).max(200),
  reason: z.string().max(5000).optional(),
});
// A monitor report's detail is checked by the schema the studio reads it with (@kiln/api-types).
const eventBody = z.object({ kind: z.enum(['monitor', 'drift']), version: versionNumber.nullable().default(null), detail: monitorDetail.default({ reasons: [], checks: [] }) });
const eventsQuery = z.object({ kind: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });

@ApiTags('deployments')
@ApiBearerAuth()
@Controller('deployments')
export class DeploymentController {
  constructor(
    @Inject(DeploymentService) private readonly deployments: DeploymentService,
    @Inject(ServingRuntime) private readonly runtime: ServingRuntime,
  ) {}

  @Get()
  list() {
    return this.deployments.list();
  }

  /** The deployment, what this process serves for it (readiness), and recent events. */
  @Get(':name')
  get(@IdParam('name', 'name') name: string) {
    return this.deployments.get(name);
  }

  /** Rolls a registered version out (creating the deployment on first use). */
  @Put(':name')
  @ApiBody({ schema: openApiSchema(putBody) })
  put(@IdParam('name', 'name') name: string, @Body(new ZodBody(putBody)) body: z.output<typeof putBody>, @CurrentActor() actor: Actor) {
    return this.deployments.rollout(name, body, actor);
  }

  /** Registers a model produced by a run and rolls it out (what deploy.model calls). */
  @Post(':name/rollouts')
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(rolloutBody) })
  rollout(@IdParam('name', 'name') name: string, @Body(new ZodBody(rolloutBody)) body: z.output<typeof rolloutBody>, @CurrentActor() actor: Actor) {
    return this.deployments.rollout(name, body, actor);
  }

  @Patch(':name')
  @ApiBody({ schema: openApiSchema(patchBody) })
  patch(@IdParam('name', 'name') name: string, @Body(new ZodBody(patchBody)) body: z.output<typeof patchBody>, @CurrentActor() actor: Actor) {
    return this.deployments.patch(name, body, actor);
  }

  @Post(':name/promote')
  @HttpCode(200)
  promote(@IdParam('name', 'name') name: string, @CurrentActor() actor: Actor) {
    return this.deployments.promote(name, actor);
  }

  @Post(':name/rollback')
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(rollbackBody) })
  rollback(@IdParam('name', 'name') name: string, @Body(new ZodBody(rollbackBody)) body: z.output<typeof rollbackBody>, @CurrentActor() actor: Actor) {
    return this.deployments.rollback(name, actor, body.reason);
  }

  /** 200 when a version serves this deployment in this process, else 503. */
  @Get(':name/ready')
  async ready(@IdParam('name', 'name') name: string) {
    const d = await this.deployments.get(name);
    if (!d.ready) throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: `deployment "${name}" has no ready version`, serving: d.serving }, 503);
    return { ready: true, serving: d.serving };
  }

  /** Ground-truth labels for logged predictions, by the ids predict returned. */
  @Post(':name/feedback')
  @HttpCode(200)
  @RequireRole('viewer')
  @ApiBody({ schema: openApiSchema(feedbackBody) })
  feedback(@IdParam('name', 'name') name: string, @Body(new ZodBody(feedbackBody)) body: z.output<typeof feedbackBody>) {
    return this.deployments.feedback(name, body.items);
  }

  @Get(':name/feedback')
  feedbackSince(@IdParam('name', 'name') name: string, @ZodQuery(sinceQuery) q: z.output<typeof sinceQuery>) {
    return this.deployments.feedbackSince(name, q.since);
  }

  /** Chunks of logged predictions written after `since` (flushed first). */
  @Get(':name/logs')
  logs(@IdParam('name', 'name') name: string, @ZodQuery(sinceQuery) q: z.output<typeof sinceQuery>) {
    return this.deployments.logs(name, q.since);
  }

  /** Requests, errors and latency percentiles per minute, version and role over the last hour (this process). */
  @Get(':name/stats')
  async stats(@IdParam('name', 'name') name: string) {
    await this.deployments.record(name);
    return this.runtime.stats.series(name);
  }

  /** Starts a retraining pipeline because the deployment drifted (trigger drift, idempotent by key). */
  @Post(':name/retrain')
  @ApiBody({ schema: openApiSchema(retrainBody) })
  retrain(@IdParam('name', 'name') name: string, @Body(new ZodBody(retrainBody)) body: z.output<typeof retrainBody>, @CurrentActor() actor: Actor) {
    return this.deployments.retrain(name, body, actor);
  }

  @Get(':name/events')
  events(@IdParam('name', 'name') name: string, @ZodQuery(eventsQuery) q: z.output<typeof eventsQuery>) {
    return this.deployments.events(name, q.kind, q.limit);
  }

  @Post(':name/events')
  @ApiBody({ schema: openApiSchema(eventBody) })
  addEvent(@IdParam('name', 'name') name: string, @Body(new ZodBody(eventBody)) body: z.output<typeof eventBody>, @CurrentActor() actor: Actor) {
    return this.deployments.addEvent(name, body.kind, body.version, body.detail, actor);
  }
}
