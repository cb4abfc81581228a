import type { ApiProcess } from '../../support/api-process';

type Answer = Awaited<ReturnType<ApiProcess['call']>>;

export interface SseEvent {
  event: string;
  /** The event's JSON (typed as loosely as the API client's answers). */
  data: Answer['json'];
}

/**
 * Follows a run's event stream until `end` (or until the server ends the stream, e.g. on shutdown:
 * then `ended` is false and the caller reconnects).
 */
export async function followRun(api: ApiProcess, runId: string): Promise<{ events: SseEvent[]; ended: boolean }> {
  const res = await fetch(`${api.url}/api/v1/runs/${runId}/events`, { headers: { authorization: `Bearer ${api.adminToken}` } });
  if (res.status !== 200) throw new Error(`events of ${runId}: ${res.status} ${await res.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || data === undefined) continue;
      events.push({ event, data: JSON.parse(data) });
      if (event === 'end') return { events, ended: true };
    }
  }
  return { events, ended: false };
}

/** The run's events through whichever replica answers, reconnecting until `end`. */
export async function followRunAcross(apis: () => ApiProcess[], runId: string): Promise<SseEvent[]> {
  const all: SseEvent[] = [];
  for (let attempt = 0; ; attempt++) {
    const list = apis();
    const api = list[attempt % list.length]!;
    try {
      const { events, ended } = await followRun(api, runId);
      all.push(...events);
      if (ended) return all;
    } catch {
      // That replica is gone or restarting: the next one.
    }
    if (attempt > 200) throw new Error(`no end event for ${runId}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A request's outcome, a connection error included (a killed replica). */
export async function tryCall(api: ApiProcess, method: string, path: string, body?: unknown): Promise<Answer | { error: string }> {
  try {
    return await api.call(method, path, body);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: `${(err as Error).message}${cause?.code ? ` (${cause.code})` : ''}` };
  }
}
