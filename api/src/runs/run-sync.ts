import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { PIPELINE_WORKFLOW_TYPE } from '@kiln/engine';
import { Pipeline, Run } from '@kiln/db';
import { DATA_SOURCE, TEMPORAL_CLIENT } from '../database';
import { type RunMemo, RunService } from './run-service';

const EVERY_MS = 1000;

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

  /** One pass; exposed so tests and `readyz` can force it. */
  tick(): Promise<void> {
    this.busy ??= this.pass()
      .catch((err) => this.log.warn(`run sync: ${(err as Error).message}`))
      .finally(() => (this.busy = undefined));
    return this.busy;
  }

  private async pass() {
    const startedAfter = new Date(this.since.getTime() - 5000);
    const query = `WorkflowType = '${PIPELINE_WORKFLOW_TYPE}' AND StartTime > '${startedAfter.toISOString()}'`;
    let newest = this.since;
    for await (const wf of this.temporal.workflow.list({ query })) {
      if (wf.startTime > newest) newest = wf.startTime;
      const memo = (wf.memo?.kiln ?? undefined) as RunMemo | undefined;
      if (!memo?.pipelineId) continue;
      try {
        if (await this.db.getRepository(Run).existsBy({ id: wf.workflowId })) continue;
        // A run of a pipeline this database does not hold (another Kiln on the same namespace).
        if (!(await this.db.getRepository(Pipeline).existsBy({ id: memo.pipelineId }))) continue;
        const params = await this.paramsOf(wf.workflowId);
        const by = memo.trigger === 'schedule' ? `schedule ${memo.source ?? ''}`.trim() : null;
        await this.runs.recordStarted(wf.workflowId, memo, params, wf.startTime, by);
      } catch (err) {
        this.log.warn(`cannot record run ${wf.workflowId}: ${(err as Error).message}`);
      }
    }
    this.since = newest;
    const running = await this.db.getRepository(Run).find({ where: { status: 'running' }, select: { id: true } });
    for (const { id } of running) {
      try {
        await this.runs.settle(id);
      } catch (err) {
        this.log.warn(`cannot settle run ${id}: ${(err as Error).message}`);
      }
    }
  }

  private async paramsOf(workflowId: string): Promise<Record<string, unknown>> {
    try {
      const history = await this.temporal.workflow.getHandle(workflowId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = started?.input?.payloads?.[0];
      if (!payload) return {};
      return (defaultPayloadConverter.fromPayload(payload) as { params?: Record<string, unknown> }).params ?? {};
    } catch {
      return {};
    }
  }
}
