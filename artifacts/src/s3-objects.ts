import type { Client } from 'minio';
import { type NamedObjects, checkObjectKey } from './named-objects';
import { isNoSuchKey } from './s3-connection';

/** Named objects as keys under `named/` in the artifact bucket (S3 PUTs replace atomically). */
export class S3Objects implements NamedObjects {
  constructor(
    private readonly client: Client,
    private readonly bucket: string,
    private readonly ready: () => Promise<void>,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.ready();
    await this.client.putObject(this.bucket, this.keyOf(key), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.byteLength);
  }

  /** A PUT with `If-None-Match: *` (S3 and MinIO conditional writes): a 412 means the key exists. */
  async create(key: string, bytes: Uint8Array): Promise<boolean> {
    await this.ready();
    try {
      await this.client.putObject(this.bucket, this.keyOf(key), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.byteLength, {
        'If-None-Match': '*',
      });
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict') return false;
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    await this.ready();
    let stream;
    try {
      stream = await this.client.getObject(this.bucket, this.keyOf(key));
    } catch (err) {
      if (isNoSuchKey(err)) return undefined;
      throw err;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async list(prefix: string): Promise<string[]> {
    await this.ready();
    const full = `${this.keyOf(prefix.replace(/\/$/, ''))}/`;
    const names: string[] = [];
    for await (const item of this.client.listObjectsV2(this.bucket, full, false) as AsyncIterable<{ name?: string; prefix?: string }>) {
      const key = item.name ?? item.prefix;
      if (key) names.push(key.slice(full.length).replace(/\/$/, ''));
    }
    return names.filter(Boolean).sort();
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.ready();
    await this.client.removeObjects(this.bucket, keys.map((k) => this.keyOf(k)));
  }

  private keyOf(key: string): string {
    return `named/${checkObjectKey(key)}`;
  }
}
