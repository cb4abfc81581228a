// Prediction ids that prove they were issued: feedback is taken only for ids that a Kiln API made for
// that deployment, without storing every id (most requests are not logged).
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Ids per process start share a random prefix; a counter makes each request's nonce unique. */
const PREFIX = randomBytes(6).toString('hex');
let requests = 0;

/** Characters of the tag: 16 base64url characters = 96 bits. */
const TAG_LENGTH = 16;
const ID = /^([0-9a-z]{13,24})\.([0-9a-z]{1,4})\.([0-9a-z]{1,4})\.([A-Za-z0-9_-]{16})$/;

/**
 * Issues and verifies prediction ids: `<nonce>.<rows>.<row>.<tag>` in base 36, where the tag is the
 * first 96 bits of SHA-256(key ‖ deployment ‖ nonce ‖ rows) with a key derived from the instance's
 * secret key. One hash per request (not per row) keeps the serving path cheap; the truncated
 * secret-prefix hash cannot be length-extended, and nonces only contain base-36 digits. Every key of
 * the key ring verifies, so ids stay valid across a key rotation while the old key is listed.
 */
export class PredictionIds {
  /** Hex keys, the current one first. */
  constructor(private readonly keys: readonly string[]) {
    if (keys.length === 0) throw new Error('PredictionIds needs at least one key');
  }

  private tag(key: string, deployment: string, nonce: string, rows: string): string {
    return hash('sha256', `${key}\n${deployment}\n${nonce}\n${rows}`, 'base64url').slice(0, TAG_LENGTH);
  }

  /** The ids of one request's `count` rows. */
  issue(deployment: string, count: number): string[] {
    const nonce = `${PREFIX}${(++requests).toString(36)}`;
    const rows = count.toString(36);
    const head = `${nonce}.${rows}.`;
    const tail = `.${this.tag(this.keys[0]!, deployment, nonce, rows)}`;
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) ids[i] = `${head}${i.toString(36)}${tail}`;
    return ids;
  }

  /** Whether `id` was issued for `deployment` (by any process sharing the key ring). */
  verify(deployment: string, id: string): boolean {
    const m = ID.exec(id);
    if (!m) return false;
    const [, nonce, rows, row, tag] = m as unknown as [string, string, string, string, string];
    if (parseInt(row, 36) >= parseInt(rows, 36)) return false;
    const given = Buffer.from(tag);
    return this.keys.some((key) =>
      timingSafeEqual(Buffer.from(this.tag(key, deployment, nonce, rows)), given),
    );
  }
}
