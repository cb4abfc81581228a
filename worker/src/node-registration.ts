import { type NodeTypeRegistration, REGISTRATION_RENEW_SECONDS } from '@kiln/engine';

/** The API and the worker credential registrations go to (`KILN_API_URL`, `KILN_WORKER_TOKEN` or `KILN_API_TOKEN`). */
export interface RegistrationTarget {
  url: string;
  token: string;
}

/** The API refused a registration (4xx): a configuration error, named by the API's message. */
export class RegistrationRefused extends Error {}

/** The registration target from the environment: `KILN_WORKER_TOKEN` is preferred to `KILN_API_TOKEN` (which `kiln-api` nodes act with). */
export function registrationTargetFromEnv(env: NodeJS.ProcessEnv = process.env): RegistrationTarget | undefined {
  const token = env.KILN_WORKER_TOKEN || env.KILN_API_TOKEN;
  return env.KILN_API_URL && token ? { url: env.KILN_API_URL.replace(/\/+$/, ''), token } : undefined;
}

/** A registration kept alive: `registered` settles after the first attempt; `stop` ends it (DELETE). */
export interface KeptRegistration {
  /** Resolves once the first PUT is answered 2xx or failed for a passing reason (retried); rejects with {@link RegistrationRefused} on a 4xx. */
  registered: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Registers a worker's node types and renews the registration every `renewSeconds` the API answers
 * (a heartbeat), retrying within 5 s while the API is unreachable. A refusal after the first
 * registration (an admin removed a type, say) is logged and retried at the next renewal.
 */
export function keepRegistered(
  target: RegistrationTarget,
  workerId: string,
  body: NodeTypeRegistration,
  log: (line: string) => void,
): KeptRegistration {
  const path = `${target.url}/api/v1/node-types/registrations/${encodeURIComponent(workerId)}`;
  const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  let first = true;
  let failing = false;
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const registered = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const schedule = (seconds: number) => {
    if (stopped) return;
    timer = setTimeout(() => void (inFlight = attempt()), seconds * 1000);
    timer.unref();
  };
  const attempt = async () => {
    let response: Response;
    try {
      response = await fetch(path, { method: 'PUT', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      if (!failing) log(`cannot reach the Kiln API at ${target.url} to register ${body.source} (${(err as Error).message}); retrying`);
      failing = true;
      if (first) settle.resolve();
      first = false;
      schedule(Math.min(5, REGISTRATION_RENEW_SECONDS));
      return;
    }
    const text = await response.text();
    if (response.ok) {
      const answer = JSON.parse(text) as { renewSeconds?: number; types: { type: string; version: number; status: string }[] };
      if (first || failing) log(`registered ${answer.types.map((t) => `${t.type}@${t.version}`).join(', ')} from ${body.source} on queue ${body.queue} as ${workerId}`);
      failing = false;
      if (first) settle.resolve();
      first = false;
      schedule(answer.renewSeconds ?? REGISTRATION_RENEW_SECONDS);
      return;
    }
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // Not JSON.
    }
    const why = `the Kiln API refused the registration of ${body.source} (${response.status}): ${message}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      if (first) {
        first = false;
        settle.reject(new RegistrationRefused(why));
        return;
      }
      log(why);
    } else if (!failing) log(`${why}; retrying`);
    failing = true;
    if (first) settle.resolve();
    first = false;
    schedule(response.status >= 500 ? 5 : REGISTRATION_RENEW_SECONDS);
  };
  inFlight = attempt();

  return {
    registered,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
      try {
        const response = await fetch(path, { method: 'DELETE', headers: { authorization: headers.authorization }, signal: AbortSignal.timeout(5000) });
        if (response.ok) log(`deregistered ${body.source} (${workerId})`);
      } catch {
        // The API is gone: the registration expires by itself.
      }
    },
  };
}
