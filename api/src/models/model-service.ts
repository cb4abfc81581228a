import { HttpException, Inject, Injectable } from '@nestjs/common';
import { type DatasetValue, type ModelValue, datasetValueSchema, modelValueSchema } from '@kiln/engine';
import type { DataSource, EntityManager } from 'typeorm';
import { type JsonDoc, Model, type ModelStage, ModelVersion, type ModelVersionRecord, Pipeline } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import type { Actor } from '../auth/roles';
import { conflict, notFound } from '../common/http-errors';
import { DATA_SOURCE } from '../database';
import { PipelineService } from '../pipelines/pipeline-service';
import { RunService } from '../runs/run-service';
import { modelCard } from './model-card';

interface NodeOutputs {
  status: string;
  outputs?: Record<string, unknown>;
}

const isModel = (v: unknown): v is ModelValue => modelValueSchema.safeParse(v).success;
const isDataset = (v: unknown): v is DatasetValue => datasetValueSchema.safeParse(v).success;

export interface VersionInput {
  /** The `Model` port value the registry keeps. */
  model: ModelValue;
  metrics: Record<string, unknown>;
  datasets: { nodeId: string; digest: string; rowCount: number; columns: number }[];
  runId: string;
  nodeId: string;
  /** The training dataset, kept for drift monitoring. */
  reference?: DatasetValue;
  description?: string;
}

