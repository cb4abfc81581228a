import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { PIPELINE_WORKFLOW_TYPE } from '@kiln/engine';
import { Pipeline, Run } from '@kiln/db';
import { type Dependency, unreachableDependency } from '../common/dependency-errors';
import { DATA_SOURCE, TEMPORAL_CLIENT } from '../database';
import { type CliRunMemo, type RunMemo, RunService, isCliRunMemo } from './run-service';

const EVERY_MS = 1000;
/**
 * How far before the newest start already seen each pass looks again. Temporal's visibility store
 * is eventually consistent: a run can show up there after runs that started later did.
 */
const LOOK_BACK_MS = 120_000;

/**
 * Keeps the `runs` table in step with Temporal: records runs that schedules (or anything else)
 * started, and settles runs that have ended, whoever started them.
 */
@Injectable()
export class RunSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('RunSync');
  private timer: NodeJS.Timeout | undefined;
  private since = new Date(Date.now() - 24 * 3600_000);
  private busy: Promise<void> | undefined;
  /** Workflows already recorded (or not ours), with their start times, pruned past the look-back. */
  private readonly seen = new Map<string, number>();
  /** The dependency the last pass found down, if any: an outage is logged when it starts and ends, not every second. */
  private down: Dependency | undefined;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(RunService) private readonly runs: RunService,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.tick(), EVERY_MS);
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.busy;
  }

  /**
   * One pass; exposed so tests and `readyz` can force it. Passes never overlap (a slow one makes the
   * timer's next ticks no-ops), and one that meets a dead dependency ends there and is tried again a
   * second later, so an outage costs a bounded call per second and no pile-up.
   */
  tick(): Promise<void> {
    this.busy ??= this.pass()
      .then(() => {
        if (this.down) this.log.log(`run sync: ${this.down} is back`);
        this.down = undefined;
      })
      .catch((err) => {
        const dependency = unreachableDependency(err);
        if (!dependency) return this.log.warn(`run sync: ${(err as Error).message}`);
        if (this.down !== dependency) this.log.warn(`run sync: ${dependency} is unreachable (${(err as Error).message}); retrying every ${EVERY_MS / 1000} s`);
        this.down = dependency;
      })
      .finally(() => (this.busy = undefined));
    return this.busy;
  }

  private async pass() {
    const startedAfter = this.since.getTime() - LOOK_BACK_MS;
    for (const [id, at] of this.seen) if (at <= startedAfter) this.seen.delete(id);
    const query = `WorkflowType = '${PIPELINE_WORKFLOW_TYPE}' AND StartTime > '${new Date(startedAfter).toISOString()}'`;
    let newest = this.since;
    for await (const wf of this.temporal.workflow.list({ query })) {
      if (wf.startTime > newest) newest = wf.startTime;
      if (this.seen.has(wf.workflowId)) continue;
      const memo = (wf.memo?.kiln ?? undefined) as RunMemo | CliRunMemo | undefined;
      try {
        // Skipped: not a Kiln run, a run of a pipeline this database does not hold (another Kiln on
        // the same namespace), or one already recorded.
        if (memo?.pipelineId && (await this.isNew(wf.workflowId, memo.pipelineId))) {
          await this.runs.recordFromTemporal(wf.workflowId, memo, wf.startTime);
        } else if (isCliRunMemo(memo) && !(await this.db.getRepository(Run).existsBy({ id: wf.workflowId }))) {
          // `kiln run` beside `kiln up`: recorded under the pipeline of its spec's name.
          await this.runs.recordCliRun(wf.workflowId, memo, wf.startTime);
        }
        this.seen.set(wf.workflowId, wf.startTime.getTime());
      } catch (err) {
        if (unreachableDependency(err)) throw err;
        this.log.warn(`cannot record run ${wf.workflowId}: ${(err as Error).message}`);
      }
    }
    this.since = newest;
    const running = await this.db.getRepository(Run).find({ where: { status: 'running' }, select: { id: true } });
    for (const { id } of running) {
      try {
        await this.runs.settle(id);
      } catch (err) {
        if (unreachableDependency(err)) throw err;
        this.log.warn(`cannot settle run ${id}: ${(err as Error).message}`);
      }
    }
  }

  private async isNew(runId: string, pipelineId: string): Promise<boolean> {
    if (!(await this.db.getRepository(Pipeline).existsBy({ id: pipelineId }))) return false;
    return !(await this.db.getRepository(Run).existsBy({ id: runId }));
  }
}
