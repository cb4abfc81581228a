import type { Problem } from '@kiln/engine';

/**
 * Run params from a webhook payload: `{param: "path.in.payload"}`; `"$"` is the whole payload and
 * `"$.a.b"` the same as `"a.b"`. A path that is not in the payload is a problem naming it.
 */
export function mapPayload(mapping: Record<string, string>, payload: unknown): { params: Record<string, unknown>; problems: Problem[] } {
  const params: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const [param, path] of Object.entries(mapping)) {
    const parts = path === '$' ? [] : path.replace(/^\$\./, '').split('.');
    let cur: unknown = payload;
    let missing = false;
    for (const part of parts) {
      if (cur !== null && typeof cur === 'object' && part in (cur as object)) cur = (cur as Record<string, unknown>)[part];
      else {
        missing = true;
        break;
      }
    }
    if (missing) problems.push({ path: `payload.${parts.join('.')}`, message: `the payload has no field "${path}" (mapped to run parameter "${param}")` });
    else params[param] = cur;
  }
  return { params, problems };
}
