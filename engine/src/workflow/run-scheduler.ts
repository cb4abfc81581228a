import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  scheduleActivity,
  scheduleLocalActivity,
} from '@temporalio/workflow';
import { APPROVAL_NODE_TYPE, type ApprovalDecision, approvalResult, approvalTimeoutSeconds } from '../run/approval';
import { type Dag, buildDag, descendants } from '../graph/dag';
import type { NodeFailureDetails, NodeResult, NodeReuse, NodeTask } from '../run/node-task';
import type { RunInput } from '../run/run-input';
import { INFRA_RETRY_ALLOWANCE, MAX_PAYLOAD_BYTES, REGISTERED_SCHEDULE_TO_START_SECONDS, WORKFLOW_TASK_QUEUE } from '../run/run-input';
import { type PackedRunChanges, jsonBytes, packNodes, unpackNodes } from '../run/packed-state';
import {
  DONE_NODE_STATUSES,
  type NodeError,
  type NodeState,
  type RunState,
  TERMINAL_NODE_STATUSES,
} from '../run/run-state';
import { DEFAULT_MAX_PARALLEL } from '../spec/defaults';
import type { NodeSpec, PipelineSpec } from '../spec/schema';
import { resolveRefs } from '../spec/value-refs';
import { canonicalJson } from '../spec/canonical-json';
import { queueOf, runsLocally } from '../run/queue';
import { withTypeResources } from '../run/resources';
import { activityOptionsOf, localActivityOptionsOf } from './activity-options';

interface MapProgress {
  items: unknown[];
  results: (Record<string, unknown> | null)[];
  /** Items with a result (so settling a 100,000-item map does not rescan its results per item). */
  finished: number;
  next: number;
  running: number;
  firstError?: NodeError & { index: number };
  attempts: number;
}

type Unit = { node: NodeSpec; index?: number };

/**
 * Local activities (light node types) a run has scheduled at once, at most: the SDK's default
 * local-activity slots per worker, so more would only queue there. Holding 1,000 at once (a wide
 * fan-out of no-ops) crashed the workflow thread ("async hook stack has become corrupted"), also when
 * the extra ones waited on a `condition`; so the scheduler does not take them from the ready list.
 */
const MAX_LOCAL_IN_FLIGHT = 100;

/**
 * The state machine of one run: starts every node whose dependencies are done, at most
 * `maxParallel` activities at once, and keeps every node's state for the queries. Deterministic:
 * it reacts only to activity results, in the order Temporal delivers them.
 */
export class RunScheduler {
  readonly state: RunState;
  private readonly dag: Dag;
  private readonly nodes = new Map<string, NodeSpec>();
  private readonly waitingOn = new Map<string, number>();
  private readonly ready: string[] = [];
  private readyHead = 0;
  private readonly maps = new Map<string, MapProgress>();
  private readonly activeMaps: string[] = [];
  private readonly maxParallel: number;
  private readonly changedAt = new Map<string, number>();
  private version = 0;
  private inFlight = 0;
  private localInFlight = 0;
  /** A light unit taken from the ready list while the local slots were full; it goes first. */
  private held: Unit | undefined;
  private pumpPending = false;
  /** Approval gates waiting for a person; they hold no activity slot. */
  private waitingApprovals = 0;
  private readonly decisions = new Map<string, ApprovalDecision>();
  /** Set when the run must start nothing new: cancelled, failed fast, or about to continue as new. */
  private draining: 'cancel' | 'failFast' | 'continueAsNew' | undefined;
  private readonly activities = new CancellationScope();

