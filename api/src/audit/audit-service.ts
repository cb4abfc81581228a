import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { Audit, type JsonDoc } from '@kiln/db';
import type { Actor } from '../auth/roles';
import { DATA_SOURCE } from '../database';

/** Who created or changed what, kept in `audit_log`. */
@Injectable()
export class AuditService {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async record(actor: Actor | string, action: string, target: string, details: Record<string, unknown> = {}, manager?: EntityManager) {
    const who = typeof actor === 'string' ? actor : `${actor.name} (${actor.tokenId})`;
    await (manager ?? this.db.manager).getRepository(Audit).insert({ at: new Date(), actor: who, action, target, details: details as JsonDoc });
  }

  list(limit: number) {
    return this.db.getRepository(Audit).find({ order: { id: 'DESC' }, take: limit });
  }
}
