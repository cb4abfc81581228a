import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  DataAccessRefused,
  LocalDataUnreadable,
  dataAccessPolicyFromEnv,
  dataUriKind,
  dataUriRefusal,
  guardedGet,
  openLocalData,
  s3Refusal,
  type DataAccessPolicy,
} from '../access';
import type { ByteInput } from '@kiln/tabular/text-input';
import { NodeFailure, type NodeContext } from '../define-node';
import { openS3Uri } from './s3-input';

/** A data URI opened for reading: bytes (or a file) to convert, and what to release afterwards. */
export interface OpenedInput {
  input: ByteInput;
  /** The file name the URI gives (picks the format). */
  name: string;
  close(): Promise<void>;
}

/**
 * Opens what `ingest.file` reads under the data-access policy of this process (the worker's
 * environment): local paths and `file://` under the data roots (read through the opened file),
 * `http(s)://` to allowed addresses (downloaded to scratch), `s3://` in allowed buckets (streamed,
 * or downloaded to scratch when `toFile`, as Parquet needs). A refusal is a non-retryable failure.
 */
export async function openIngestInput(
  uri: string,
  ctx: NodeContext,
  toFile: (name: string) => boolean,
): Promise<OpenedInput> {
  let policy: DataAccessPolicy;
  try {
    policy = dataAccessPolicyFromEnv();
  } catch (error) {
    throw new NodeFailure(`the worker's data access settings are wrong: ${(error as Error).message}`, {
      type: 'DataAccessRefused',
      retryable: false,
    });
  }
  try {
    switch (dataUriKind(uri)) {
      case 'local': {
        const file = await openLocalData(uri, policy);
        return { input: file.path, name: file.name, close: () => file.close() };
      }
      case 'http':
        return await download(uri, policy, ctx);
      case 's3':
        return await openS3(uri, policy, ctx, toFile);
      default:
        throw new DataAccessRefused(uri, dataUriRefusal(uri, policy) ?? 'not a data URI');
    }
  } catch (error) {
    if (error instanceof DataAccessRefused)
      throw new NodeFailure(error.message, { type: 'DataAccessRefused', retryable: false });
    if (error instanceof LocalDataUnreadable)
      throw new NodeFailure(error.message, { type: 'NotFound', retryable: false });
    throw error;
  }
}

const nothing = async () => undefined;

async function download(uri: string, policy: DataAccessPolicy, ctx: NodeContext): Promise<OpenedInput> {
  const name = new URL(uri).pathname.split('/').pop() || 'download';
  const path = join(await ctx.scratchDir(), 'download');
  let response: IncomingMessage;
  try {
    ({ response } = await guardedGet(uri, policy, { signal: ctx.signal }));
  } catch (error) {
    if (error instanceof DataAccessRefused) throw error;
    throw new NodeFailure(`cannot fetch ${uri}: ${(error as Error).message}`, { type: 'FetchFailed' });
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.resume();
    throw new NodeFailure(`cannot fetch ${uri}: HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd(), {
      type: 'FetchFailed',
      retryable: status >= 500 || status === 429,
    });
  }
  await pipeline(response, createWriteStream(path), { signal: ctx.signal });
  return { input: path, name, close: nothing };
}

async function openS3(
  uri: string,
  policy: DataAccessPolicy,
  ctx: NodeContext,
  toFile: (name: string) => boolean,
): Promise<OpenedInput> {
  const refusal = s3Refusal(uri, policy);
  if (refusal) throw new DataAccessRefused(uri, refusal);
  const object = await openS3Uri(uri);
  if (!toFile(object.name)) {
    // CSV and JSON Lines are converted straight from the response stream.
    return { input: object.stream, name: object.name, close: async () => void object.stream.destroy() };
  }
  const path = join(await ctx.scratchDir(), 'download');
  try {
    await pipeline(object.stream, createWriteStream(path), { signal: ctx.signal });
  } catch (error) {
    throw new NodeFailure(`cannot read ${uri}: ${(error as Error).message}`, { type: 'FetchFailed' });
  }
  return { input: path, name: object.name, close: nothing };
}