  /**
   * @param reuse results of an earlier run to reuse, by node id (re-run from failure): those nodes are
   * offered their old outputs, which the worker returns as `cached` when their artifacts still exist.
   */
  constructor(
    private readonly input: RunInput,
    private readonly spec: PipelineSpec,
    private readonly runId: string,
    private readonly reuse: Readonly<Record<string, NodeReuse>> = {},
  ) {
    const { resume } = input;
    this.dag = buildDag(spec);
    this.maxParallel = spec.maxParallel ?? DEFAULT_MAX_PARALLEL;
    this.version = resume?.version ?? 0;
    const now = new Date().toISOString();
    this.state = {
      runId,
      pipeline: spec.name,
      status: 'running',
      startedAt: resume?.startedAt ?? now,
      nodes: {},
      generations: resume?.generations ?? 0,
    };
    const resumed = resume ? unpackNodes(resume.nodes) : {};
    for (const node of spec.nodes) {
      // Every decision below (queue, local or not, limits sent to the worker) sees the type's defaults.
      this.nodes.set(node.id, withTypeResources(node, input.typeResources));
      this.state.nodes[node.id] = resumed[node.id] ?? { status: 'pending', attempts: 0 };
      // What earlier generations changed counts as changed at the version they reached: a watcher
      // that starts now (since 0) sees it, one that kept up does not see it again.
      this.changedAt.set(node.id, this.state.nodes[node.id]!.status === 'pending' ? 0 : this.version);
    }
    for (const [id, results] of Object.entries(resume?.mapResults ?? {})) {
      this.maps.set(id, { items: [], results, finished: 0, next: 0, running: 0, attempts: 0 });
    }
    for (const id of this.dag.order) {
      if (TERMINAL_NODE_STATUSES.has(this.state.nodes[id]!.status)) continue;
      let waiting = 0;
      for (const pred of this.dag.preds.get(id)!) if (!DONE_NODE_STATUSES.has(this.state.nodes[pred]!.status)) waiting++;
      this.waitingOn.set(id, waiting);
      if (waiting === 0) this.ready.push(id);
    }
  }

  /** True once nothing runs and nothing more can start. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waitingApprovals === 0 && (this.draining !== undefined || !this.hasWork());
  }

  get drainingFor(): typeof this.draining {
    return this.draining;
  }

  changesSince(since: number): PackedRunChanges {
    const nodes: [string, NodeState][] = [];
    for (const [id, at] of this.changedAt) if (at > since) nodes.push([id, this.state.nodes[id]!]);
    return { version: this.version, status: this.state.status, nodes: packNodes(nodes, Date.parse(this.state.startedAt)) };
  }

  /**
   * Starts work up to the parallelism limit, inside the run's cancellation scope: the first call
   * enters it, and every later one comes from a result callback registered inside it, which runs
   * inside it too (as code after an `await` does), so `launch` schedules there directly.
   */
  pump(shouldContinueAsNew: () => boolean): void {
    if (CancellationScope.current() !== this.activities) {
      // `run` calls its function at once (the pump stays synchronous); a throw is rethrown here.
      let failure: { err: unknown } | undefined;
      void this.activities.run(async () => {
        try {
          this.pump(shouldContinueAsNew);
        } catch (err) {
          failure = { err };
        }
      });
      if (failure) throw failure.err;
      return;
    }
    while (this.draining === undefined && this.inFlight < this.maxParallel) {
      if (shouldContinueAsNew()) {
        this.draining = 'continueAsNew';
        break;
      }
      const unit = this.held ?? this.nextUnit();
      this.held = undefined;
      if (!unit) break;
      if (this.localInFlight >= MAX_LOCAL_IN_FLIGHT && runsLocally(unit.node, this.input.localTypes)) {
        this.held = unit;
        break;
      }
      this.launch(unit, shouldContinueAsNew);
    }
  }

  /** Stops starting work and cancels what runs (the workflow was cancelled). */
  cancel(): void {
    this.draining ??= 'cancel';
  }

  /** Marks what never finished, and settles the run's status. */
  finish(): RunState {
    const now = new Date().toISOString();
    const cancelled = this.draining === 'cancel';
    for (const [id, node] of Object.entries(this.state.nodes)) {
      if (TERMINAL_NODE_STATUSES.has(node.status)) continue;
      if (cancelled) this.update(id, { status: 'cancelled', endedAt: now, reason: 'the run was cancelled' });
      else this.update(id, { status: 'skipped', endedAt: now, reason: 'the run stopped at the first failure (failFast)' });
    }
    const failed = Object.values(this.state.nodes).some((n) => n.status === 'failed');
    this.state.status = cancelled ? 'cancelled' : failed ? 'failed' : 'succeeded';
    this.state.endedAt = now;
    this.version++;
    return this.state;
  }

  /** What the next generation needs to pick up where this one stops. */
  resumeState(): NonNullable<RunInput['resume']> {
    const mapResults: Record<string, (Record<string, unknown> | null)[]> = {};
    for (const [id, progress] of this.maps) {
      if (!TERMINAL_NODE_STATUSES.has(this.state.nodes[id]!.status)) mapResults[id] = progress.results;
    }
    return {
      startedAt: this.state.startedAt,
      generations: this.state.generations + 1,
      version: this.version,
      nodes: packNodes(Object.entries(this.state.nodes), Date.parse(this.state.startedAt)),
      mapResults,
    };
  }

