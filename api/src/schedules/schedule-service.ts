import { randomBytes } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { type Client, type ScheduleOverlapPolicy, ScheduleNotFoundError } from '@temporalio/client';
import { Cron } from 'croner';
import { DataSource } from 'typeorm';
import { PIPELINE_WORKFLOW_TYPE, type RunInput, WORKFLOW_TASK_QUEUE } from '@kiln/engine';
import { Schedule, type ScheduleRecord } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import type { Actor } from '../auth/roles';
import { notFound } from '../common/http-errors';
import { DATA_SOURCE, TEMPORAL_CLIENT } from '../database';
import { type RunMemo, starterOf, RunService } from '../runs/run-service';

export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'terminate_other', 'allow_all'] as const;
export type Overlap = (typeof OVERLAP_POLICIES)[number];

export interface ScheduleRequest {
  cron: string;
  timezone: string;
  params: Record<string, unknown>;
  overlap: Overlap;
}

/** Cron schedules of pipelines, kept as Temporal Schedules (which start the runs) and in the table. */
@Injectable()
export class ScheduleService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(RunService) private readonly runs: RunService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /**
   * Checks a schedule expression and time zone, returning the next fire times. Accepted: standard
   * five-field cron (`m h dom mon dow`, as Temporal reads it), the macros `@hourly`, `@daily`, …, and
   * `@every <n><s|m|h|d>` (fires at multiples of the interval since the Unix epoch, as Temporal does).
   */
  static nextTimes(cron: string, timezone: string, count = 5): Date[] {
    const invalid = (why: string) =>
      new HttpException({ statusCode: 400, error: 'Bad Request', message: `cron "${cron}" in time zone "${timezone}" is not valid: ${why}` }, 400);
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      throw invalid(`unknown time zone "${timezone}"`);
    }
    const every = /^@every\s+(\d+)([smhd])$/.exec(cron.trim());
    if (every) {
      const ms = Number(every[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[every[2] as 's' | 'm' | 'h' | 'd'];
      if (ms < 1000) throw invalid('the interval must be at least 1s');
      const first = Math.floor(Date.now() / ms) * ms + ms;
      return Array.from({ length: count }, (_, i) => new Date(first + i * ms));
    }
    const fields = cron.trim().split(/\s+/);
    if (!cron.trim().startsWith('@') && fields.length !== 5) {
      throw invalid(`expected five fields (minute hour day-of-month month day-of-week), found ${fields.length}; use "@every 10s" for intervals under a minute`);
    }
    try {
      return new Cron(cron, { timezone, paused: true }).nextRuns(count);
    } catch (err) {
      throw invalid((err as Error).message);
    }
  }

  async create(pipelineId: string, req: ScheduleRequest, actor: Actor) {
    ScheduleService.nextTimes(req.cron, req.timezone, 1);
    const prepared = await this.runs.prepare(pipelineId, req.params);
    // Scheduled runs act with the creator's role (checked now, by the workers again at each run).
    const starter = starterOf(actor);
    this.runs.authorize(prepared.spec, starter);
    const id = `kiln-${pipelineId.slice(0, 8)}-${randomBytes(6).toString('hex')}`;
    const workflowId = `${prepared.spec.name.replace(/[^\w-]/g, '-').slice(0, 60)}-${id}`;
    // Sealed to the action's workflow id, which Temporal extends with each fire's time.
    const startedBy = this.runs.seal(starter, workflowId, 'schedule');
    const memo: RunMemo = { pipelineId, version: prepared.version, trigger: 'schedule', source: id };
    // A large spec rides by digest, as for a run started now: the action's args fire with every run.
    const input = await this.runs.input(prepared.spec, prepared.params, 'schedule', startedBy);
    await this.temporal.schedule.create({
      scheduleId: id,
      spec: { cronExpressions: [req.cron], timezone: req.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: PIPELINE_WORKFLOW_TYPE,
        taskQueue: WORKFLOW_TASK_QUEUE,
        workflowId,
        args: [input],
        memo: { kiln: memo },
      },
      policies: { overlap: req.overlap.toUpperCase() as ScheduleOverlapPolicy, catchupWindow: '1 minute' },
      state: { note: `Kiln schedule of pipeline ${pipelineId}` },
    });
    const record: ScheduleRecord = {
      id,
      pipelineId,
      cron: req.cron,
      timezone: req.timezone,
      params: req.params,
      overlap: req.overlap,
      paused: false,
      createdAt: new Date(),
      createdBy: actor.name,
    };
    await this.db.getRepository(Schedule).insert(record);
    await this.audit.record(actor, 'schedule.create', `schedule:${id}`, { pipelineId, cron: req.cron, timezone: req.timezone });
    return this.describe(record);
  }

  /** Points every schedule of a pipeline at its latest version (after a new version is saved). */
  async follow(pipelineId: string) {
    for (const record of await this.db.getRepository(Schedule).findBy({ pipelineId })) {
      const prepared = await this.runs.prepare(pipelineId, record.params).catch(() => undefined);
      if (!prepared) continue; // The new version no longer accepts the schedule's params: keep the old one.
      const handle = this.temporal.schedule.getHandle(record.id);
      const before = await handle.describe();
      const startedBy = before.action.type === 'startWorkflow' ? (before.action.args?.[0] as RunInput | undefined)?.startedBy : undefined;
      const starter = startedBy ?? { name: `schedule ${record.id}` };
      try {
        this.runs.authorize(prepared.spec, starter);
      } catch {
        continue; // The new version needs a capability the schedule's creator may not use: keep the old one.
      }
      const input = await this.runs.input(prepared.spec, prepared.params, 'schedule', starter).catch(() => undefined);
      if (!input) continue; // Too large for one payload even by digest: keep the old version.
      await handle.update((prev) => {
        if (prev.action.type !== 'startWorkflow') return prev;
        const memo: RunMemo = { pipelineId, version: prepared.version, trigger: 'schedule', source: record.id };
        return { ...prev, action: { ...prev.action, args: [input], memo: { kiln: memo } } };
      });
    }
  }

  async list(pipelineId?: string) {
    const rows = await this.db.getRepository(Schedule).find({ ...(pipelineId ? { where: { pipelineId } } : {}), order: { createdAt: 'ASC' } });
    return Promise.all(rows.map((r) => this.describe(r)));
  }

  async get(id: string) {
    return this.describe(await this.record(id));
  }

  async setPaused(id: string, paused: boolean, actor: Actor) {
    const record = await this.record(id);
    const handle = this.temporal.schedule.getHandle(id);
    if (paused) await handle.pause(`paused by ${actor.name}`);
    else await handle.unpause(`resumed by ${actor.name}`);
    await this.db.getRepository(Schedule).update({ id }, { paused });
    await this.audit.record(actor, paused ? 'schedule.pause' : 'schedule.resume', `schedule:${id}`);
    return this.describe({ ...record, paused });
  }

  /**
   * Starts one run now of what the schedule starts: the pipeline version it points at, with its
   * params. Not through Temporal's own trigger: that names the run after the current second, so a
   * second trigger within the same second would reuse the first run's id and be lost.
   */
  async trigger(id: string, actor: Actor) {
    const record = await this.record(id);
    const described = await this.temporal.schedule.getHandle(id).describe();
    const memo = described.action.type === 'startWorkflow' ? (described.action.memo?.kiln as RunMemo | undefined) : undefined;
    const { runId } = await this.runs.start({
      pipelineId: record.pipelineId,
      params: record.params,
      version: memo?.version,
      trigger: 'schedule',
      source: id,
      actor,
    });
    await this.audit.record(actor, 'schedule.trigger', `schedule:${id}`, { runId });
    return runId;
  }

  async backfill(id: string, from: Date, to: Date, actor: Actor) {
    await this.record(id);
    await this.temporal.schedule.getHandle(id).backfill({ start: from, end: to, overlap: 'ALLOW_ALL' });
    await this.audit.record(actor, 'schedule.backfill', `schedule:${id}`, { from: from.toISOString(), to: to.toISOString() });
  }

  async remove(id: string, actor: Actor) {
    await this.record(id);
    await this.temporal.schedule
      .getHandle(id)
      .delete()
      .catch((err) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    await this.db.getRepository(Schedule).delete({ id });
    await this.audit.record(actor, 'schedule.delete', `schedule:${id}`);
  }

  private async record(id: string): Promise<ScheduleRecord> {
    const record = await this.db.getRepository(Schedule).findOneBy({ id });
    if (!record) throw notFound(`schedule ${id}`);
    return record;
  }

  private async describe(record: ScheduleRecord) {
    let nextTimes: Date[] = [];
    let recentRuns: { runId: string; at: Date }[] = [];
    try {
      const d = await this.temporal.schedule.getHandle(record.id).describe();
      nextTimes = d.info.nextActionTimes.slice(0, 5);
      recentRuns = d.info.recentActions.map((a) => ({ runId: a.action.workflow.workflowId, at: a.takenAt }));
    } catch {
      nextTimes = record.paused ? [] : ScheduleService.nextTimes(record.cron, record.timezone);
    }
    return { ...record, nextTimes, recentRuns };
  }
}
