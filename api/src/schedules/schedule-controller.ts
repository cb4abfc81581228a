import { Body, Controller, Delete, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../auth/roles';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { OVERLAP_POLICIES, ScheduleService } from './schedule-service';
import { IdParam, PARAM_KINDS, ZodQuery } from '../common/params';

const scheduleBody = z.object({
  cron: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).default('UTC'),
  params: z.record(z.string(), z.unknown()).default({}),
  overlap: z.enum(OVERLAP_POLICIES).default('skip'),
});
const backfillBody = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: '"from" must be before "to"', path: ['to'] });

const listQuery = z.object({ pipelineId: PARAM_KINDS.uuid.optional() });
const previewQuery = z.object({ cron: z.string().max(200).default(''), timezone: z.string().min(1).max(100).default('UTC') });

@ApiTags('schedules')
@ApiBearerAuth()
@Controller()
export class ScheduleController {
  constructor(@Inject(ScheduleService) private readonly schedules: ScheduleService) {}

  @Post('pipelines/:id/schedules')
  @ApiBody({ schema: openApiSchema(scheduleBody) })
  create(@IdParam('id', 'uuid') id: string, @Body(new ZodBody(scheduleBody)) body: z.output<typeof scheduleBody>, @CurrentActor() actor: Actor) {
    return this.schedules.create(id, body, actor);
  }

  @Get('pipelines/:id/schedules')
  listFor(@IdParam('id', 'uuid') id: string) {
    return this.schedules.list(id);
  }

  @Get('schedules')
  list(@ZodQuery(listQuery) query: z.output<typeof listQuery>) {
    return this.schedules.list(query.pipelineId);
  }

  /** The next fire times of a cron expression, without making a schedule (for forms). */
  @Get('schedules/preview')
  preview(@ZodQuery(previewQuery) { cron, timezone }: z.output<typeof previewQuery>) {
    return { cron, timezone, nextTimes: ScheduleService.nextTimes(cron, timezone) };
  }

  @Get('schedules/:id')
  get(@IdParam('id', 'scheduleId') id: string) {
    return this.schedules.get(id);
  }

  @Post('schedules/:id/pause')
  @HttpCode(200)
  pause(@IdParam('id', 'scheduleId') id: string, @CurrentActor() actor: Actor) {
    return this.schedules.setPaused(id, true, actor);
  }

  @Post('schedules/:id/resume')
  @HttpCode(200)
  resume(@IdParam('id', 'scheduleId') id: string, @CurrentActor() actor: Actor) {
    return this.schedules.setPaused(id, false, actor);
  }

  @Post('schedules/:id/trigger')
  @HttpCode(202)
  async trigger(@IdParam('id', 'scheduleId') id: string, @CurrentActor() actor: Actor) {
    const runId = await this.schedules.trigger(id, actor);
    return { scheduleId: id, triggered: true, runId };
  }

  @Post('schedules/:id/backfill')
  @HttpCode(202)
  @ApiBody({ schema: openApiSchema(backfillBody) })
  async backfill(@IdParam('id', 'scheduleId') id: string, @Body(new ZodBody(backfillBody)) body: z.output<typeof backfillBody>, @CurrentActor() actor: Actor) {
    await this.schedules.backfill(id, new Date(body.from), new Date(body.to), actor);
    return { scheduleId: id, backfill: body };
  }

  @Delete('schedules/:id')
  @HttpCode(204)
  remove(@IdParam('id', 'scheduleId') id: string, @CurrentActor() actor: Actor) {
    return this.schedules.remove(id, actor);
  }
}
