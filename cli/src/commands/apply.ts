import { parseArgs } from 'node:util';
import type { ErrorBody, ResponseOf, Route } from '@kiln/api-types';
import type { Io } from '../io';
import { apiTarget } from '../api-target';
import { apiCatalog, loadAndValidate } from './validate';
import { APPLY_USAGE } from './usage';


/** Registers a pipeline written in code with a running API: a new version only when its spec changed. */
export async function applyCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { api: { type: 'string' }, token: { type: 'string' } } });
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${APPLY_USAGE}`);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  const { base, token } = apiTarget(parsed.values);
  if (!file || extra.length > 0 || !token) {
    io.err(`${token ? '' : 'a token is needed (--token or KILN_TOKEN)\n'}usage: ${APPLY_USAGE}`);
    return 2;
  }
  // The API's catalog: the node types workers registered there validate too.
  let catalog;
  try {
    catalog = await apiCatalog(base, token);
  } catch (err) {
    io.err(`kiln apply: ${(err as Error).message}`);
    return 1;
  }
  const spec = await loadAndValidate(file, io, catalog);
  if (!spec) return 2;
  // `R` names the route, whose answer's type is @kiln/api-types'.
  const call = async <R extends Route>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json: unknown = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = json as Partial<ErrorBody>;
      const problems = error.problems ?? [];
      throw new Error(`${method} ${path}: ${res.status} ${String(error.message ?? res.statusText)}${problems.map((p) => `\n  ${p.path}: ${p.message}`).join('')}`);
    }
    return json as ResponseOf<R>;
  };
  try {
    const list = await call<'GET /api/v1/pipelines'>('GET', '/pipelines');
    const existing = list.find((p) => p.name === spec.name);
    if (!existing) {
      const created = await call<'POST /api/v1/pipelines'>('POST', '/pipelines', { spec });
      io.out(`created pipeline "${spec.name}" (${String(created.id)}), version ${String(created.version)}`);
    } else {
      const updated = await call<'PUT /api/v1/pipelines/{id}'>('PUT', `/pipelines/${existing.id}`, { spec });
      io.out(
        updated.created
          ? `pipeline "${spec.name}" (${existing.id}): new version ${String(updated.version)}`
          : `pipeline "${spec.name}" (${existing.id}): unchanged, still version ${String(updated.version)}`,
      );
    }
    return 0;
  } catch (err) {
    io.err(`kiln apply: ${(err as Error).message}`);
    return 1;
  }
}
