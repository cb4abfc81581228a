import { HttpException } from '@nestjs/common';
import { Connection } from '@temporalio/client';
import { DataSource, QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { freePort } from '@kiln/engine/free-port';
import { ENTITIES } from '@kiln/db';
import { unavailableBody, unreachableDependency } from './dependency-errors';

/** The error a call makes, as thrown. */
async function errorOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('the call did not fail');
}

describe('unreachable dependencies', () => {
  it('are told from the errors real clients throw when nothing listens', async () => {
    const port = await freePort();
    // node-postgres through TypeORM: the pool's refused connection.
    const db = new DataSource({
      type: 'postgres',
      url: `postgres://kiln@127.0.0.1:${port}/postgres`,
      entities: ENTITIES,
      connectTimeoutMS: 1_000,
    });
    expect(unreachableDependency(await errorOf(() => db.initialize()))).toBe('database');
    // The Temporal client: UNAVAILABLE (its retries bounded by a deadline, which ends as DEADLINE_EXCEEDED).
    const temporal = Connection.lazy({ address: `127.0.0.1:${port}` });
    const failed = await errorOf(() =>
      temporal.withDeadline(Date.now() + 500, () => temporal.workflowService.getSystemInfo({})),
    );
    expect(unreachableDependency(failed)).toBe('temporal');
    await temporal.close();
  });

  it('see through TypeORM and Temporal wrapping, and leave every other error alone', () => {
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      severity: 'FATAL',
    });
    expect(unreachableDependency(new QueryFailedError('SELECT 1', [], shutdown))).toBe('database');
    expect(unreachableDependency(new Error('Connection terminated unexpectedly'))).toBe('database');
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
      metadata: {},
    });
    expect(unreachableDependency(new Error('Failed to start Workflow', { cause: grpc }))).toBe('temporal');
    expect(
      unreachableDependency(
        Object.assign(new Error('connect ECONNREFUSED'), {
          code: 'ECONNREFUSED',
          $metadata: { attempts: 3 },
        }),
      ),
    ).toBe('artifact store');
    // Temporal answering (not found, invalid), the database refusing a query (unique violation), a 4xx, a bug.
    expect(
      unreachableDependency(
        Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: 'workflow not found', metadata: {} }),
      ),
    ).toBeUndefined();
    const unique = Object.assign(new Error('duplicate key value'), { code: '23505' });
    expect(unreachableDependency(new QueryFailedError('INSERT', [], unique))).toBeUndefined();
    expect(unreachableDependency(new HttpException('gone', 404))).toBeUndefined();
    expect(unreachableDependency(new TypeError('x is undefined'))).toBeUndefined();
    expect(unavailableBody('database')).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the database is unreachable; retry in 5 s',
      dependency: 'database',
    });
  });
});
