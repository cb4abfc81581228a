import { HttpException, HttpStatus } from '@nestjs/common';
import type { Problem } from '@kiln/engine';

/** 422 with every problem, each with a path and a sentence. */
export class ProblemsException extends HttpException {
  constructor(message: string, problems: readonly Problem[]) {
    super({ statusCode: HttpStatus.UNPROCESSABLE_ENTITY, error: 'Unprocessable Entity', message, problems }, HttpStatus.UNPROCESSABLE_ENTITY);
  }
}

export function notFound(what: string): HttpException {
  return new HttpException({ statusCode: 404, error: 'Not Found', message: `${what} not found` }, 404);
}

export function conflict(message: string): HttpException {
  return new HttpException({ statusCode: 409, error: 'Conflict', message }, 409);
}
