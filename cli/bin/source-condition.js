// Module-resolution hooks for running from source: swc-node's (TypeScript compiled on load), with
// the workspace packages resolved through their `source` export condition (their TypeScript entry
// points) instead of their compiled `dist`. One module wraps swc-node's hooks rather than chaining a
// second hook after it: swc-node keeps the conditions of the first resolution it sees (here, its own
// registration's, without `source`) for every later one, so a chained hook's `source` never reached
// it and the workspace packages ran from a possibly stale `dist`.
import { load as swcLoad, resolve as swcResolve } from '@swc-node/register/esm';

export { swcLoad as load };

export function resolve(specifier, context, nextResolve) {
  return swcResolve(specifier, { ...context, conditions: [...context.conditions, 'source'] }, nextResolve);
}
