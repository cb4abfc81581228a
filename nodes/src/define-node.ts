import type { KilnApi } from './platform/kiln-api';
import type { NodeLogger } from '@kiln/artifacts/logs/attempt-log';
import { z } from 'zod';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';
import {
  CAPABILITIES,
  type Capability,
  type NodeTypeDecl,
  type NodeTypeInfo,
  type PortMap,
  type PortValue,
  type PortValues,
  type TypeOf,
  type TypeResources,
  typeResourcesSchema,
  zodParamCheck,
} from '@kiln/engine';

/** An account user code runs as (a root worker switches to it). */
export interface UnixUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** How user code is confined on this worker: whom it runs as and how much memory it may map. */
export interface UserCodeLimits {
  /** Set when the worker runs as root: the unprivileged account user code runs as. */
  readonly runAs?: UnixUser;
  /** Address-space limit of the user's processes (the node's `resources.memoryMb`, else the worker's default). */
  readonly memoryMb?: number;
}

/** A test on a node's parsed params (a method type, so definitions of any params stay assignable to the general one). */
type ParamsPredicate<P> = { check(params: P): boolean }['check'];

/** What a node's `run` gets besides its inputs and params. */
export interface NodeContext {
  readonly runId: string;
  readonly pipeline: string;
  readonly nodeId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The task queue this attempt was taken from (`cpu`, `gpu`, …). */
  readonly queue: string;
  /** Aborted when the run is cancelled or the node times out: stop and clean up. */
  readonly signal: AbortSignal;
  /** Records progress (iteration, loss, a last log line); sent to Temporal with the next heartbeat. */
  progress(details: Record<string, unknown>): void;
  /**
   * The attempt's log, which users read live (`kiln logs`, the studio): what the node does that a
   * user wants to see (rows read, iterations, early stopping, decisions). Processes the node runs
   * through `runUserCode` have their stdout and stderr captured here too.
   */
  readonly log: NodeLogger;
  /** The current item, in a node that maps over items. */
  readonly item?: { readonly index: number; readonly value: unknown };
  /** Where datasets, models and reports go: content-addressed, verified on read. */
  readonly store: ArtifactStore;
  /** A scratch folder of this attempt's own (made on first call), removed when the attempt ends. */
  scratchDir(): Promise<string>;
  /** The Kiln API, for nodes that deploy, monitor or read the registry (fails clearly when not configured). */
  api(): KilnApi;
  /** Confinement for user code (nodes with the `user-code` capability run it through `runUserCode`). */
  readonly userCode: UserCodeLimits;
  /**
   * The cores this attempt holds of its worker's budget (the node's `resources.cpu`, at most the
   * worker's `KILN_WORKER_CPUS`): use at most this many threads. Absent when the node asked for none.
   */
  readonly cpus?: number;
  /**
   * Gives back the cores beyond `cores` that this attempt holds but will not use (a trainer on small
   * data runs one thread), so other nodes on the worker may have them. Does nothing when it holds none.
   */
  keepCores(cores: number): void;
}

/**
 * What `run` returns: one value per output port, of its port type's schema (the worker checks); a
 * gate may ask for its downstream to be skipped.
 */
export interface NodeOutcome<O extends PortMap> {
  outputs: { [K in keyof O]: PortValue<TypeOf<O[K]>> };
  skipDownstream?: { reason: string };
}

export { NodeFailure } from './node-failure';

/** One node type, declared once: ports, params, docs and what it does. */
export interface NodeDefinition<I extends PortMap = PortMap, O extends PortMap = PortMap, S extends z.ZodType = z.ZodType>
  extends NodeTypeDecl<I, O, S> {
  readonly category: string;
  readonly title: string;
  readonly description: string;
  /**
   * What the type may make a worker do (see `CAPABILITIES`). Instance policy is decided from this
   * list, in the API and again in the worker, so a type that runs user code must say so here.
   */
  readonly capabilities: readonly Capability[];
  /**
   * Declares the type light (done in well under a second, no heavy I/O: a no-op, a gate, a small JSON
   * transform): the workflow runs its nodes as local activities on the workflow worker, which serves
   * this same activity too. See `NodeTypeInfo.light`.
   */
  readonly light?: boolean;
  /**
   * Same params and inputs, equivalent outputs, and no other effect: the worker caches its nodes by
   * default (see `NodeTypeInfo.deterministic`). Types with side effects or user code leave it unset;
   * a function decides per node from its params (a gate that reads the model registry is not).
   */
  readonly deterministic?: boolean | ParamsPredicate<z.output<S>>;
  /**
   * Default `resources` of the type's nodes, which a node's own override field by field: `cpu` (the
   * cores it holds on its worker and its threads: see `NodeContext.cpus`), `gpu` (routes it to the
   * gpu queue), `memoryMb` (the limit of the user code it runs).
   */
  readonly resources?: TypeResources;
  /** Runs the node on inputs the worker has checked against their ports' schemas. */
  run(ctx: NodeContext, inputs: PortValues<I>, params: z.output<S>): Promise<NodeOutcome<O>>;
}

/**
 * A node type without its `run`: ports, params and docs, in a `<name>.decl.ts` module of its own that
 * loads nothing heavy. The catalog (validation, `kiln validate`, the studio) and the authoring API
 * need only this; the definition spreads it and adds `run`.
 */
export type NodeDeclaration<I extends PortMap = PortMap, O extends PortMap = PortMap, S extends z.ZodType = z.ZodType> = Omit<
  NodeDefinition<I, O, S>,
  'run'
>;

export function declareNode<I extends PortMap, O extends PortMap, S extends z.ZodType>(
  declaration: NodeDeclaration<I, O, S>,
): NodeDeclaration<I, O, S> {
  if (declaration.type.split('.').length !== 2) throw new Error(`node type "${declaration.type}" must be "category.name"`);
  for (const c of declaration.capabilities) {
    if (!(c in CAPABILITIES)) throw new Error(`node type "${declaration.type}": unknown capability "${c}"`);
  }
  if (declaration.resources !== undefined) {
    const checked = typeResourcesSchema.safeParse(declaration.resources);
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => `${i.path.join('.') || 'resources'}: ${i.message}`).join('; ');
      throw new Error(`node type "${declaration.type}": invalid resources: ${issues}`);
    }
  }
  return declaration;
}

export function defineNode<I extends PortMap, O extends PortMap, S extends z.ZodType>(
  definition: NodeDefinition<I, O, S>,
): NodeDefinition<I, O, S> {
  declareNode(definition);
  return definition;
}

/** The catalog entry of a node type: what validation, the API and the studio see. */
export function nodeTypeInfo(def: NodeDeclaration): NodeTypeInfo {
  let paramsJsonSchema: Record<string, unknown> | undefined;
  return {
    type: def.type,
    version: def.version,
    category: def.category,
    title: def.title,
    description: def.description,
    inputs: def.inputs,
    outputs: def.outputs,
    capabilities: def.capabilities,
    ...(def.light ? { light: true } : {}),
    ...(def.deterministic ? { deterministic: true } : {}),
    ...(def.resources ? { resources: def.resources } : {}),
    // Derived on first read (then kept): the catalog is built when a process loads it, and validating
    // a spec or running a node checks params with zod, never reading this (~1 ms a type at start-up).
    get paramsJsonSchema() {
      return (paramsJsonSchema ??= z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
    },
    checkParams: zodParamCheck(def.params),
  };
}