/** The model registry: versions registered from runs, with lineage, stages and a card. */
@Injectable()
export class ModelService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(RunService) private readonly runs: RunService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(PipelineService) private readonly pipelines: PipelineService,
  ) {}

  /** The dataset a run fed into a node's `train` input (the drift reference of the model it made). */
  private async trainingData(run: { pipelineId: string; version: number }, nodes: Record<string, NodeOutputs>, nodeId: string): Promise<DatasetValue | undefined> {
    const { spec } = await this.pipelines.checkedVersion(run.pipelineId, run.version);
    const edge = (spec.edges ?? []).find((e) => e.to === `${nodeId}.train`);
    const [from, port] = edge?.from.split('.') ?? [];
    const value = from && port ? nodes[from]?.outputs?.[port] : undefined;
    return isDataset(value) ? value : undefined;
  }

  /** Registers the model a finished run's node produced, as the next version of `name`. */
  async register(name: string, req: { runId: string; nodeId: string; metricsNodeId?: string; description?: string }, actor: Actor) {
    const run = await this.runs.record(req.runId);
    if (run.status !== 'succeeded' || !run.state) throw conflict(`run ${req.runId} has not succeeded (it is ${run.status}); register models from succeeded runs`);
    const nodes = (run.state as { nodes: Record<string, NodeOutputs> }).nodes;
    const node = nodes[req.nodeId];
    if (!node) throw notFound(`node "${req.nodeId}" in run ${req.runId}`);
    const model = node.outputs?.model;
    if (!isModel(model)) throw new HttpException({ statusCode: 422, error: 'Unprocessable Entity', message: `node "${req.nodeId}" has no Model output` }, 422);
    const metricsOut = (req.metricsNodeId ? nodes[req.metricsNodeId]?.outputs?.metrics : node.outputs?.metrics) as { values?: Record<string, unknown> } | undefined;
    if (req.metricsNodeId && !metricsOut) throw notFound(`Metrics output of node "${req.metricsNodeId}" in run ${req.runId}`);
    const metrics = metricsOut?.values ?? {};
    const datasets = Object.entries(nodes).flatMap(([nodeId, n]) =>
      Object.values(n.outputs ?? {})
        .filter(isDataset)
        .map((d) => ({ nodeId, digest: d.artifact.digest, rowCount: d.rowCount, columns: d.schema.length })),
    );
    const reference = await this.trainingData(run, nodes, req.nodeId);
    return this.insertVersion(
      name,
      {
        model,
        metrics,
        datasets,
        runId: run.id,
        nodeId: req.nodeId,
        ...(reference ? { reference } : {}),
        ...(req.description ? { description: req.description } : {}),
      },
      actor,
    );
  }

  /**
   * Adds the next version of `name` (creating the model on first use) for a Model produced by a node of
   * a run, succeeded or still running (deploy.model registers from inside its run).
   */
  async insertVersion(name: string, v: VersionInput, actor: Actor, manager?: EntityManager): Promise<ModelVersionRecord> {
    const run = await this.runs.record(v.runId);
    const pipeline = await this.db.getRepository(Pipeline).findOneByOrFail({ id: run.pipelineId });
    const work = async (m: EntityManager) => {
      if (!(await m.getRepository(Model).existsBy({ name }))) {
        await m.getRepository(Model).insert({ name, description: v.description ?? null, createdAt: new Date(), createdBy: actor.name });
      }
      const last = await m.getRepository(ModelVersion).findOne({ where: { name }, order: { version: 'DESC' }, lock: { mode: 'pessimistic_write' } });
      const version = (last?.version ?? 0) + 1;
      const card = modelCard({
        name,
        version,
        pipeline: { id: pipeline.id, name: pipeline.name, version: run.version, description: pipeline.description },
        runId: run.id,
        model: v.model,
        metrics: v.metrics,
        datasets: v.datasets,
      });
      const record: ModelVersionRecord = {
        name,
        version,
        model: v.model as JsonDoc,
        metrics: v.metrics as JsonDoc,
        lineage: { runId: run.id, nodeId: v.nodeId, pipelineId: run.pipelineId, pipelineVersion: run.version, datasets: v.datasets } as JsonDoc,
        stage: 'none',
        wasProduction: false,
        stageChangedAt: new Date(),
        card: card as JsonDoc,
        reference: (v.reference ?? null) as JsonDoc | null,
        createdAt: new Date(),
        createdBy: actor.name,
      };
      await m.getRepository(ModelVersion).insert(record);
      await this.audit.record(actor, 'model.register', `model:${name}:${version}`, { runId: run.id, nodeId: v.nodeId }, m);
      return record;
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  async list() {
    const models = await this.db.getRepository(Model).find({ order: { name: 'ASC' } });
    const versions = await this.db.getRepository(ModelVersion).find({ select: { name: true, version: true, stage: true, metrics: true, createdAt: true } });
    return models.map((m) => {
      const mine = versions.filter((v) => v.name === m.name);
      return { ...m, versions: mine.length, latestVersion: Math.max(0, ...mine.map((v) => v.version)), production: mine.find((v) => v.stage === 'production')?.version ?? null };
    });
  }

  async get(name: string) {
    const model = await this.db.getRepository(Model).findOneBy({ name });
    if (!model) throw notFound(`model "${name}"`);
    const versions = await this.db.getRepository(ModelVersion).find({
      where: { name },
      order: { version: 'ASC' },
      select: { version: true, stage: true, metrics: true, createdAt: true, createdBy: true, wasProduction: true, stageChangedAt: true },
    });
    return { ...model, versions };
  }

  async version(name: string, version: number): Promise<ModelVersionRecord> {
    const found = await this.db.getRepository(ModelVersion).findOneBy({ name, version });
    if (!found) throw notFound(`version ${version} of model "${name}"`);
    return found;
  }

  /** The production version, if any (serving and champion/challenger gates read it). */
  production(name: string) {
    return this.db.getRepository(ModelVersion).findOneBy({ name, stage: 'production' });
  }

  /** Moves a version to a stage; promoting to production archives the one there. */
  async promote(name: string, version: number, stage: Exclude<ModelStage, 'none'>, actor: Actor, manager?: EntityManager) {
    const work = async (m: EntityManager) => {
      const repo = m.getRepository(ModelVersion);
      const target = await repo.findOne({ where: { name, version }, lock: { mode: 'pessimistic_write' } });
      if (!target) throw notFound(`version ${version} of model "${name}"`);
      const now = new Date();
      if (stage === 'production') {
        await repo.update({ name, stage: 'production' }, { stage: 'archived', stageChangedAt: now });
        await repo.update({ name, version }, { stage, wasProduction: true, stageChangedAt: now });
      } else {
        await repo.update({ name, version }, { stage, stageChangedAt: now });
      }
      await this.audit.record(actor, 'model.promote', `model:${name}:${version}`, { stage, from: target.stage }, m);
    };
    if (manager) await work(manager);
    else await this.db.transaction(work);
    return this.version(name, version);
  }

  /** Puts back the version that was in production before the current one. */
  async rollback(name: string, actor: Actor) {
    const result = await this.db.transaction(async (m) => {
      const repo = m.getRepository(ModelVersion);
      const current = await repo.findOneBy({ name, stage: 'production' });
      if (!current) throw conflict(`model "${name}" has no production version to roll back`);
      const previous = await repo
        .createQueryBuilder('v')
        .where('v.name = :name AND v.was_production AND v.version <> :current', { name, current: current.version })
        .orderBy('v.stage_changed_at', 'DESC')
        .addOrderBy('v.version', 'DESC')
        .getOne();
      if (!previous) throw conflict(`model "${name}" has no earlier production version to roll back to`);
      const now = new Date();
      await repo.update({ name, version: current.version }, { stage: 'archived', stageChangedAt: now });
      await repo.update({ name, version: previous.version }, { stage: 'production', stageChangedAt: now });
      await this.audit.record(actor, 'model.rollback', `model:${name}`, { from: current.version, to: previous.version }, m);
      return previous.version;
    });
    return this.version(name, result);
  }
}
