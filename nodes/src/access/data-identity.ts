import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { sha256OfFile } from '@kiln/artifacts/file-hash';
import type { NamedObjects } from '@kiln/artifacts/named-objects';
import { s3Client, s3ConnectionFromEnv } from '@kiln/artifacts/s3-connection';
import { dataUriKind } from './data-uri';
import { guardedGet } from './guarded-fetch';
import { openLocalData } from './local-path';
import type { DataAccessPolicy } from './policy';
import { parseS3Uri, s3Refusal } from './s3-bucket';

/**
 * What identifies the content a data URI names now, for the node cache's key, or undefined when it
 * cannot be told without reading it all the way (then the node is not cached):
 *
 * - a local file (path or `file://`, under the data roots): its SHA-256. The digest is remembered in
 *   the store's named objects under its real path, device, inode, size, mtime and ctime (ns), so an
 *   unchanged file is hashed once; any write to it changes its mtime and ctime (ctime cannot be set
 *   back by a user), so a remembered digest is never that of other bytes;
 * - `s3://bucket/key`: its ETag and version id (the S3 connection of the worker);
 * - `http(s)://`: a strong `ETag`, else `Last-Modified`, from a GET whose body is not read; neither
 *   means not cached.
 *
 * Throws when the URI is refused by the policy or cannot be read: the caller does not cache, and the
 * node reports the problem itself when it runs.
 */
export async function dataIdentity(uri: string, policy: DataAccessPolicy, memo?: NamedObjects, signal?: AbortSignal): Promise<string | undefined> {
  switch (dataUriKind(uri)) {
    case 'local':
      return localFileDigest(uri, policy, memo);
    case 's3':
      return s3ObjectVersion(uri, policy);
    case 'http':
      return httpValidator(uri, policy, signal);
    default:
      return undefined;
  }
}

async function localFileDigest(uri: string, policy: DataAccessPolicy, memo?: NamedObjects): Promise<string> {
  const file = await openLocalData(uri, policy);
  try {
    const info = await stat(file.path, { bigint: true });
    const memoKey = `cache/files/${createHash('sha256')
      .update([file.realPath, info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join('\0'))
      .digest('hex')}`;
    const known = await memo?.get(memoKey);
    if (known) return `file:${new TextDecoder().decode(known)}`;
    const digest = `sha256:${await sha256OfFile(file.path)}`;
    await memo?.put(memoKey, new TextEncoder().encode(digest));
    return `file:${digest}`;
  } finally {
    await file.close();
  }
}

async function s3ObjectVersion(uri: string, policy: DataAccessPolicy): Promise<string> {
  const refused = s3Refusal(uri, policy);
  if (refused) throw new Error(refused);
  const parsed = parseS3Uri(uri);
  const connection = s3ConnectionFromEnv();
  if (!parsed || !connection) throw new Error(`cannot stat ${uri}`);
  const info = await s3Client(connection).statObject(parsed.bucket, parsed.key);
  return `s3:${connection.endpoint}/${parsed.bucket}/${parsed.key}@${info.etag}${info.versionId ? `#${info.versionId}` : ''}`;
}

async function httpValidator(uri: string, policy: DataAccessPolicy, signal?: AbortSignal): Promise<string | undefined> {
  const { response, url } = await guardedGet(uri, policy, { signal });
  response.destroy();
  if (response.statusCode !== 200) return undefined;
  const etag = response.headers.etag;
  if (etag && !etag.startsWith('W/')) return `http:${url.href}@etag:${etag}`;
  const modified = response.headers['last-modified'];
  return modified ? `http:${url.href}@modified:${modified}` : undefined;
}
