import { type PipeTransform, HttpException } from '@nestjs/common';
import { z } from 'zod';
import { formatPath } from '@kiln/engine';

/**
 * Validates a request body with a zod schema: unknown fields are stripped (no mass assignment),
 * and every problem comes back at once as a 400 with paths.
 */
export class ZodBody<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: 'body' | 'query' = 'body',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const problems = result.error.issues.map((i) => ({ path: formatPath(i.path as PropertyKey[]), message: i.message }));
    throw new HttpException(
      {
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid request ${this.part}: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`,
        problems,
      },
      400,
    );
  }
}

/** The body's JSON Schema, for the OpenAPI document. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