  private hasWork(): boolean {
    return this.held !== undefined || this.readyHead < this.ready.length || this.activeMaps.some((id) => this.mapHasWork(id));
  }

  private mapHasWork(id: string): boolean {
    const m = this.maps.get(id)!;
    return m.firstError === undefined && m.next < m.items.length;
  }

  private nextUnit(): Unit | undefined {
    for (const id of this.activeMaps) {
      const m = this.maps.get(id)!;
      const node = this.nodes.get(id)!;
      if (m.firstError !== undefined || m.running >= (node.map?.maxParallel ?? Infinity)) continue;
      while (m.next < m.items.length && m.results[m.next] != null) m.next++;
      if (m.next < m.items.length) return { node, index: m.next++ };
    }
    while (this.readyHead < this.ready.length) {
      const id = this.ready[this.readyHead++]!;
      if (this.state.nodes[id]!.status !== 'pending' && !this.maps.has(id)) continue;
      const node = this.nodes.get(id)!;
      if (!node.map) return { node };
      if (this.activateMap(node)) return this.nextUnit();
    }
    return undefined;
  }

  /** Resolves a mapped node's items; false when there is nothing to run (no items, or an error). */
  private activateMap(node: NodeSpec): boolean {
    let items: unknown;
    try {
      items = resolveRefs(node.map!.items, { params: this.input.params, outputs: (n, p) => this.outputOf(n, p) });
      if (!Array.isArray(items)) throw new Error(`map items must be a list, got ${items === null ? 'null' : typeof items}`);
    } catch (err) {
      this.startNode(node);
      this.failNode(node.id, { message: (err as Error).message, type: 'InvalidMapItems' }, 0);
      return false;
    }
    const prior = this.maps.get(node.id);
    const results = prior?.results.length === items.length ? prior.results : items.map(() => null);
    const finished = results.filter((r) => r != null).length;
    // Items reused before a continue-as-new stay counted with the results they gave.
    const cached = prior && results === prior.results ? (this.state.nodes[node.id]?.items?.cached ?? 0) : 0;
    this.maps.set(node.id, { items, results, finished, next: 0, running: 0, attempts: 0 });
    this.startNode(node);
    this.update(node.id, { items: { total: items.length, done: finished, failed: 0, ...(cached ? { cached } : {}) } });
    if (finished === items.length) {
      this.completeMap(node.id);
      return false;
    }
    this.activeMaps.push(node.id);
    return true;
  }

  private startNode(node: NodeSpec): void {
    const current = this.state.nodes[node.id]!;
    if (current.status === 'running') return;
    const queue = runsLocally(node, this.input.localTypes) ? WORKFLOW_TASK_QUEUE : queueOf(node, this.input.typeQueues);
    this.update(node.id, { status: 'running', startedAt: new Date().toISOString(), queue });
  }

  /** Takes a decision for a waiting approval gate; false when no such gate waits. */
  decide(decision: ApprovalDecision): boolean {
    const node = this.nodes.get(decision.nodeId);
    const waiting = node?.type === APPROVAL_NODE_TYPE && this.state.nodes[decision.nodeId]!.status === 'running';
    if (waiting && !this.decisions.has(decision.nodeId)) this.decisions.set(decision.nodeId, decision);
    return waiting;
  }

  /** An approval gate: waits (durably, holding no slot) for a decision, or rejects at its timeout. */
  private awaitApproval(node: NodeSpec, shouldContinueAsNew: () => boolean): void {
    const reused = this.reusable(node.id);
    if (reused) {
      // A decision taken in the source run stands: nobody is asked twice.
      this.startNode(node);
      this.onResult(node, undefined, { outputs: reused.outputs, attempt: 0, cached: true, cachedFrom: reused.from, ...(reused.skipDownstream ? { skipDownstream: reused.skipDownstream } : {}) });
      return;
    }
    let seconds: number;
    try {
      // Params resolve as for any node: a `$param` or `$output` timeout is a value by now.
      seconds = approvalTimeoutSeconds(this.paramsOf(node, undefined));
    } catch (err) {
      this.startNode(node);
      this.failNode(node.id, { message: (err as Error).message, type: 'InvalidParams' }, 0);
      return;
    }
    this.waitingApprovals++;
    this.startNode(node);
    this.update(node.id, { reason: 'waiting for approval' });
    this.activities
      .run(() => condition(() => this.decisions.has(node.id), `${seconds}s`))
      .then(
        (decided) => {
          const { outcome, skipDownstream } = approvalResult(decided ? this.decisions.get(node.id) : undefined, seconds, new Date().toISOString());
          this.onResult(node, undefined, { outputs: { decision: outcome }, attempt: 1, ...(skipDownstream ? { skipDownstream } : {}) });
        },
        (err: unknown) => this.onFailure(node, undefined, err),
      )
      .finally(() => {
        this.waitingApprovals--;
        this.pump(shouldContinueAsNew);
      });
  }

