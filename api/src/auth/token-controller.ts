import { Body, Controller, Delete, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TOKEN_ROLES } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import { notFound } from '../common/http-errors';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { CurrentActor } from './actor.decorator';
import { type Actor, RequireRole } from './roles';
import { TokenService } from './token-service';
import { IdParam, ZodQuery } from '../common/params';

const tokenBody = z.object({
  name: z.string().min(1).max(200),
  role: z.enum(TOKEN_ROLES),
});

const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

@ApiTags('tokens')
@ApiBearerAuth()
@RequireRole('admin')
@Controller()
export class TokenController {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /** Makes a token; the token is in this answer only. */
  @Post('tokens')
  @ApiBody({ schema: openApiSchema(tokenBody) })
  async create(@Body(new ZodBody(tokenBody)) body: z.output<typeof tokenBody>, @CurrentActor() actor: Actor) {
    const { token, record } = await this.tokens.create(body.name, body.role, actor.name);
    await this.audit.record(actor, 'token.create', `token:${record.id}`, { name: body.name, role: body.role });
    return { id: record.id, name: record.name, role: record.role, token };
  }

  @Get('tokens')
  async list() {
    return (await this.tokens.list()).map(({ digest: _digest, ...rest }) => rest);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  async revoke(@IdParam('id', 'uuid') id: string, @CurrentActor() actor: Actor) {
    if (!(await this.tokens.revoke(id))) throw notFound(`token ${id}`);
    await this.audit.record(actor, 'token.revoke', `token:${id}`);
  }

  @Get('audit')
  auditLog(@ZodQuery(auditQuery) query: z.output<typeof auditQuery>) {
    return this.audit.list(query.limit);
  }
}
