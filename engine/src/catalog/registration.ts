import { z } from 'zod';
import { CAPABILITY_NAMES, type Capability } from './capabilities';
import type { NodeTypeInfo } from './node-type-info';
import { PORT_TYPES } from './port-types';
import { compileParamsSchema } from './schema-param-check';
import { typeResourcesSchema } from '../spec/schema';

// Node types registered by their workers (ARCHITECTURE.md, "Node types registered by their workers"):
// the body a worker PUTs to `/api/v1/node-types/registrations/:workerId`, and its checks. One
// definition for the API (which validates), the TypeScript worker (which sends) and the docs.

/** A node type's name: `<category>.<name>`, lower case letters, digits, `_` and `-`. */
export const NODE_TYPE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}\.[a-z][a-z0-9_-]{0,63}$/;
/** A port's name (a spec says `node.port`, so no dots). */
export const PORT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** A worker's id in the registration path. */
export const WORKER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;

/** The languages a worker may serve node types in. */
export const NODE_LANGUAGES = ['typescript', 'python'] as const;
export type NodeLanguage = (typeof NODE_LANGUAGES)[number];

/** The `source` of the node types Kiln ships; no registration may use it. */
export const BUILTIN_SOURCE = 'builtin';

/** How often a worker renews its registration, and after how long without one its types count as unserved (3 missed renewals). */
export const REGISTRATION_RENEW_SECONDS = 15;
export const REGISTRATION_TTL_SECONDS = 3 * REGISTRATION_RENEW_SECONDS;

/** Queues that registered types may not use: Kiln's own workers serve them with the built-ins only. */
export const RESERVED_QUEUES = ['cpu', 'gpu', 'kiln-workflows'] as const;

const portType = z.enum(PORT_TYPES);
const portDecl = z.union([
  portType,
  z.strictObject({ type: portType, optional: z.boolean().optional(), description: z.string().max(2000).optional() }),
]);
const portMap = z
  .record(z.string().regex(PORT_NAME_PATTERN, 'a port name starts with a letter or _ and holds letters, digits and _ only'), portDecl)
  .refine((ports) => Object.keys(ports).length <= 64, 'at most 64 ports');

/** One registered node type: a catalog entry as `GET /node-types` serves it, with ports by declaration (their value schemas follow from the port type). */
export const registeredNodeTypeSchema = z.strictObject({
  type: z.string().regex(NODE_TYPE_NAME_PATTERN, 'a node type is "<category>.<name>": lower case letters, digits, _ and -, each part starting with a letter'),
  version: z.number().int().min(1).max(1_000_000),
  /** Default: the part of `type` before the dot. */
  category: z.string().min(1).max(100).optional(),
  /** Default: `type`. */
  title: z.string().min(1).max(200).optional(),
  description: z.string().max(20_000).optional(),
  inputs: portMap.optional(),
  outputs: portMap.optional(),
  capabilities: z
    .array(z.enum(CAPABILITY_NAMES as [Capability, ...Capability[]]))
    .max(CAPABILITY_NAMES.length)
    .refine((list) => new Set(list).size === list.length, 'a capability is listed twice')
    .optional(),
  /** JSON Schema of the params object (draft 2020-12 when its `$schema` says so, else draft-07). */
  paramsJsonSchema: z.record(z.string(), z.unknown()),
  /**
   * Default resources of the type's nodes: cores and memory (TypeScript workers only: they hold cores
   * and limit memory as Kiln's own do). No `gpu`: a registered type runs on its workers' queue.
   */
  resources: typeResourcesSchema.omit({ gpu: true }).optional(),
});
export type RegisteredNodeType = z.input<typeof registeredNodeTypeSchema>;

export const nodeTypeRegistrationSchema = z.strictObject({
  language: z.enum(NODE_LANGUAGES),
  /** The package (npm name) or module (Python) the types come from: the studio groups by it. */
  source: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[!-~\u00a0-\uffff]+$/, 'a source is a package or module name, without spaces or control characters')
    .refine((s) => s !== BUILTIN_SOURCE, `"${BUILTIN_SOURCE}" is the source of Kiln's own node types`),
  /** The task queue this worker serves the types on: nodes of these types run there unless they name a queue. */
  queue: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[!-~\u00a0-\uffff]+$/, 'a queue name has no spaces or control characters')
    .refine((q) => !(RESERVED_QUEUES as readonly string[]).includes(q), `queues ${RESERVED_QUEUES.join(', ')} are served by Kiln's own workers, which lack these types: give the types a queue of their own`),
  types: z.array(registeredNodeTypeSchema).min(1).max(500),
}).superRefine((registration, ctx) => {
  if (registration.language === 'typescript') return;
  registration.types.forEach((type, i) => {
    if (type.resources) {
      ctx.addIssue({
        code: 'custom',
        path: ['types', i, 'resources'],
        message: `${registration.language} workers do not honour default resources (core budget, memory limit): leave "resources" out`,
      });
    }
  });
});
export type NodeTypeRegistration = z.input<typeof nodeTypeRegistrationSchema>;

/** A registered type as the catalog keeps it: defaults filled in. */
export type RegisteredTypeInfo = Omit<NodeTypeInfo, 'checkParams' | 'light' | 'source' | 'language' | 'queue' | 'served' | 'lastSeenAt'>;

/** The catalog entry of a registered type (without source, queue and liveness, which the registry adds). */
export function registeredTypeInfo(t: z.output<typeof registeredNodeTypeSchema>): RegisteredTypeInfo {
  return {
    type: t.type,
    version: t.version,
    category: t.category ?? t.type.split('.')[0]!,
    title: t.title ?? t.type,
    description: t.description ?? '',
    inputs: t.inputs ?? {},
    outputs: t.outputs ?? {},
    capabilities: t.capabilities ?? [],
    paramsJsonSchema: t.paramsJsonSchema,
    ...(t.resources ? { resources: t.resources } : {}),
  };
}

/** Problems of one type's params JSON Schema (it must compile and describe an object), as sentences. */
export function paramsSchemaProblems(schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push(`paramsJsonSchema must describe an object ("type": "object"), not ${JSON.stringify(schema.type ?? null)}`);
  try {
    compileParamsSchema(schema);
  } catch (err) {
    problems.push(`paramsJsonSchema is not a valid JSON Schema: ${(err as Error).message}`);
  }
  return problems;
}
