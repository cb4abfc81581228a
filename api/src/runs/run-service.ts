import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client, QueryNotRegisteredError, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { APPROVAL_NODE_TYPE, APPROVAL_SIGNAL, type ApprovalDecision, type Catalog, type NodeReuse, PIPELINE_WORKFLOW_TYPE, type PipelineSpec, type RerunFrom, type RunInput, type RunStarter, type RunState, UnknownRerunNodesError, rerunReuse, resolveRunParams } from '@kiln/engine';
import { RunExistsError, RunTooLargeError, type SealScope, awaitRun, queryRun, runInputOf, sealStarter, startRun } from '@kiln/engine/temporal';
import { type ArtifactStore, artifactSpecStore } from '@kiln/artifacts';
import { type JsonDoc, Pipeline, Run, type RunRecord, type RunStatus, type RunTrigger } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import { unreachableDependency } from '../common/dependency-errors';
import { type Actor, personRole } from '../auth/roles';
import { ProblemsException, badRequest, conflict, notFound } from '../common/http-errors';
import { type KeyRing, SECRET_KEYS } from '../common/secret-keys';
import { NodeTypeRegistry } from '../catalog/node-type-registry';
import { ARTIFACT_STORE, DATA_SOURCE, NODE_CATALOG, TEMPORAL_CLIENT } from '../database';
import { PipelineService } from '../pipelines/pipeline-service';

/** What the API keeps with each workflow, so runs started by schedules can be traced back. */
export interface RunMemo {
  pipelineId: string;
  version: number;
  trigger: RunTrigger;
  source?: string;
}

/** The memo `kiln run` puts on runs it starts itself (no pipeline of this API's). */
export interface CliRunMemo {
  pipelineId?: undefined;
  trigger: 'cli';
  source?: string;
}

export const isCliRunMemo = (memo: RunMemo | CliRunMemo | undefined): memo is CliRunMemo => !memo?.pipelineId && memo?.trigger === 'cli';

export interface StartRequest {
  pipelineId: string;
  params: Record<string, unknown>;
  version?: number;
  trigger: RunTrigger;
  actor: Actor | string;
  source?: string;
  /** A fixed run id that may never be used twice (webhook deliveries). */
  uniqueRunId?: string;
  /** Whom the run acts as, when not the actor (a webhook's delivery: its creator, with the role they had). */
  startedBy?: RunStarter;
  /** Results of an earlier run to reuse, by node id (a re-run from failure). */
  reuse?: Record<string, NodeReuse>;
  /** False: the run neither reads nor writes the node cache. */
  cache?: boolean;
}

/** Who starts a run, as the run carries it to the workers: a token's name and role, or a name alone (webhooks). */
export function starterOf(actor: Actor | string): RunStarter {
  if (typeof actor === 'string') return { name: actor };
  const role = personRole(actor);
  return { name: actor.name, ...(role ? { role } : {}) };
}

/** The run id for a pipeline and an idempotency key: the same pair never starts a second run. */
export function idempotentRunId(pipelineId: string, key: string): string {
  return `run-${createHash('sha256').update(`${pipelineId}\n${key}`).digest('hex').slice(0, 32)}`;
}

