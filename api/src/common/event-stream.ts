import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { KilnRequest } from '../auth/auth-guard';

/** A server-sent-events response whose events are `E` (event name → data). */
export interface EventStream<E> {
  /** Sends one event (numbered from 1); false once the response has ended. */
  send<K extends keyof E & string>(event: K, data: E[K]): boolean;
  /** The client went away, or the API is shutting down. */
  readonly closed: boolean;
  readonly raw: ServerResponse;
}

/**
 * A controller's open event streams. On shutdown they end without a last event: the client
 * reconnects (to another replica) and starts over, so the API need not wait for runs to end.
 */
export class EventStreams {
  private readonly open = new Set<() => void>();

  /** Takes the reply over and opens a stream on it. */
  start<E>(req: KilnRequest, reply: FastifyReply): EventStream<E> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let closed = false;
    req.raw.on('close', () => (closed = true));
    const end = () => {
      closed = true;
      raw.end();
    };
    this.open.add(end);
    raw.on('close', () => this.open.delete(end));
    let id = 0;
    return {
      send: (event, data) => !raw.writableEnded && raw.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      get closed() {
        return closed;
      },
      raw,
    };
  }

  /** Ends every open stream (graceful shutdown). */
  endAll(): void {
    for (const end of this.open) end();
    this.open.clear();
  }
}
