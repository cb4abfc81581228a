import { timingSafeEqual } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { TokenRole } from '@kiln/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { type Actor, roleAllows } from './roles';
import { TokenService } from './token-service';

/** Who a bearer token is, and whether they may do what needs `need` (401/403 otherwise). */
@Injectable()
export class Authenticator {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  private serviceTokenBytes: Buffer | undefined;

  /** The workers' service token, when configured and given. */
  private isServiceToken(token: string): boolean {
    if (!this.config.serviceToken) return false;
    const expected = (this.serviceTokenBytes ??= Buffer.from(this.config.serviceToken));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async authenticate(authorization: string | undefined, need: TokenRole): Promise<Actor> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new HttpException({ statusCode: 401, error: 'Unauthorized', message: 'missing bearer token (Authorization: Bearer <token>)' }, 401);
    const record = this.isServiceToken(match[1]!) ? { id: 'service', name: 'kiln-worker', role: 'editor' as const } : await this.tokens.verify(match[1]!);
    if (!record) throw new HttpException({ statusCode: 401, error: 'Unauthorized', message: 'unknown or revoked token' }, 401);
    if (!roleAllows(record.role, need)) {
      throw new HttpException({ statusCode: 403, error: 'Forbidden', message: `this needs the ${need} role; the token has ${record.role}` }, 403);
    }
    return { tokenId: record.id, name: record.name, role: record.role };
  }
}
