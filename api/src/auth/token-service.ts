import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiToken, type ApiTokenRecord, type Role } from '@kiln/db';
import { DATA_SOURCE } from '../database';

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** API tokens: stored as SHA-256 digests, shown once when made. */
@Injectable()
export class TokenService {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  private get repo() {
    return this.db.getRepository(ApiToken);
  }

  /** Makes a token; the returned `token` is the only time it is ever seen. */
  async create(name: string, role: Role, createdBy: string, token = `kiln_${randomBytes(32).toString('base64url')}`) {
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
    await this.repo.insert(record);
    return { token, record };
  }

  async verify(token: string): Promise<ApiTokenRecord | null> {
    const record = await this.repo.findOneBy({ digest: tokenDigest(token), revokedAt: IsNull() });
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
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Makes sure an admin can get in: `KILN_ADMIN_TOKEN` is registered when given; otherwise, when no
   * admin token exists, one is generated and returned (to be printed once).
   */
  async bootstrapAdmin(adminToken: string | undefined): Promise<string | undefined> {
    if (adminToken) {
      const existing = await this.repo.findOneBy({ digest: tokenDigest(adminToken) });
      if (!existing) await this.create('admin (KILN_ADMIN_TOKEN)', 'admin', 'bootstrap', adminToken);
      return undefined;
    }
    const admins = await this.repo.countBy({ role: 'admin', revokedAt: IsNull() });
    if (admins > 0) return undefined;
    return (await this.create('admin (first start)', 'admin', 'bootstrap')).token;
  }
}