/** Starts runs on Temporal and keeps the `runs` table in step with it. */
@Injectable()
export class RunService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(PipelineService) private readonly pipelines: PipelineService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(NODE_CATALOG) private readonly catalog: Catalog,
    @Inject(SECRET_KEYS) private readonly keys: KeyRing,
    @Inject(NodeTypeRegistry) private readonly registry: NodeTypeRegistry,
  ) {}

  /**
   * The starter sealed to the workflow id it starts (a schedule's: its action's workflow id, which
   * Temporal extends per fire), so workers trust its role (see engine/src/temporal/starter-seal.ts).
   */
  seal(starter: RunStarter, workflowId: string, scope: SealScope = 'run'): RunStarter {
    return sealStarter(this.keys, starter, workflowId, scope);
  }

  /** The run input for a version: its spec and checked params (422 with every problem otherwise). */
  async prepare(pipelineId: string, params: Record<string, unknown>, version?: number) {
    const pipeline = await this.pipelines.get(pipelineId);
    if (pipeline.archivedAt) throw conflict(`pipeline ${pipelineId} is archived`);
    const { record, spec } = await this.pipelines.checkedVersion(pipelineId, version ?? pipeline.latestVersion);
    const resolved = resolveRunParams(spec, params);
    if (!resolved.ok) throw new ProblemsException('invalid run parameters', resolved.problems);
    return { spec, params: resolved.values, version: record.version };
  }

  /** 403 when the spec uses a capability this instance refuses to the starter (workers check again). */
  authorize(spec: PipelineSpec, starter: RunStarter): void {
    this.pipelines.authorize(spec, starter);
  }

  /**
   * The input a run of this spec starts with, as a Temporal Schedule's action carries it: a large
   * spec by digest (the same path as {@link start}), 422 when it cannot fit in one payload.
   */
  async input(spec: PipelineSpec, params: Record<string, unknown>, trigger: RunTrigger, startedBy: RunStarter): Promise<RunInput> {
    try {
      return await runInputOf({ spec, params, trigger, startedBy, specStore: artifactSpecStore(this.store), catalog: this.catalog });
    } catch (err) {
      if (err instanceof RunTooLargeError) throw new ProblemsException('the run is too large', [{ path: 'params', message: err.message }]);
      throw err;
    }
  }

  async start(req: StartRequest): Promise<{ runId: string; existing?: boolean }> {
    const { spec, params, version } = await this.prepare(req.pipelineId, req.params, req.version);
    const starter = req.startedBy ?? starterOf(req.actor);
    this.authorize(spec, starter);
    // A registered type nobody serves would leave the run waiting on an unpolled queue: refuse now.
    const unserved = await this.registry.unservedProblems(spec);
    if (unserved.length > 0) {
      const types = [...new Set(unserved.map((p) => spec.nodes.find((n) => n.id === p.nodeId)!.type))];
      throw conflict(`no live worker serves node type${types.length > 1 ? 's' : ''} ${types.join(', ')}: ${unserved[0]!.message}`, unserved);
    }
    const runId = req.uniqueRunId ?? `${slug(spec.name)}-${randomUUID()}`;
    const startedBy = this.seal(starter, runId);
    const memo: RunMemo = { pipelineId: req.pipelineId, version, trigger: req.trigger, ...(req.source ? { source: req.source } : {}) };
    try {
      // A large spec goes to the workers by digest, through the artifact store they share.
      const specStore = artifactSpecStore(this.store);
      await startRun(this.temporal, { spec, params, runId, trigger: req.trigger, startedBy, memo: { kiln: memo }, uniqueId: Boolean(req.uniqueRunId), specStore, catalog: this.catalog, ...(req.reuse ? { reuse: req.reuse } : {}), ...(req.cache === false ? { cache: false } : {}) });
    } catch (err) {
      if (err instanceof RunExistsError && req.uniqueRunId) return { runId, existing: true };
      if (err instanceof RunTooLargeError) throw new ProblemsException('the run is too large', [{ path: 'params', message: err.message }]);
      throw err;
    }
    await this.recordStarted(runId, memo, params, new Date(), typeof req.actor === 'string' ? req.actor : req.actor.name);
    const action = req.trigger === 'rerun' ? 'run.rerun' : 'run.start';
    await this.audit.record(req.actor, action, `run:${runId}`, { pipelineId: req.pipelineId, version, trigger: req.trigger });
    return { runId };
  }

  /** Inserts the row of a run that started (idempotent: a run found twice is recorded once). */
  async recordStarted(runId: string, memo: RunMemo, params: Record<string, unknown>, startedAt: Date, createdBy: string | null) {
    await this.db
      .createQueryBuilder()
      .insert()
      .into(Run)
      .values({
        id: runId,
        pipelineId: memo.pipelineId,
        version: memo.version,
        params: params as JsonDoc,
        trigger: memo.trigger,
        status: 'running',
        startedAt,
        endedAt: null,
        createdBy,
        source: memo.source ?? null,
        error: null,
        state: null,
      })
      .orIgnore()
      .execute();
  }

  async record(runId: string): Promise<RunRecord> {
    const run = (await this.db.getRepository(Run).findOneBy({ id: runId })) ?? (await this.adopt(runId));
    if (!run) throw notFound(`run ${runId}`);
    return run;
  }

  /**
   * Records a Kiln run that Temporal holds and the table does not yet: one started through a
   * replica that died before recording it (run sync would find it within a few seconds; a read
   * through any replica finds it at once).
   */
  private async adopt(runId: string): Promise<RunRecord | null> {
    if (runId.length > 255) return null;
    let description;
    try {
      description = await this.temporal.workflow.getHandle(runId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
    const memo = description.memo?.kiln as RunMemo | CliRunMemo | undefined;
    if (description.type !== PIPELINE_WORKFLOW_TYPE) return null;
    if (isCliRunMemo(memo)) {
      await this.recordCliRun(runId, memo, description.startTime);
      return this.db.getRepository(Run).findOneBy({ id: runId });
    }
    if (!memo?.pipelineId) return null;
    if (!(await this.db.getRepository(Pipeline).existsBy({ id: memo.pipelineId }))) return null;
    await this.recordFromTemporal(runId, memo, description.startTime);
    return this.db.getRepository(Run).findOneBy({ id: runId });
  }

  /** Records a run found on Temporal, with its params read from the workflow's input. */
  async recordFromTemporal(runId: string, memo: RunMemo, startedAt: Date) {
    const by = memo.trigger === 'schedule' ? `schedule ${memo.source ?? ''}`.trim() : null;
    await this.recordStarted(runId, memo, await this.paramsOf(runId), startedAt, by);
  }

  /**
   * Records a run `kiln run` started on this API's Temporal (beside `kiln up`): the spec it ran, read
   * from the workflow's input, is a version of the pipeline of its name (found, or added), so the run
   * shows with the others. No role is checked: whoever can start workflows on Temporal is trusted
   * as an operator already (see ARCHITECTURE, Trust boundaries); running that version again through
   * the API is checked like any run.
   */
  async recordCliRun(runId: string, memo: CliRunMemo, startedAt: Date) {
    const input = await this.inputOf(runId);
    if (!input) return;
    const spec: unknown = input.specRef
      ? JSON.parse(Buffer.from(await this.store.get(input.specRef.digest)).toString('utf8'))
      : input.spec;
    const by = memo.source ?? 'kiln run';
    const version = await this.pipelines.recordRan(spec, by);
    if (!version) return;
    const recorded: RunMemo = { ...version, trigger: 'cli', ...(memo.source ? { source: memo.source } : {}) };
    await this.recordStarted(runId, recorded, input.params ?? {}, startedAt, by);
  }

  private async paramsOf(workflowId: string): Promise<Record<string, unknown>> {
    return (await this.inputOf(workflowId))?.params ?? {};
  }

  /** The workflow's input (`RunInput`), from the first event of its history. */
  private async inputOf(workflowId: string): Promise<Partial<RunInput> | undefined> {
    try {
      const history = await this.temporal.workflow.getHandle(workflowId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = started?.input?.payloads?.[0];
      if (!payload) return undefined;
      return defaultPayloadConverter.fromPayload(payload) as Partial<RunInput>;
    } catch (err) {
      if (unreachableDependency(err)) throw err;
      return undefined;
    }
  }

  list(filter: { pipelineId?: string; status?: RunStatus; trigger?: RunTrigger; limit: number }) {
    const where: FindOptionsWhere<RunRecord> = {};
    if (filter.pipelineId) where.pipelineId = filter.pipelineId;
    if (filter.status) where.status = filter.status;
    if (filter.trigger) where.trigger = filter.trigger;
    return this.db.getRepository(Run).find({
      where,
      order: { startedAt: 'DESC' },
      take: filter.limit,
      select: { id: true, pipelineId: true, version: true, trigger: true, status: true, startedAt: true, endedAt: true, createdBy: true, source: true, error: true, params: true },
    });
  }

  /**
   * The run with every node's state: live from the workflow (with heartbeat progress and the attempt
   * under way) while it runs, from the table once it has ended.
   */
  async get(runId: string) {
    return this.withState(await this.record(runId));
  }

  /** {@link get} for a run record already read. */
  async withState(record: RunRecord) {
    const run = withRerunOf(record);
    if (run.status !== 'running' && run.state) return { ...run };
    const runId = run.id;
    const handle = this.temporal.workflow.getHandle(runId);
    try {
      const [state, description] = await Promise.all([queryRun(handle), handle.describe()]);
      for (const pending of description.raw.pendingActivities ?? []) {
        const nodeId = (pending.activityId ?? '').split('#')[0]!;
        const node = state.nodes[nodeId];
        if (!node) continue;
        const details = pending.heartbeatDetails?.payloads?.[0];
        Object.assign(node, {
          live: {
            attempt: pending.attempt ?? 1,
            // Always present (JSON drops undefined): null before the first heartbeat or for one without details.
            progress: (details ? defaultPayloadConverter.fromPayload(details) : undefined) ?? null,
            lastHeartbeat: pending.lastHeartbeatTime ? new Date(Number(pending.lastHeartbeatTime.seconds) * 1000).toISOString() : null,
            lastFailure: pending.lastFailure?.message ?? null,
          },
        });
      }
      return { ...run, state };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { ...run, state: run.state };
      // A run started with its spec by digest answers queries once it has read the spec back.
      if (err instanceof QueryNotRegisteredError) return { ...run, state: run.state };
      throw err;
    }
  }

  async cancel(runId: string, actor: Actor) {
    const run = await this.record(runId);
    if (run.status !== 'running') throw conflict(`run ${runId} has already ended (${run.status})`);
    await this.temporal.workflow.getHandle(runId).cancel();
    await this.audit.record(actor, 'run.cancel', `run:${runId}`);
  }

  /** Sends a decision to a waiting approval gate (409 when the node is not one, or not waiting). */
  async decide(runId: string, nodeId: string, decision: 'approve' | 'reject', comment: string | undefined, actor: Actor) {
    const run = await this.record(runId);
    if (run.status !== 'running') throw conflict(`run ${runId} has already ended (${run.status})`);
    const handle = this.temporal.workflow.getHandle(runId);
    const state = await queryRun(handle);
    const node = state.nodes[nodeId];
    if (!node) throw notFound(`node "${nodeId}" in run ${runId}`);
    const stored = await this.pipelines.version(run.pipelineId, run.version);
    const type = (stored.spec.nodes as { id: string; type: string }[]).find((n) => n.id === nodeId)?.type;
    if (type !== APPROVAL_NODE_TYPE) throw conflict(`node "${nodeId}" is a ${type}, not a ${APPROVAL_NODE_TYPE}`);
    if (node.status !== 'running') throw conflict(`node "${nodeId}" is not waiting for a decision (it is ${node.status})`);
    const signal: ApprovalDecision = { nodeId, decision, by: actor.name, ...(comment ? { comment } : {}) };
    await handle.signal(APPROVAL_SIGNAL, signal);
    await this.audit.record(actor, decision === 'approve' ? 'run.approve' : 'run.reject', `run:${runId}`, { nodeId, comment });
    return { runId, nodeId, decision };
  }

  /**
   * Starts a new run of a run's version and params (`trigger: 'rerun'`, `source` and `rerunOf` the
   * run). With `from`, it reuses what the ended run computed: `'failed'` re-runs the nodes that did
   * not succeed, a list of node ids re-runs those and their descendants (400 naming unknown ids; 409
   * while the run still runs). Without, every node runs again.
   */
  async rerun(runId: string, actor: Actor, from?: RerunFrom) {
    const run = await this.record(runId);
    let reuse: Record<string, NodeReuse> | undefined;
    if (from !== undefined) {
      if (run.status === 'running') throw conflict(`run ${runId} is still running; re-run it from its failures once it has ended (or cancel it)`);
      const { spec } = await this.pipelines.checkedVersion(run.pipelineId, run.version);
      // A run that ended without a recorded state (its workflow failed outright) has nothing to reuse.
      const state = (run.state as RunState | null) ?? { runId, nodes: {} };
      try {
        reuse = rerunReuse(spec, state, from);
      } catch (err) {
        if (err instanceof UnknownRerunNodesError) {
          throw badRequest(`${err.message} (pipeline ${run.pipelineId} version ${run.version})`, err.nodeIds.map((id) => ({ path: 'from', message: `no node "${id}"` })));
        }
        throw err;
      }
    }
    const started = await this.start({ pipelineId: run.pipelineId, version: run.version, params: run.params, trigger: 'rerun', actor, source: runId, ...(reuse ? { reuse } : {}) });
    return { ...started, rerunOf: runId, reusing: Object.keys(reuse ?? {}) };
  }

  /** Settles a run that has ended: final state, status and first error into the table. */
  async settle(runId: string): Promise<RunStatus | undefined> {
    const handle = this.temporal.workflow.getHandle(runId);
    const description = await handle.describe();
    if (description.status.name === 'RUNNING' || description.status.name === 'CONTINUED_AS_NEW') return undefined;
    let state: RunState | undefined;
    try {
      state = await awaitRun(handle);
    } catch {
      state = undefined;
    }
    const status: RunStatus = state ? (state.status === 'running' ? 'failed' : state.status) : description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
    const firstError = state && Object.entries(state.nodes).find(([, n]) => n.status === 'failed');
    await this.db.getRepository(Run).update(
      { id: runId },
      {
        status,
        endedAt: description.closeTime ?? new Date(),
        state: (state ?? null) as JsonDoc | null,
        error: firstError ? `node "${firstError[0]}": ${firstError[1].error?.message ?? 'failed'}` : status === 'failed' ? `workflow ${description.status.name.toLowerCase()}` : null,
      },
    );
    return status;
  }
}

/** A run's row with the run it re-ran (`rerunOf`: its `source` when started by a re-run), null otherwise. */
export function withRerunOf<R extends Pick<RunRecord, 'trigger' | 'source'>>(run: R): R & { rerunOf: string | null } {
  return { ...run, rerunOf: run.trigger === 'rerun' ? run.source : null };
}

function slug(name: string): string {
  return name.replace(/[^\w-]/g, '-').slice(0, 80);
}
