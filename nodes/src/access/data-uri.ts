import { urlRefusal } from './guarded-fetch';
import { localPathRefusal } from './local-path';
import type { DataAccessPolicy } from './policy';
import { s3Refusal } from './s3-bucket';

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