  private launch(unit: Unit, shouldContinueAsNew: () => boolean): void {
    const { node, index } = unit;
    if (node.type === APPROVAL_NODE_TYPE) return this.awaitApproval(node, shouldContinueAsNew);
    let task: NodeTask;
    try {
      task = this.taskFor(node, index);
    } catch (err) {
      const where = index === undefined ? '' : `item ${index}: `;
      this.startNode(node);
      this.failNode(node.id, { message: `${where}${(err as Error).message}`, type: 'InvalidParams' }, 0);
      return;
    }
    // Temporal would refuse the activity's input and fail the workflow task again and again.
    const bytes = jsonBytes(task);
    if (bytes > MAX_PAYLOAD_BYTES) {
      const where = index === undefined ? '' : `item ${index}: `;
      const message = `${where}the node's params and inputs come to ${bytes} bytes as JSON, over the ${MAX_PAYLOAD_BYTES}-byte limit of one Temporal payload; pass large data as artifacts`;
      this.startNode(node);
      this.failNode(node.id, { message, type: 'PayloadTooLarge' }, 0);
      return;
    }
    this.inFlight++;
    if (index !== undefined) this.maps.get(node.id)!.running++;
    else this.startNode(node);
    const local = runsLocally(node, this.input.localTypes);
    if (local) this.localInFlight++;
    const schedule = () =>
      local
        ? scheduleLocalActivity<NodeResult>(node.type, [task], localActivityOptionsOf(node))
        : // The activity id names the node (and item), so pending activities can be matched to nodes.
          scheduleActivity<NodeResult>(node.type, [task], {
            ...activityOptionsOf(node, this.input.queueSuffix, this.input.typeQueues),
            activityId: index === undefined ? node.id : `${node.id}#${index}`,
          });
    // Every promise a workflow makes costs the SDK a captured stack trace (most of a light node's
    // cost), so a node makes few: scheduled in the scope the pump runs in (`CancellationScope.run`
    // makes two more), and one callback each way instead of `then` + `finally` (three more).
    const settle = () => {
      this.inFlight--;
      if (local) this.localInFlight--;
      this.pumpSoon(shouldContinueAsNew);
    };
    (CancellationScope.current() === this.activities ? schedule() : this.activities.run(schedule)).then(
      (result) => {
        try {
          this.onResult(node, index, result);
        } finally {
          settle();
        }
      },
      (err: unknown) => {
        try {
          this.onFailure(node, index, err);
        } finally {
          settle();
        }
      },
    );
  }

  /**
   * Pumps once the results Temporal delivered together have all been recorded (a microtask later),
   * so a failure among them stops the run (`failFast`) before anything new starts, and one pump
   * fills all the slots they freed.
   */
  private pumpSoon(shouldContinueAsNew: () => boolean): void {
    if (this.pumpPending) return;
    this.pumpPending = true;
    void Promise.resolve().then(() => {
      this.pumpPending = false;
      this.pump(shouldContinueAsNew);
    });
  }

  private taskFor(node: NodeSpec, index: number | undefined): NodeTask {
    const item = index === undefined ? undefined : { value: this.maps.get(node.id)!.items[index] };
    const params = this.paramsOf(node, item);
    const inputs: Record<string, unknown> = {};
    const reuse = this.reuseFor(node.id, index);
    for (const [port, source] of this.dag.inputs.get(node.id)!) inputs[port] = this.outputOf(source.node, source.port);
    return {
      runId: this.runId,
      pipeline: this.spec.name,
      nodeId: node.id,
      type: node.type,
      params,
      inputs,
      maxAttempts: node.retry?.maxAttempts ?? 1,
      ...(node.timeoutSeconds !== undefined ? { timeoutSeconds: node.timeoutSeconds } : {}),
      ...(node.resources?.memoryMb !== undefined ? { memoryMb: node.resources.memoryMb } : {}),
      ...(node.resources?.cpu !== undefined ? { cpu: node.resources.cpu } : {}),
      ...(this.input.startedBy ? { startedBy: this.input.startedBy } : {}),
      ...(index !== undefined ? { item: { index, value: item!.value } } : {}),
      ...reuse,
      // A re-run runs what it does not reuse (the failed, or the nodes named and their descendants): not from the cache.
      ...cacheSetting(node, this.input, this.rerun && !reuse.reuse),
    };
  }

