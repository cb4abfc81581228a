import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { ApiToken, type ApiTokenRecord, type TokenRole } from '@kiln/db';
import { DATA_SOURCE } from '../database';

const VERIFIED_FOR_MS = 5000;
/** The advisory lock replicas take to bootstrap the admin token one at a time (`kadm` in ASCII). */
const BOOTSTRAP_LOCK_KEY = 0x6b61646d;

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** API tokens: stored as SHA-256 digests, shown once when made. */
@Injectable()
export class TokenService {
  /**
   * Verified tokens for a few seconds, so a request costs no token query and no hashing (revocation
   * clears its entry). Keyed by the token itself, which the process holds anyway while it serves the
   * request; only digests are stored.
   */
  private readonly verified = new Map<string, { record: ApiTokenRecord; until: number }>();

  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  private get repo() {
    return this.db.getRepository(ApiToken);
  }

  /** Makes a token; the returned `token` is the only time it is ever seen. */
  async create(name: string, role: TokenRole, createdBy: string, token = `kiln_${randomBytes(32).toString('base64url')}`, manager: EntityManager = this.db.manager) {
    const record: ApiTokenRecord = {
      id: randomUUID(),
      name,
      role,
      digest: tokenDigest(token),
      createdAt: new Date(),
      createdBy,
      lastUsedAt: null,
      revokedAt: null,
    };
    await manager.getRepository(ApiToken).insert(record);
    return { token, record };
  }

  async verify(token: string): Promise<ApiTokenRecord | null> {
    const hit = this.verified.get(token);
    if (hit && hit.until > Date.now()) return hit.record;
    const record = await this.repo.findOneBy({ digest: tokenDigest(token), revokedAt: IsNull() });
    if (record) {
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, { record, until: Date.now() + VERIFIED_FOR_MS });
    } else this.verified.delete(token);
    if (record && (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > 60_000)) {
      // At most one write a minute per token.
      record.lastUsedAt = new Date();
      await this.repo.update({ id: record.id }, { lastUsedAt: record.lastUsedAt });
    }
    return record;
  }

  list(): Promise<ApiTokenRecord[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  async revoke(id: string): Promise<boolean> {
    for (const [token, { record }] of this.verified) if (record.id === id) this.verified.delete(token);
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Makes sure an admin can get in: `KILN_ADMIN_TOKEN` is registered when given; otherwise, when no
   * admin token exists, one is generated and returned (to be printed once). Replicas starting
   * together do this one at a time (an advisory lock), so they neither collide nor make two admins.
   */
  bootstrapAdmin(adminToken: string | undefined): Promise<string | undefined> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      const repo = m.getRepository(ApiToken);
      if (adminToken) {
        const existing = await repo.findOneBy({ digest: tokenDigest(adminToken) });
        if (!existing) await this.create('admin (KILN_ADMIN_TOKEN)', 'admin', 'bootstrap', adminToken, m);
        return undefined;
      }
      const admins = await repo.countBy({ role: 'admin', revokedAt: IsNull() });
      if (admins > 0) return undefined;
      return (await this.create('admin (first start)', 'admin', 'bootstrap', undefined, m)).token;
    });
  }
}
