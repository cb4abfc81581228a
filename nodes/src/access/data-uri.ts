import { z } from 'zod';
import { urlRefusal } from './guarded-fetch';
import { localPathRefusal } from './local-path';
import type { DataAccessPolicy } from './policy';
import { s3Refusal } from './s3-bucket';

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

export type DataUriKind = 'local' | 'http' | 's3';

/** Which reader a data URI goes to; `scheme://` other than file, http(s) and s3 is undefined. */
export function dataUriKind(uri: string): DataUriKind | undefined {
  if (/^https?:\/\//i.test(uri)) return 'http';
  if (/^s3:\/\//i.test(uri)) return 's3';
  if (/^file:/i.test(uri) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return 'local';
  return undefined;
}

/**
 * Why a data URI is refused as written, or undefined: what can be decided without touching the
 * file system or DNS (a path outside the roots once `..` is resolved, a loopback or private IP
 * literal or `localhost`, a bucket not allowed). The reader checks again, fully, when it reads.
 */
export function dataUriRefusal(uri: string, policy: DataAccessPolicy): string | undefined {
  switch (dataUriKind(uri)) {
    case 'local':
      return localPathRefusal(uri, policy);
    case 'http': {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        return 'not a valid URL';
      }
      return urlRefusal(url, policy);
    }
    case 's3':
      return s3Refusal(uri, policy);
    default:
      return `${uri.split(':')[0]}:// is not read (use a local path, file://, http(s):// or s3://)`;
  }
}