  /**
   * A node's reuse entry while it still holds: its results were computed from its inputs in the source
   * run, so every upstream node must have ended with exactly the outputs the source run had (reused,
   * or recomputed to the same values); one that changed makes the node run. Read from node states,
   * so it holds across continue-as-new.
   */
  private reusable(nodeId: string): NodeReuse | undefined {
    const entry = this.reuse[nodeId];
    if (!entry) return undefined;
    for (const pred of this.dag.preds.get(nodeId)!) {
      const before = this.reuse[pred];
      if (!before || canonicalJson(this.state.nodes[pred]!.outputs ?? {}) !== canonicalJson(before.outputs)) return undefined;
    }
    return entry;
  }

  /**
   * What the task offers for reuse: the source run's outputs of the node, or of one item of a mapped
   * node (its ports' lists at that index, when they have one value per item of this run's map).
   */
  /** This run re-runs an earlier one (from failure, or from named nodes). */
  private get rerun(): boolean {
    return this.input.reuse !== undefined || this.input.reuseRef !== undefined;
  }

  private reuseFor(nodeId: string, index: number | undefined): Pick<NodeTask, 'reuse'> {
    const entry = this.reusable(nodeId);
    if (!entry) return {};
    if (index === undefined) return { reuse: entry };
    const total = this.maps.get(nodeId)!.items.length;
    const outputs: Record<string, unknown> = {};
    for (const [port, values] of Object.entries(entry.outputs)) {
      if (!Array.isArray(values) || values.length !== total) return {};
      outputs[port] = values[index];
    }
    return { reuse: { outputs, from: entry.from } };
  }

  /** A node's params with its value references (`$param`, `$output`, `$item`) resolved. */
  private paramsOf(node: NodeSpec, item: { value: unknown } | undefined): Record<string, unknown> {
    return resolveRefs(node.params ?? {}, {
      params: this.input.params,
      outputs: (n, p) => this.outputOf(n, p),
      ...(item ? { item } : {}),
    }) as Record<string, unknown>;
  }

  private outputOf(nodeId: string, port: string): unknown {
    const outputs = this.state.nodes[nodeId]?.outputs;
    if (!outputs || !(port in outputs)) throw new Error(`node "${nodeId}" produced no output "${port}"`);
    return outputs[port];
  }

  private onResult(node: NodeSpec, index: number | undefined, result: NodeResult): void {
    if (index === undefined) {
      this.update(node.id, {
        status: result.cached ? 'cached' : 'succeeded',
        attempts: result.cached ? 0 : result.attempt,
        endedAt: new Date().toISOString(),
        outputs: result.outputs,
        reason: result.skipDownstream?.reason,
        cachedFrom: result.cached ? result.cachedFrom : undefined,
      });
      if (result.skipDownstream) this.skipBelow(node.id, result.skipDownstream.reason);
      this.release(node.id);
      return;
    }
    const m = this.maps.get(node.id)!;
    m.running--;
    m.results[index] = result.outputs;
    m.finished++;
    if (!result.cached) m.attempts = Math.max(m.attempts, result.attempt);
    const items = this.state.nodes[node.id]!.items!;
    this.update(node.id, { items: { ...items, done: items.done + 1, ...(result.cached ? { cached: (items.cached ?? 0) + 1 } : {}) }, attempts: m.attempts });
    this.settleMap(node.id);
  }

  private onFailure(node: NodeSpec, index: number | undefined, err: unknown): void {
    if (isCancellation(err)) {
      if (index !== undefined) this.maps.get(node.id)!.running--;
      const reason = this.draining === 'failFast' ? 'stopped at the first failure (failFast)' : 'the run was cancelled';
      this.update(node.id, { status: 'cancelled', endedAt: new Date().toISOString(), reason });
      return;
    }
    const { error, attempts } = describeFailure(err, node.retry?.maxAttempts ?? 1, node, this.input.typeQueues);
    if (index === undefined) {
      this.failNode(node.id, error, attempts);
      return;
    }
    const m = this.maps.get(node.id)!;
    m.running--;
    m.attempts = Math.max(m.attempts, attempts);
    // Report the lowest failed item, whatever order failures arrived in.
    if (!m.firstError || index < m.firstError.index) m.firstError = { ...error, index };
    const items = this.state.nodes[node.id]!.items!;
    this.update(node.id, { items: { ...items, failed: items.failed + 1 }, attempts: m.attempts });
    this.settleMap(node.id);
  }

