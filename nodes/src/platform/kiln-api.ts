import { NodeFailure } from '../node-failure';

/** Where the Kiln API is and the token a worker acts with (an editor token, or `kiln up`'s service token). */
export interface ApiConnection {
  url: string;
  token: string;
}

/** `KILN_API_URL` + `KILN_API_TOKEN`, when both are set. */
export function apiConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConnection | undefined {
  return env.KILN_API_URL && env.KILN_API_TOKEN ? { url: env.KILN_API_URL.replace(/\/+$/, ''), token: env.KILN_API_TOKEN } : undefined;
}

/**
 * The Kiln API as nodes use it (deploy.model, monitor.drift, gate.metrics' champion). Failures become
 * NodeFailures that say what was asked and what the API answered; 4xx answers are not retried.
 */
export class KilnApi {
  constructor(
    readonly connection: ApiConnection,
    private readonly signal?: AbortSignal,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.connection.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(this.signal ? { signal: this.signal } : {}),
      });
    } catch (error) {
      throw new NodeFailure(`cannot reach the Kiln API at ${this.connection.url} (${method} ${path}): ${(error as Error).message}`, { type: 'ApiUnreachable' });
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!response.ok) {
      const message = (json as { message?: string } | null)?.message ?? text;
      throw new NodeFailure(`the Kiln API answered ${method} ${path} with ${response.status}: ${message}`, {
        type: `Api${response.status}`,
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    return json as T;
  }

  /** The status code of a request, without failing (404 → null body). */
  async maybe<T>(path: string): Promise<T | null> {
    try {
      return await this.request<T>('GET', path);
    } catch (error) {
      if (error instanceof NodeFailure && error.type === 'Api404') return null;
      throw error;
    }
  }
}

/** The error a node raises when it needs the API and the worker was not given one. */
export function noApi(nodeType: string): NodeFailure {
  return new NodeFailure(
    `${nodeType} needs the Kiln API: run the worker under \`kiln up\`, or give it KILN_API_URL and KILN_API_TOKEN (an editor token)`,
    { type: 'NoApi', retryable: false },
  );
}
