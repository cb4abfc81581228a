import type { Capability } from './capabilities';
import type { NodeLanguage } from './registration';
import { type PortMap, type PortType, portTypeOf } from './port-types';
import { portValueJsonSchema } from './port-values';
import type { TypeResources } from '../spec/schema';

/** One problem found in a node's params, with a path relative to the params object. */
export interface ParamIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What the spec validator and the workflow need to know about a node type. Node definitions
 * (in `nodes`) provide it; the API serves it as JSON (without `checkParams`).
 */
export interface NodeTypeInfo {
  readonly type: string;
  readonly version: number;
  readonly category: string;
  readonly title: string;
  readonly description: string;
  readonly inputs: PortMap;
  readonly outputs: PortMap;
  /** What the type may make a worker do; instance policy is decided from this, never from the type name. */
  readonly capabilities: readonly Capability[];
  /** JSON Schema of the params object (drives forms and API docs). */
  readonly paramsJsonSchema: Record<string, unknown>;
  /**
   * A light type (a no-op, a gate, a small JSON transform, bookkeeping: done in well under a second,
   * no heavy I/O) runs as a Temporal local activity on the workflow worker, skipping the round trip
   * through the server's task queues; its node's timeout and retries apply as to any node.
   */
  readonly light?: boolean;
  /**
   * The same params and inputs always give equivalent outputs and running it has no other effect
   * (a seeded trainer, featurize, evaluate, validate, an ingest keyed by its file's content): its
   * nodes are cached by default. Absent: not cached unless a node opts in with `cache: true`.
   */
  readonly deterministic?: boolean;
  /**
   * Default `resources` of the type's nodes (cores, GPUs, memory); a node's own override them field by
   * field. The run decides routing (GPUs → the gpu queue), the worker's core budget and user-code
   * memory limits from the merged value.
   */
  readonly resources?: TypeResources;
  /** Checks a params object; absent means "anything goes". */
  checkParams?(params: unknown): readonly ParamIssue[];
  /** Where the type comes from: `builtin` (absent means the same), or the package or module whose workers registered it. */
  readonly source?: string;
  /** The language its implementation is in (built-ins: TypeScript). */
  readonly language?: NodeLanguage;
  /** Registered types: the task queue their workers serve; a node of the type runs there unless it names a queue. */
  readonly queue?: string;
  /** Registered types: whether a live worker serves the type now (built-ins are always served). */
  readonly served?: boolean;
  /** Registered types: when a worker last renewed its registration of the type (ISO 8601). */
  readonly lastSeenAt?: string;
}

/** The set of node types a spec is checked against. */
export interface Catalog {
  get(type: string): NodeTypeInfo | undefined;
  types(): readonly NodeTypeInfo[];
}

export function catalogOf(infos: Iterable<NodeTypeInfo>): Catalog {
  const byType = new Map<string, NodeTypeInfo>();
  for (const info of infos) {
    if (byType.has(info.type)) throw new Error(`node type "${info.type}" is defined twice`);
    byType.set(info.type, info);
  }
  return { get: (type) => byType.get(type), types: () => [...byType.values()] };
}

/** A port as the catalog serves it: its declaration with the JSON Schema of the values it carries. */
export interface ServedPort {
  readonly type: PortType;
  readonly optional?: boolean;
  readonly description?: string;
  readonly schema: Record<string, unknown>;
}

/** A catalog entry as `GET /node-types` serves it: no `checkParams`, and each port with its value schema. */
export type NodeTypeJson = Omit<NodeTypeInfo, 'checkParams' | 'inputs' | 'outputs'> & {
  readonly inputs: Readonly<Record<string, ServedPort>>;
  readonly outputs: Readonly<Record<string, ServedPort>>;
};

const portSchemas = new Map<PortType, Record<string, unknown>>();

function servedPorts(ports: PortMap): Record<string, ServedPort> {
  return Object.fromEntries(
    Object.entries(ports).map(([name, decl]) => {
      const type = portTypeOf(decl);
      let schema = portSchemas.get(type);
      if (!schema) portSchemas.set(type, (schema = portValueJsonSchema(type)));
      return [name, { ...(typeof decl === 'string' ? { type } : decl), schema }];
    }),
  );
}

export function nodeTypeJson(info: NodeTypeInfo): NodeTypeJson {
  const { checkParams: _check, inputs, outputs, ...rest } = info;
  return { ...rest, inputs: servedPorts(inputs), outputs: servedPorts(outputs) };
}
