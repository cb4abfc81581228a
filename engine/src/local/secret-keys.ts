// The instance's key ring, from the environment (`KILN_SECRET_KEY`) or a key generated once and kept
// in KILN_HOME (mode 0600) when none is configured: the API seals secrets at rest with it (AES-256-GCM)
// and signs run starters' role claims with a key derived from it, which the workers verify.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a sealed value starts with (`kiln-sealed:v1:<key id>:<iv>:<ciphertext+tag>`, base64url parts). */
const SEALED = 'kiln-sealed:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface SecretKey {
  id: string;
  key: Buffer;
}

/** The keys that open sealed values; the first one seals new values. */
export class KeyRing {
  readonly current: SecretKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** Every key id, the current one first. */
  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * Encrypts `plaintext` with the current key. `context` (e.g. the row's id) is authenticated with
   * it, so a sealed value copied to another row does not open there.
   */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED}${this.current.id}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** Decrypts a sealed value; throws when its key is not in the ring or the value was altered. */
  open(sealed: string, context: string): string {
    const parsed = parseSealed(sealed);
    if (!parsed) throw new Error('not a sealed value');
    const key = this.byId.get(parsed.keyId);
    if (!key)
      throw new Error(
        `sealed with key "${parsed.keyId}", which KILN_SECRET_KEY does not list (keys: ${this.ids.join(', ')})`,
      );
    const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(parsed.body.subarray(parsed.body.length - 16));
    return Buffer.concat([
      decipher.update(parsed.body.subarray(0, parsed.body.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** A key for another purpose (prediction ids), derived from every key of the ring, current first. */
  derive(purpose: string): string[] {
    return this.derivedKeys(purpose).map((k) => k.key.toString('hex'));
  }

  /** Every key of the ring turned into a key for `purpose` (HKDF-SHA256, label `kiln <purpose>`), current first. */
  derivedKeys(purpose: string): SecretKey[] {
    return this.ids.map((id) => ({
      id,
      key: Buffer.from(hkdfSync('sha256', this.byId.get(id)!, Buffer.alloc(0), `kiln ${purpose}`, 32)),
    }));
  }
}

/** The key id a sealed value names, or undefined when the value is not sealed (a legacy plaintext). */
export function sealedKeyId(value: string): string | undefined {
  return parseSealed(value)?.keyId;
}

function parseSealed(value: string) {
  if (!value.startsWith(SEALED)) return undefined;
  const [keyId, iv, body] = value.slice(SEALED.length).split(':');
  if (!keyId || !iv || !body) return undefined;
  return { keyId, iv: Buffer.from(iv, 'base64url'), body: Buffer.from(body, 'base64url') };
}

/**
 * Parses `KILN_SECRET_KEY`: comma-separated `<id>:<key>` entries, the first sealing new values, every
 * one opening old ones (rotation: put the new key first, keep the old one until the API has re-sealed
 * every row at start). A key is 32 bytes as base64 or 64 hex digits. A lone key without an id gets
 * the id `k1`.
 */
export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('KILN_SECRET_KEY is empty');
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const [id, material] =
      colon < 0 ? [i === 0 ? 'k1' : '', entry] : [entry.slice(0, colon), entry.slice(colon + 1)];
    if (!KEY_ID.test(id))
      throw new Error(
        `KILN_SECRET_KEY entry ${i + 1}: the key id must be 1-32 letters, digits, _ or - (write <id>:<key>)`,
      );
    const key = /^[0-9a-fA-F]{64}$/.test(material)
      ? Buffer.from(material, 'hex')
      : Buffer.from(material, 'base64');
    if (key.length !== 32)
      throw new Error(
        `KILN_SECRET_KEY key "${id}": expected 32 bytes (base64 or 64 hex digits), got ${key.length}`,
      );
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length)
    throw new Error('KILN_SECRET_KEY lists a key id twice');
  return new KeyRing(keys);
}

/** Where the generated key is kept when KILN_SECRET_KEY is not set. */
export const SECRET_KEY_FILE = 'secret-key';

/**
 * The key ring: `KILN_SECRET_KEY` when given; otherwise the key in `<home>/secret-key`, generated on
 * first use and written with mode 0600 (fine for one machine; several API processes must share
 * KILN_SECRET_KEY).
 */
export function loadKeyRing(configured: string | undefined, home: string): { ring: KeyRing; source: string } {
  const file = join(home, SECRET_KEY_FILE);
  const found = readKeyRing(configured, home);
  if (found) {
    if (found.source === file) chmodSync(file, 0o600);
    return found;
  }
  let text = `local-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}`;
  // Written whole under another name, then linked: a process starting at the same time either
  // links first or reads the complete file.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `${text}\n`, { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    text = readFileSync(file, 'utf8').trim();
  } finally {
    rmSync(temp, { force: true });
  }
  chmodSync(file, 0o600);
  return { ring: parseKeyRing(text), source: file };
}

/**
 * The key ring if there is one, never making one (a worker's view): `KILN_SECRET_KEY`, else the key
 * file in `home` (as `kiln up`'s API wrote it), else undefined.
 */
export function readKeyRing(configured: string | undefined, home: string): { ring: KeyRing; source: string } | undefined {
  if (configured) return { ring: parseKeyRing(configured), source: 'KILN_SECRET_KEY' };
  const file = join(home, SECRET_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
  return { ring: parseKeyRing(text), source: file };
}
