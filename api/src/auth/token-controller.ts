import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ROLES } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import { notFound } from '../common/http-errors';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { CurrentActor } from './actor.decorator';
import { type Actor, RequireRole } from './roles';
import { TokenService } from './token-service';

const tokenBody = z.object({
  name: z.string().min(1).max(200),
  role: z.enum(ROLES as ['viewer', 'editor', 'admin']),
});

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
  async revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    if (!(await this.tokens.revoke(id))) throw notFound(`token ${id}`);
    await this.audit.record(actor, 'token.revoke', `token:${id}`);
  }

  @Get('audit')
  auditLog(@Query('limit') limit?: string) {
    return this.audit.list(Math.min(Math.max(Number(limit) || 100, 1), 1000));
  }
}
