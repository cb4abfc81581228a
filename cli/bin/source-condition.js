// A module-resolution hook for running from source: resolves the workspace packages through their
// `source` export condition (their TypeScript entry points) instead of their compiled `dist`.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'source'] });
}
