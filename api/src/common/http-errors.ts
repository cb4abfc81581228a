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

export function conflict(message: string, problems?: readonly Problem[]): HttpException {
  return new HttpException({ statusCode: 409, error: 'Conflict', message, ...(problems ? { problems } : {}) }, 409);
}

/** 400 with a sentence naming what is wrong and where, and the problems one by one. */
export function badRequest(message: string, problems?: readonly { path: string; message: string }[]): HttpException {
  return new HttpException({ statusCode: 400, error: 'Bad Request', message, ...(problems ? { problems } : {}) }, 400);
}
