import { timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Role } from '@kiln/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { type Actor, PUBLIC_KEY, ROLE_KEY, roleAllows } from './roles';
import { TokenService } from './token-service';

export type KilnRequest = FastifyRequest & { actor?: Actor };

/** Every route needs a bearer token unless marked `@Public()`; reads need viewer, writes editor. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The workers' service token, when configured and given. */
  private isServiceToken(token: string): boolean {
    if (!this.config.serviceToken) return false;
    const expected = Buffer.from(this.config.serviceToken);
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<KilnRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpException({ statusCode: 401, error: 'Unauthorized', message: 'missing bearer token (Authorization: Bearer <token>)' }, 401);
    const record = this.isServiceToken(match[1]!) ? { id: 'service', name: 'kiln-worker', role: 'editor' as const } : await this.tokens.verify(match[1]!);
    if (!record) throw new HttpException({ statusCode: 401, error: 'Unauthorized', message: 'unknown or revoked token' }, 401);
    const need =
      this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? (['GET', 'HEAD', 'OPTIONS'].includes(req.method) ? 'viewer' : 'editor');
    if (!roleAllows(record.role, need)) {
      throw new HttpException({ statusCode: 403, error: 'Forbidden', message: `this needs the ${need} role; the token has ${record.role}` }, 403);
    }
    req.actor = { tokenId: record.id, name: record.name, role: record.role };
    return true;
  }
}
