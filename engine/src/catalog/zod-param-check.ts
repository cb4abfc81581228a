import type { z } from 'zod';
import type { ParamIssue } from './node-type-info';

/** A `checkParams` for a node type whose params are a zod schema, with sentences a person reads. */
export function zodParamCheck(schema: z.ZodType): (params: unknown) => readonly ParamIssue[] {
  return (params) => {
    const result = schema.safeParse(params);
    return result.success ? [] : result.error.issues.map(paramIssue);
  };
}

function paramIssue(issue: z.core.$ZodIssue): ParamIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown param${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  const where = path.length > 0 ? `param "${path.join('.')}"` : 'params';
  return { path, message: `${where}: ${issue.message}` };
}
