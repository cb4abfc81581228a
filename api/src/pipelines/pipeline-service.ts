import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { type Catalog, type PipelineLayout, type PipelineSpec, type RunStarter, canonicalJson, capabilityProblems, pipelineHash, splitLayout, validateSpec, withLayout } from '@kiln/engine';
import { dataAccessPolicyFromEnv, dataAccessProblems } from '@kiln/nodes/access';
import { type JsonDoc, Pipeline, PipelineVersion, type PipelineRecord, type PipelineVersionRecord, Run } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import type { Actor } from '../auth/roles';
import { ProblemsException, conflict, notFound } from '../common/http-errors';
import { CapabilityRefusedException } from './capability-refused';
import { API_CONFIG, type ApiConfig } from '../config';
import { DATA_SOURCE, NODE_CATALOG } from '../database';

/**
 * Pipelines and their immutable versions. Node positions are layout, not identity: versions hold
 * specs without them (hashed by `pipelineHash`), the pipeline row holds the latest layout, and
 * readers get the spec with the layout put back.
 */
@Injectable()
export class PipelineService {
  /** Versions never change, so a version and its checked spec are kept once read. */
  private readonly versionCache = new Map<string, { record: PipelineVersionRecord; spec: PipelineSpec }>();
  /** What data nodes may read (KILN_DATA_ROOTS, KILN_FETCH_ALLOW, KILN_S3_BUCKETS); a bad setting stops the API at start. */
  private readonly dataAccess = dataAccessPolicyFromEnv();

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(NODE_CATALOG) private readonly catalog: Catalog,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /**
   * Validates a spec the way the API accepts it: the engine's checks (422), then, when saved or run
   * by someone, the capabilities its node types declare against instance policy and their role (403).
   */
  check(raw: unknown, by?: Actor | RunStarter): PipelineSpec {
    const result = validateSpec(raw, this.catalog);
    if (!result.ok) throw new ProblemsException(`the pipeline spec has ${result.problems.length} problem(s)`, result.problems);
    const refused = dataAccessProblems(result.spec, this.catalog, this.dataAccess);
    if (refused.length > 0) throw new ProblemsException('the pipeline reads data this instance does not allow', refused);
    if (by) this.authorize(result.spec, by);
    return result.spec;
  }

  /** 403 naming each node whose type declares a capability this instance refuses to the starter's role. */
  authorize(spec: PipelineSpec, by: Actor | RunStarter): void {
    // A worker token reaches no route that saves or runs a pipeline, so its role is never a starter's.
    const role = by.role === 'worker' ? undefined : by.role;
    const starter: RunStarter = { name: by.name, ...(role ? { role } : {}) };
    const problems = capabilityProblems(spec.nodes, (type) => this.catalog.get(type)?.capabilities, this.config.capabilities, starter);
    if (problems.length > 0) throw new CapabilityRefusedException(starter, problems);
  }

  async create(raw: unknown, actor: Actor): Promise<{ id: string; version: number }> {
    const { spec, layout } = splitLayout(this.check(raw, actor));
    const id = randomUUID();
    const now = new Date();
    await this.db.transaction(async (m) => {
      const taken = await m.getRepository(Pipeline).findOneBy({ name: spec.name, archivedAt: IsNull() });
      if (taken) throw conflict(`a pipeline named "${spec.name}" exists already (${taken.id}); PUT /pipelines/${taken.id} adds a version`);
      await m.getRepository(Pipeline).insert({
        id,
        name: spec.name,
        description: spec.description ?? null,
        latestVersion: 1,
        createdAt: now,
        updatedAt: now,
        archivedAt: null,
        createdBy: actor.name,
        layout: Object.keys(layout).length ? (layout as JsonDoc) : null,
      });
      await m.getRepository(PipelineVersion).insert({ pipelineId: id, version: 1, spec: spec as JsonDoc, hash: pipelineHash(spec), author: actor.name, createdAt: now });
      await this.audit.record(actor, 'pipeline.create', `pipeline:${id}`, { name: spec.name, version: 1 }, m);
    });
    return { id, version: 1 };
  }

