import { type Problem, formatProblem, specHash, validateSpec } from '@kiln/engine';
import { catalog } from '@kiln/activities';
import { loadSpec } from '../load-spec';
import type { Io } from '../io';
import { VALIDATE_USAGE } from './usage';


/** Loads and validates a spec; prints each problem. */
export async function loadAndValidate(file: string, io: Io) {
  let raw: unknown;
  try {
    raw = await loadSpec(file);
  } catch (err) {
    io.err(`${(err as Error).message}`);
    return undefined;
  }
  const result = validateSpec(raw, catalog);
  if (!result.ok) {
    io.err(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
    for (const p of result.problems as Problem[]) io.err(`  ${formatProblem(p)}`);
    return undefined;
  }
  return result.spec;
}

export async function validateCommand(args: string[], io: Io): Promise<number> {
  const [file, ...rest] = args;
  if (!file || rest.length > 0) {
    io.err(`usage: ${VALIDATE_USAGE}`);
    return 2;
  }
  const spec = await loadAndValidate(file, io);
  if (!spec) return 2;
  io.out(`${file}: ok — pipeline "${spec.name}", ${spec.nodes.length} nodes, ${(spec.edges ?? []).length} edges, ${specHash(spec)}`);
  return 0;
}
