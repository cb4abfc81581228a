/** One thing wrong with a spec: where (a path such as `nodes[1].params.command`) and what, in a sentence. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  /** The node the problem belongs to, when there is one (the studio selects it). */
  readonly nodeId?: string;
}

/** `["nodes", 1, "params", "x"]` → `nodes[1].params.x`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

export function formatProblem(problem: Problem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}
