import type { z } from 'zod';
import type { PortMap, PortType } from './port-types';
import { portTypeOf } from './port-types';
import { type ArtifactRef, PORT_VALUE_SCHEMAS, artifactDigestSchema } from './port-values';

/**
 * The artifacts a port value points at, found by walking its port type's schema beside the value:
 * every place the schema declares an artifact ref (an object whose `digest` is
 * {@link artifactDigestSchema}) yields the value's ref there. No duck typing: a `Json` value that
 * happens to hold a `digest` field names no artifact. The value should already fit its schema
 * (`portValueProblem`); parts that do not are passed over.
 */
export function artifactRefsOf(type: PortType, value: unknown, options: { list?: boolean } = {}): ArtifactRef[] {
  const refs: ArtifactRef[] = [];
  const schema = PORT_VALUE_SCHEMAS[type] as unknown as z.ZodType;
  if (options.list) {
    if (Array.isArray(value)) for (const item of value) walk(schema, item, refs);
  } else walk(schema, value, refs);
  return refs;
}

/** Every artifact a node's port values point at (a mapped node's outputs: one value per item, `list`). */
export function artifactRefsOfPorts(ports: PortMap, values: Record<string, unknown>, options: { list?: boolean } = {}): ArtifactRef[] {
  const refs: ArtifactRef[] = [];
  for (const [port, decl] of Object.entries(ports)) {
    if (values[port] !== undefined) refs.push(...artifactRefsOf(portTypeOf(decl), values[port], options));
  }
  return refs;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function isRefSchema(def: Def): boolean {
  return def.type === 'object' && def.shape?.['digest'] === artifactDigestSchema;
}

function walk(schema: z.ZodType, value: unknown, refs: ArtifactRef[]): void {
  if (value === null || value === undefined) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) return;
      if (isRefSchema(def)) {
        refs.push(value as ArtifactRef);
        return;
      }
      for (const [key, inner] of Object.entries(def.shape ?? {})) walk(inner, (value as Record<string, unknown>)[key], refs);
      return;
    case 'array':
      if (Array.isArray(value)) for (const item of value) walk(def.element!, item, refs);
      return;
    case 'record':
      if (typeof value === 'object' && !Array.isArray(value)) for (const item of Object.values(value)) walk(def.valueType!, item, refs);
      return;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      walk(def.innerType!, value, refs);
      return;
    case 'pipe':
      walk(def.in!, value, refs);
      return;
    case 'lazy':
      walk(def.getter!(), value, refs);
      return;
    case 'union': {
      // The first option the value fits (a discriminated union: the one its discriminator names).
      const option = def.options!.find((o) => o.safeParse(value).success);
      if (option) walk(option, value, refs);
      return;
    }
    default:
      // Scalars, enums, literals, JSON: no artifacts below.
      return;
  }
}
