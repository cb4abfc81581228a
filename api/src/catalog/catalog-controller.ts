import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Catalog, validateSpec } from '@kiln/engine';
import { NODE_CATALOG } from '../database';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(@Inject(NODE_CATALOG) private readonly catalog: Catalog) {}

  /** Every node type: ports, params JSON Schema and docs, from the node definitions. */
  @Get('node-types')
  nodeTypes() {
    return this.catalog.types().map(({ checkParams: _check, ...info }) => info);
  }

  /** Every problem in a spec, as `kiln validate` reports them. */
  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: { spec?: unknown } | undefined) {
    const result = validateSpec(body?.spec, this.catalog);
    return { ok: result.ok, problems: result.problems };
  }
}