  /**
   * A new version, unless the spec is the same as the latest but for node positions (then that
   * version is returned). Positions sent with the spec become the pipeline's layout either way;
   * a spec without any keeps the layout it had.
   */
  async update(id: string, raw: unknown, actor: Actor): Promise<{ id: string; version: number; created: boolean; layoutChanged: boolean }> {
    const { spec, layout: sent } = splitLayout(this.check(raw, actor));
    const hash = pipelineHash(spec);
    return this.db.transaction(async (m) => {
      const pipeline = await m.getRepository(Pipeline).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!pipeline || pipeline.archivedAt) throw notFound(`pipeline ${id}`);
      const layout: JsonDoc | null = nextLayout(pipeline.layout as PipelineLayout | null, sent, spec);
      const layoutChanged = canonicalLayout(layout) !== canonicalLayout(pipeline.layout as PipelineLayout | null);
      const latest = await m.getRepository(PipelineVersion).findOneByOrFail({ pipelineId: id, version: pipeline.latestVersion });
      if (latest.hash === hash) {
        if (layoutChanged) await m.getRepository(Pipeline).update({ id }, { layout });
        return { id, version: latest.version, created: false, layoutChanged };
      }
      if (spec.name !== pipeline.name) {
        const taken = await m.getRepository(Pipeline).findOneBy({ name: spec.name, archivedAt: IsNull() });
        if (taken) throw conflict(`a pipeline named "${spec.name}" exists already (${taken.id})`);
      }
      const version = pipeline.latestVersion + 1;
      const now = new Date();
      await m.getRepository(PipelineVersion).insert({ pipelineId: id, version, spec: spec as JsonDoc, hash, author: actor.name, createdAt: now });
      await m.getRepository(Pipeline).update({ id }, { latestVersion: version, updatedAt: now, name: spec.name, description: spec.description ?? null, layout });
      await this.audit.record(actor, 'pipeline.update', `pipeline:${id}`, { version, hash }, m);
      return { id, version, created: true, layoutChanged };
    });
  }

  /**
   * The version a spec run outside the API is (`kiln run` beside `kiln up`, see
   * `RunService.recordCliRun`): of the live pipeline of its name, the version with the same hash, else
   * a new version; a new pipeline when none has the name. Undefined for a spec this API finds invalid.
   */
  async recordRan(raw: unknown, by: string): Promise<{ pipelineId: string; version: number } | undefined> {
    const result = validateSpec(raw, this.catalog);
    if (!result.ok) return undefined;
    // Positions are layout, not identity (see update): the version holds the spec without them.
    const { spec, layout } = splitLayout(result.spec);
    const hash = pipelineHash(spec);
    return this.db.transaction(async (m) => {
      const now = new Date();
      const pipeline = await m.getRepository(Pipeline).findOne({ where: { name: spec.name, archivedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!pipeline) {
        const id = randomUUID();
        await m.getRepository(Pipeline).insert({ id, name: spec.name, description: spec.description ?? null, latestVersion: 1, createdAt: now, updatedAt: now, archivedAt: null, createdBy: by, layout: Object.keys(layout).length ? (layout as JsonDoc) : null });
        await m.getRepository(PipelineVersion).insert({ pipelineId: id, version: 1, spec: spec as JsonDoc, hash, author: by, createdAt: now });
        await this.audit.record(by, 'pipeline.create', `pipeline:${id}`, { name: spec.name, version: 1, ranBy: by }, m);
        return { pipelineId: id, version: 1 };
      }
      const same = await m.getRepository(PipelineVersion).findOne({ where: { pipelineId: pipeline.id, hash }, order: { version: 'DESC' } });
      if (same) return { pipelineId: pipeline.id, version: same.version };
      const version = pipeline.latestVersion + 1;
      await m.getRepository(PipelineVersion).insert({ pipelineId: pipeline.id, version, spec: spec as JsonDoc, hash, author: by, createdAt: now });
      await m.getRepository(Pipeline).update({ id: pipeline.id }, { latestVersion: version, updatedAt: now, description: spec.description ?? null });
      await this.audit.record(by, 'pipeline.update', `pipeline:${pipeline.id}`, { version, hash, ranBy: by }, m);
      return { pipelineId: pipeline.id, version };
    });
  }

  /** A version's spec as readers see it: with the pipeline's layout on the nodes it places. */
  async drawnVersion(id: string, version?: number): Promise<PipelineVersionRecord & { spec: PipelineSpec }> {
    const [pipeline, record] = await Promise.all([this.get(id), this.version(id, version)]);
    return { ...record, spec: withLayout(record.spec as PipelineSpec, pipeline.layout as PipelineLayout | null) };
  }

  async archive(id: string, actor: Actor): Promise<void> {
    const result = await this.db.getRepository(Pipeline).update({ id, archivedAt: IsNull() }, { archivedAt: new Date() });
    if (!result.affected) throw notFound(`pipeline ${id}`);
    await this.audit.record(actor, 'pipeline.archive', `pipeline:${id}`);
  }

  async get(id: string): Promise<PipelineRecord> {
    const pipeline = await this.db.getRepository(Pipeline).findOneBy({ id });
    if (!pipeline) throw notFound(`pipeline ${id}`);
    return pipeline;
  }

  async version(id: string, version?: number): Promise<PipelineVersionRecord> {
    return (await this.checkedVersion(id, version)).record;
  }

  /** A version with its spec checked against the catalog (cached: versions are immutable); runs authorize it per starter. */
  async checkedVersion(id: string, version?: number): Promise<{ record: PipelineVersionRecord; spec: PipelineSpec }> {
    const wanted = version ?? (await this.get(id)).latestVersion;
    const key = `${id}:${wanted}`;
    const cached = this.versionCache.get(key);
    if (cached) return cached;
    const record = await this.db.getRepository(PipelineVersion).findOneBy({ pipelineId: id, version: wanted });
    if (!record) {
      await this.get(id);
      throw notFound(`version ${wanted} of pipeline ${id}`);
    }
    const entry = { record, spec: this.check(record.spec) };
    if (this.versionCache.size >= 1000) this.versionCache.delete(this.versionCache.keys().next().value!);
    this.versionCache.set(key, entry);
    return entry;
  }

  async versions(id: string) {
    await this.get(id);
    const rows = await this.db.getRepository(PipelineVersion).find({ where: { pipelineId: id }, order: { version: 'ASC' } });
    return rows.map(({ version, hash, author, createdAt }) => ({ version, hash, author, createdAt }));
  }

  /** Live pipelines (or all), each with its last run. */
  async list(includeArchived: boolean) {
    const pipelines = await this.db.getRepository(Pipeline).find({
      ...(includeArchived ? {} : { where: { archivedAt: IsNull() } }),
      order: { name: 'ASC' },
    });
    const lastRuns = pipelines.length
      ? await this.db
          .getRepository(Run)
          .createQueryBuilder('r')
          .distinctOn(['r.pipeline_id'])
          .where('r.pipeline_id IN (:...ids)', { ids: pipelines.map((p) => p.id) })
          .orderBy('r.pipeline_id')
          .addOrderBy('r.started_at', 'DESC')
          .getMany()
      : [];
    const byPipeline = new Map(lastRuns.map((r) => [r.pipelineId, r]));
    return pipelines.map(({ layout: _layout, ...p }) => {
      const run = byPipeline.get(p.id);
      return { ...p, lastRun: run ? { id: run.id, status: run.status, startedAt: run.startedAt, trigger: run.trigger } : null };
    });
  }
}

/** The layout after a save: the positions sent, or (none sent) the old layout of the nodes that remain. */
function nextLayout(old: PipelineLayout | null, sent: PipelineLayout, spec: PipelineSpec): PipelineLayout | null {
  if (Object.keys(sent).length) return sent;
  if (!old) return null;
  const kept = Object.fromEntries(spec.nodes.flatMap((n) => (old[n.id] ? [[n.id, old[n.id]!]] : [])));
  return Object.keys(kept).length ? kept : null;
}

const canonicalLayout = (layout: PipelineLayout | null): string => (layout ? canonicalJson(layout) : 'null');