  /** A mapped node is done when all items are, or failed when one failed and the rest have stopped. */
  private settleMap(id: string): void {
    const m = this.maps.get(id)!;
    if (m.running > 0 || this.state.nodes[id]!.status !== 'running') return;
    if (m.firstError) {
      const { index, message, type } = m.firstError;
      this.failNode(id, { message: `item ${index} failed: ${message}`, type }, m.attempts);
    } else if (m.finished === m.results.length) {
      this.completeMap(id);
    }
  }

  private completeMap(id: string): void {
    const m = this.maps.get(id)!;
    const outputs: Record<string, unknown[]> = {};
    for (const r of m.results) for (const port of Object.keys(r!)) outputs[port] ??= [];
    for (const port of Object.keys(outputs)) outputs[port] = m.results.map((r) => r![port]);
    // Every item reused (none ran): the node is cached as a whole.
    const cached = this.state.nodes[id]?.items?.cached ?? 0;
    const from = cached > 0 && cached === m.results.length ? this.reusable(id)?.from : undefined;
    this.update(id, { status: from ? 'cached' : 'succeeded', endedAt: new Date().toISOString(), outputs, ...(from ? { cachedFrom: from } : {}) });
    this.deactivateMap(id);
    this.release(id);
  }

  private deactivateMap(id: string): void {
    const at = this.activeMaps.indexOf(id);
    if (at >= 0) this.activeMaps.splice(at, 1);
  }

  private failNode(id: string, error: NodeError, attempts: number): void {
    this.update(id, { status: 'failed', attempts, endedAt: new Date().toISOString(), error });
    this.deactivateMap(id);
    this.skipBelow(id, `upstream node "${id}" failed`);
    if (this.spec.failFast && this.draining === undefined) {
      this.draining = 'failFast';
      this.activities.cancel();
    }
  }

  private skipBelow(id: string, reason: string): void {
    const now = new Date().toISOString();
    for (const below of descendants(this.dag, id)) {
      if (this.state.nodes[below]!.status === 'pending') this.update(below, { status: 'skipped', endedAt: now, reason });
    }
  }

  private release(id: string): void {
    for (const succ of this.dag.succs.get(id)!) {
      const left = this.waitingOn.get(succ)! - 1;
      this.waitingOn.set(succ, left);
      if (left === 0 && this.state.nodes[succ]!.status === 'pending') this.ready.push(succ);
    }
  }

  private update(id: string, patch: Partial<NodeState>): void {
    Object.assign(this.state.nodes[id]!, patch);
    this.changedAt.set(id, ++this.version);
  }
}

/** The `NodeTask` cache fields of a node: off when the run or the node says so (or it must run), on when the node opts in. */
function cacheSetting(node: NodeSpec, input: RunInput, mustRun: boolean): Pick<NodeTask, 'cache' | 'cacheVersion'> {
  const cache = input.cache === false || mustRun ? false : node.cache;
  return {
    ...(cache !== undefined ? { cache } : {}),
    ...(node.cacheVersion !== undefined ? { cacheVersion: node.cacheVersion } : {}),
  };
}

function describeFailure(
  err: unknown,
  maxAttempts: number,
  node: NodeSpec,
  typeQueues: RunInput['typeQueues'],
): { error: NodeError; attempts: number } {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as NodeFailureDetails | undefined;
    return {
      error: { message: cause.message, type: cause.type ?? 'Error' },
      attempts: details?.attempt ?? maxAttempts,
    };
  }
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') {
    const queue = queueOf(node, typeQueues);
    return {
      error: {
        message: `no worker took the node from queue "${queue}" within ${REGISTERED_SCHEDULE_TO_START_SECONDS} s: the workers serving ${node.type} are gone (GET /api/v1/catalog shows it unserved)`,
        type: 'NoWorker',
      },
      attempts: 0,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return {
      error: { message: `no word from the worker in time (${cause.timeoutType}); it may have died`, type: 'Timeout' },
      attempts: maxAttempts + INFRA_RETRY_ALLOWANCE,
    };
  }
  return { error: { message: (cause as Error)?.message ?? String(cause), type: 'Error' }, attempts: maxAttempts };
}
