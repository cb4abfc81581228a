import { z } from 'zod';

// The mark on a node param that names data to read. Apart from data-uri.ts (the checks), because
// node declarations use it and must load only zod and the engine: the checks pull in DNS, HTTP and
// the policy, which validating a spec never needs.

/** The JSON Schema keyword that marks a node param as a data URI the policy checks. */
export const DATA_URI_KEYWORD = 'x-kiln-data-uri';

/**
 * A node param that names data to read (local path, `file://`, `http(s)://`, `s3://`). The mark
 * reaches the param's JSON Schema, so the API finds such params from the node type's declaration.
 */
export function dataUriParam(description: string) {
  return z
    .string()
    .min(1)
    .describe(description)
    .meta({ [DATA_URI_KEYWORD]: true });
}

/** The top-level params a params JSON Schema marks as data URIs ({@link dataUriParam}). */
export function dataUriParamNames(paramsJsonSchema: Record<string, unknown>): string[] {
  const properties = (paramsJsonSchema.properties ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return Object.keys(properties).filter((k) => properties[k]?.[DATA_URI_KEYWORD] === true);
}
