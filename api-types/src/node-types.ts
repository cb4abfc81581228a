import { z } from 'zod';
import { CAPABILITY_NAMES, type Capability, NODE_LANGUAGES, type NodeTypeJson as EngineNodeTypeJson, PORT_TYPES, typeResourcesSchema } from '@kiln/engine';
import { jsonObject, timestamp } from './common';

export const portType = z.enum(PORT_TYPES);
export const nodeLanguage = z.enum(NODE_LANGUAGES);

/** A port as the catalog serves it: its declaration with the JSON Schema of the values it carries. */
export const servedPort = z.object({
  type: portType,
  optional: z.boolean().optional(),
  description: z.string().optional(),
  schema: jsonObject.describe("JSON Schema of the port's values (the engine's port-value schema)."),
});

/**
 * A catalog entry as `GET /catalog` (and `GET /node-types`) serves it: everything the engine's
 * `NodeTypeInfo` has but `checkParams`, each port with its value schema; registered types also say
 * where they come from and whether a worker serves them now.
 */
export const nodeTypeJson = z.object({
  type: z.string(),
  version: z.int().positive(),
  category: z.string(),
  title: z.string(),
  description: z.string(),
  inputs: z.record(z.string(), servedPort),
  outputs: z.record(z.string(), servedPort),
  capabilities: z.array(z.enum(CAPABILITY_NAMES as [Capability, ...Capability[]])),
  paramsJsonSchema: jsonObject,
  light: z.boolean().optional().describe('Runs as a local activity on the workflow worker.'),
  deterministic: z.boolean().optional().describe('Same inputs and params give the same outputs: its results are cached by default (for some params only: see the node cache).'),
  resources: typeResourcesSchema.optional().describe("Default `resources` of the type's nodes; a node's own override them field by field."),
  source: z.string().optional().describe('`builtin`, or the package or module whose workers registered it.'),
  language: nodeLanguage.optional(),
  queue: z.string().optional().describe('Registered types: the task queue their workers serve.'),
  served: z.boolean().optional().describe('Whether a live worker serves the type now (built-ins always).'),
  lastSeenAt: timestamp.optional().describe('Registered types: when a worker last renewed its registration.'),
});
export type NodeTypeJson = z.infer<typeof nodeTypeJson>;

/** `PUT /node-types/registrations/{workerId}`: what was recorded, and when to renew before it expires. */
export const registrationResult = z.object({
  workerId: z.string(),
  source: z.string(),
  language: nodeLanguage,
  queue: z.string(),
  expiresAt: timestamp,
  renewSeconds: z.int().positive(),
  types: z.array(z.object({ type: z.string(), version: z.int().positive(), status: z.enum(['registered', 'updated', 'unchanged']) })),
});
export type RegistrationResult = z.infer<typeof registrationResult>;

/** One live worker registration in `GET /node-types/registrations`: which worker serves which types, on which queue, until when. */
export const workerRegistration = z.object({
  workerId: z.string(),
  source: z.string(),
  language: nodeLanguage,
  queue: z.string(),
  types: z.array(z.object({ type: z.string(), version: z.int().positive() })),
  registeredBy: z.string().describe('The name of the token that registered it.'),
  firstSeenAt: timestamp,
  lastSeenAt: timestamp,
  expiresAt: timestamp,
});
export type WorkerRegistration = z.infer<typeof workerRegistration>;

/** `POST /validate`: every problem in a spec, as `kiln validate` reports them. */
export const validationResult = z.object({
  ok: z.boolean(),
  problems: z.array(z.looseObject({ path: z.string(), message: z.string() })),
});
export type ValidationResult = z.infer<typeof validationResult>;

// The engine declares the catalog entry for its validator (which the studio builds its catalog
// from): this fails to compile when the schema and the engine's type drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Plain<T> = { -readonly [K in keyof T]: T[K] extends Readonly<Record<string, infer P>> ? Record<string, { -readonly [Q in keyof P]: P[Q] }> : T[K] extends readonly (infer E)[] ? E[] : T[K] };
const sameNodeTypeJson: Same<Plain<NodeTypeJson>, Plain<EngineNodeTypeJson>> = true;
void sameNodeTypeJson;
