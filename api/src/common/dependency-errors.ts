import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyReply } from 'fastify';

/** A service the API cannot answer without. */
export type Dependency = 'temporal' | 'database' | 'artifact store';

/** Seconds a client is told to wait (`Retry-After`) before trying again when a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/** gRPC codes that mean "Temporal did not answer", as opposed to Temporal answering with a refusal. */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNREACHABLE = new Set<number>([GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED]);

/** Socket errors: the peer is down, restarting, or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that mean the server is going away or not there yet: class 08 (connection
 * exception), 57P01–57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections),
 * 57014 (a statement cancelled by `statement_timeout`).
 */
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300|57014)$/;

/** Messages of node-postgres and its pool when a connection is lost or cannot be made. */
const PG_CONNECTION_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Query read timeout|Client was closed|Cannot use a pool after calling end/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  driverError?: unknown;
  $metadata?: unknown;
}

/** The chain an error wraps (TypeORM's `driverError`, Temporal's and fetch's `cause`), outermost first. */
function* chain(error: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as ErrorLike;
    yield e;
    current = e.driverError ?? e.cause;
  }
}

/** Which dependency an error says is unreachable, or undefined when it says something else. */
export function unreachableDependency(error: unknown): Dependency | undefined {
  if (error instanceof HttpException) return undefined;
  for (const e of chain(error)) {
    if (isGrpcServiceError(e)) return GRPC_UNREACHABLE.has(e.code) ? 'temporal' : undefined;
    if (typeof e.code === 'string' && PG_UNAVAILABLE.test(e.code)) return 'database';
    // The API's other socket peer is S3, whose SDK errors carry `$metadata`; gRPC errors are matched above.
    if (typeof e.code === 'string' && SOCKET_CODES.has(e.code))
      return e.$metadata !== undefined ? 'artifact store' : 'database';
    if (typeof e.message === 'string' && PG_CONNECTION_MESSAGE.test(e.message)) return 'database';
  }
  return undefined;
}

/** The API's error body for a dependency that is down (same shape as every other error, plus the dependency). */
export function unavailableBody(dependency: Dependency) {
  return {
    statusCode: 503,
    error: 'Service Unavailable',
    message: `${dependency === 'temporal' ? 'Temporal' : `the ${dependency}`} is unreachable; retry in ${RETRY_AFTER_SECONDS} s`,
    dependency,
  };
}

const log = new Logger('Dependencies');
/** When each dependency's failure was last logged: once per `RETRY_AFTER_SECONDS`, not once per request. */
const loggedAt = new Map<Dependency, number>();

/** Answers 503 + `Retry-After` when `error` is an unreachable dependency; false (nothing sent) otherwise. */
export function replyIfUnavailable(error: unknown, reply: FastifyReply): boolean {
  const dependency = unreachableDependency(error);
  if (!dependency) return false;
  if (Date.now() - (loggedAt.get(dependency) ?? 0) > RETRY_AFTER_SECONDS * 1000) {
    loggedAt.set(dependency, Date.now());
    log.warn(`${dependency} unreachable, answering 503: ${(error as Error).message}`);
  }
  void reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(unavailableBody(dependency));
  return true;
}

/**
 * Every Nest route: an error that says a dependency is unreachable (gRPC UNAVAILABLE or
 * DEADLINE_EXCEEDED from Temporal, a lost or refused PostgreSQL connection, TypeORM's wrapping of
 * either) becomes a 503 naming it, with `Retry-After`, instead of a 500. Anything else goes on to
 * Nest's own handling.
 */
@Catch()
export class DependencyErrorFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'http') {
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      if (!reply.sent && replyIfUnavailable(exception, reply)) return;
    }
    super.catch(exception, host);
  }
}
