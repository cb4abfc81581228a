import { jsonBytes } from '../run/packed-state';
import type { Problem } from './problem';

/**
 * The largest pipeline Kiln runs. Every node's state crosses Temporal's 2 MB payload limit at each
 * continue-as-new (packed, ~30 bytes a node plus its outputs), as does the spec itself unless it is
 * passed by digest; these bounds keep both well inside it. See ARCHITECTURE.md, "Size".
 */
export const MAX_NODES = 25_000;
/** The largest spec, as JSON; larger specs go to workers through the artifact store, by digest. */
export const MAX_SPEC_BYTES = 4 * 1024 * 1024;

/** Problems with a spec's size alone (checked before anything else, so a huge spec costs little). */
export function sizeProblems(input: unknown): Problem[] {
  if (input === null || typeof input !== 'object') return [];
  const problems: Problem[] = [];
  const nodes = (input as { nodes?: unknown }).nodes;
  if (Array.isArray(nodes) && nodes.length > MAX_NODES) {
    problems.push({ path: 'nodes', message: `${nodes.length} nodes, over the limit of ${MAX_NODES} nodes per pipeline` });
  }
  const bytes = jsonBytes(input);
  if (bytes > MAX_SPEC_BYTES) {
    problems.push({ path: '', message: `the spec is ${bytes} bytes as JSON, over the limit of ${MAX_SPEC_BYTES} bytes` });
  }
  return problems;
}
