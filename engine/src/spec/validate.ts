import type { z } from 'zod';
import type { Catalog, NodeTypeInfo } from '../catalog/node-type-info';
import { isOptionalPort, portTypeOf } from '../catalog/port-types';
import { buildDag, findCycles } from '../graph/dag';
import { sizeProblems } from './limits';
import { type Problem, formatPath } from './problem';
import { checkParamsSchema, declaredParams } from './run-params';
import { type NodeSpec, type PipelineSpec, pipelineSpecSchema } from './schema';
import { findRefs, splitPortRef } from './value-refs';
import { APPROVAL_NODE_TYPE } from '../run/approval';
import { resourceProblems } from './resource-rules';

export type ValidationResult = { ok: true; spec: PipelineSpec; problems: [] } | { ok: false; problems: Problem[] };

/** An approval gate waits for a person: it has no result to cache. */
function cacheProblems(node: NodeSpec, i: number): Problem[] {
  if (node.type !== APPROVAL_NODE_TYPE) return [];
  return (['cache', 'cacheVersion'] as const)
    .filter((field) => field === 'cacheVersion' ? node.cacheVersion !== undefined : node.cache === true)
    .map((field) => ({
      path: `nodes[${i}].${field}`,
      message: `node "${node.id}": ${node.type} waits for a decision and is never cached; remove "${field}"`,
      nodeId: node.id,
    }));
}

/**
 * Checks a spec against its schema and a catalog of node types, returning every problem at once:
 * shape, duplicate ids, unknown types and ports, port type mismatches, inputs fed twice or not at all,
 * cycles, params that break a node type's schema, and references to undeclared run parameters.
 * A spec over the size limits (`MAX_NODES`, `MAX_SPEC_BYTES`) gets only that problem.
 */
export function validateSpec(input: unknown, catalog: Catalog): ValidationResult {
  const tooLarge = sizeProblems(input);
  if (tooLarge.length > 0) return { ok: false, problems: tooLarge };
  const parsed = pipelineSpecSchema.safeParse(input);
  const problems: Problem[] = parsed.success ? [] : parsed.error.issues.map((i) => zodProblem(i, input));
  const spec = parsed.success ? parsed.data : salvage(input);
  if (spec) problems.push(...semanticProblems(spec, catalog));
  return problems.length === 0 && parsed.success
    ? { ok: true, spec: parsed.data, problems: [] }
    : { ok: false, problems: dedupe(problems) };
}

/** What can still be checked when the shape is partly wrong: the nodes and edges that parse. */
function salvage(input: unknown): PipelineSpec | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const raw = input as Record<string, unknown>;
  const nodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  const edges = Array.isArray(raw.edges) ? raw.edges : [];
  const isNode = (n: unknown): n is NodeSpec =>
    n !== null && typeof n === 'object' && typeof (n as NodeSpec).id === 'string' && typeof (n as NodeSpec).type === 'string';
  const isEdge = (e: unknown) =>
    e !== null && typeof e === 'object' && typeof (e as { from: unknown }).from === 'string' && typeof (e as { to: unknown }).to === 'string';
  // Keep indexes stable so paths still point at the right element.
  return {
    apiVersion: 'kiln/v1',
    name: String(raw.name ?? ''),
    params: raw.params && typeof raw.params === 'object' ? (raw.params as PipelineSpec['params']) : undefined,
    nodes: nodes.map((n, i) => (isNode(n) ? n : { id: `\u0000invalid${i}`, type: '\u0000invalid' })),
    edges: edges.map((e) => (isEdge(e) ? e : { from: '\u0000', to: '\u0000' })) as PipelineSpec['edges'],
  };
}

function semanticProblems(spec: PipelineSpec, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  const valid = (id: string) => !id.startsWith('\u0000');
  const firstIndex = new Map<string, number>();
  spec.nodes.forEach((node, i) => {
    if (!valid(node.id)) return;
    const prior = firstIndex.get(node.id);
    if (prior === undefined) firstIndex.set(node.id, i);
    else problems.push({ path: `nodes[${i}].id`, message: `node id "${node.id}" is already used by nodes[${prior}]`, nodeId: node.id });
  });
  const infoOf = new Map<string, NodeTypeInfo>();
  spec.nodes.forEach((node, i) => {
    if (!valid(node.id) || firstIndex.get(node.id) !== i) return;
    const info = catalog.get(node.type);
    if (!info) {
      const hint = closest(node.type, catalog.types().map((t) => t.type));
      problems.push({
        path: `nodes[${i}].type`,
        message: `node "${node.id}": unknown node type "${node.type}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
        nodeId: node.id,
      });
      return;
    }
    infoOf.set(node.id, info);
    if (node.version !== undefined && node.version !== info.version) {
      problems.push({
        path: `nodes[${i}].version`,
        message: `node "${node.id}": ${info.type} is at version ${info.version}; params written for version ${node.version} need updating`,
        nodeId: node.id,
      });
    }
  });

  problems.push(...edgeProblems(spec, infoOf, firstIndex));
  problems.push(...checkParamsSchema(spec));

  const declared = declaredParams(spec);
  spec.nodes.forEach((node, i) => {
    if (!valid(node.id) || firstIndex.get(node.id) !== i) return;
    problems.push(...refProblems(node, i, declared, infoOf, firstIndex));
    const info = infoOf.get(node.id);
    if (info?.checkParams) problems.push(...paramProblems(spec, node, i, info));
    problems.push(...cacheProblems(node, i));
    problems.push(...resourceProblems(node, i, info));
  });

  const dag = buildDag({ nodes: spec.nodes.filter((n, i) => valid(n.id) && firstIndex.get(n.id) === i), edges: spec.edges });
  for (const cycle of findCycles(dag)) {
    problems.push({ path: 'edges', message: `cycle: ${[...cycle, cycle[0]].join(' → ')}`, nodeId: cycle[0] });
  }
  return problems;
}

/**
 * The edge rules of the validator: unknown nodes and ports, a node↔port mix, port type mismatches,
 * inputs fed twice, required inputs not connected. `infoOf` maps node id → its type's catalog entry,
 * `firstIndex` node id → the index of its first declaration.
 */
export function edgeProblems(spec: PipelineSpec, infoOf: Map<string, NodeTypeInfo>, firstIndex: Map<string, number>): Problem[] {
  const problems: Problem[] = [];
  const fedBy = new Map<string, number>();
  (spec.edges ?? []).forEach((edge, i) => {
    if (edge.from === '\u0000') return;
    const [fromNode, fromPort] = splitPortRef(edge.from);
    const [toNode, toPort] = splitPortRef(edge.to);
    let ok = true;
    for (const [end, node] of [['from', fromNode], ['to', toNode]] as const) {
      if (!firstIndex.has(node)) {
        problems.push({ path: `edges[${i}].${end}`, message: `no node "${node}" in this pipeline` });
        ok = false;
      }
    }
    if (!ok) return;
    if ((fromPort === undefined) !== (toPort === undefined)) {
      problems.push({
        path: `edges[${i}]`,
        message: `"${edge.from}" → "${edge.to}" mixes a node and a port: connect "node.output" to "node.input", or "node" to "node" for ordering only`,
        nodeId: toNode,
      });
      return;
    }
    if (fromPort === undefined || toPort === undefined) return;
    const fromInfo = infoOf.get(fromNode);
    const toInfo = infoOf.get(toNode);
    const out = fromInfo?.outputs[fromPort];
    const inp = toInfo?.inputs[toPort];
    if (fromInfo && !out) {
      problems.push({
        path: `edges[${i}].from`,
        message: `node "${fromNode}" (${fromInfo.type}) has no output "${fromPort}"; its outputs: ${names(fromInfo.outputs)}`,
        nodeId: fromNode,
      });
    }
    if (toInfo && !inp) {
      problems.push({
        path: `edges[${i}].to`,
        message: `node "${toNode}" (${toInfo.type}) has no input "${toPort}"; its inputs: ${names(toInfo.inputs)}`,
        nodeId: toNode,
      });
    }
    if (out && inp && portTypeOf(out) !== portTypeOf(inp)) {
      problems.push({
        path: `edges[${i}]`,
        message: `output "${edge.from}" is a ${portTypeOf(out)} but input "${edge.to}" takes a ${portTypeOf(inp)}`,
        nodeId: toNode,
      });
    }
    const prior = fedBy.get(edge.to);
    if (prior !== undefined) {
      problems.push({
        path: `edges[${i}].to`,
        message: `input "${edge.to}" is already fed by edges[${prior}] (${spec.edges![prior]!.from}); an input takes one source`,
        nodeId: toNode,
      });
    } else fedBy.set(edge.to, i);
  });
  spec.nodes.forEach((node, i) => {
    const info = infoOf.get(node.id);
    if (!info || firstIndex.get(node.id) !== i) return;
    for (const [port, decl] of Object.entries(info.inputs)) {
      if (!isOptionalPort(decl) && !fedBy.has(`${node.id}.${port}`)) {
        problems.push({
          path: `nodes[${i}]`,
          message: `node "${node.id}": input "${port}" (${portTypeOf(decl)}) is not connected`,
          nodeId: node.id,
        });
      }
    }
  });
  return problems;
}

function refProblems(
  node: NodeSpec,
  i: number,
  declared: Set<string>,
  infoOf: Map<string, NodeTypeInfo>,
  firstIndex: Map<string, number>,
): Problem[] {
  const problems: Problem[] = [];
  const check = (root: string, value: unknown) => {
    for (const ref of findRefs(value)) {
      const path = formatPath([`nodes`, i, ...root.split('.'), ...ref.path]);
      if (ref.kind === '$param' && !declared.has(ref.target)) {
        problems.push({
          path,
          message: `node "${node.id}": run parameter "${ref.target}" is not declared in the pipeline's params`,
          nodeId: node.id,
        });
      } else if (ref.kind === '$item' && !node.map) {
        problems.push({ path, message: `node "${node.id}": {"$item"} is only allowed in a node with "map"`, nodeId: node.id });
      } else if (ref.kind === '$output') {
        const [src, port] = splitPortRef(ref.target);
        const info = infoOf.get(src);
        if (port === undefined || !firstIndex.has(src)) {
          problems.push({ path, message: `node "${node.id}": {"$output": "${ref.target}"} must name an existing "node.output"`, nodeId: node.id });
        } else if (info && !info.outputs[port]) {
          problems.push({
            path,
            message: `node "${node.id}": node "${src}" (${info.type}) has no output "${port}"; its outputs: ${names(info.outputs)}`,
            nodeId: node.id,
          });
        }
      }
    }
  };
  check('params', node.params ?? {});
  if (node.map) check('map.items', node.map.items);
  if (node.map && findRefs(node.map.items).some((r) => r.kind === '$item')) {
    problems.push({ path: `nodes[${i}].map.items`, message: `node "${node.id}": map items cannot use {"$item"}`, nodeId: node.id });
  }
  if (node.map && !Array.isArray(node.map.items) && !findRefs(node.map.items).some((r) => r.path.length === 0)) {
    problems.push({
      path: `nodes[${i}].map.items`,
      message: `node "${node.id}": map items must be a list, {"$param": name} or {"$output": "node.output"}`,
      nodeId: node.id,
    });
  }
  return problems;
}

/**
 * Checks params against the node type. A value given as a reference is replaced by the run
 * parameter's default when it has one; otherwise problems at that place are not reported (the
 * value is only known when the run starts).
 */
function paramProblems(spec: PipelineSpec, node: NodeSpec, i: number, info: NodeTypeInfo): Problem[] {
  const params = structuredClone(node.params ?? {});
  const unknownAt: string[] = [];
  const props = (spec.params?.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const ref of findRefs(params)) {
    const dflt = ref.kind === '$param' ? props[ref.target]?.default : undefined;
    if (dflt !== undefined && ref.path.length > 0) setAt(params, ref.path, structuredClone(dflt));
    else unknownAt.push(formatPath(ref.path));
  }
  return info
    .checkParams!(params)
    .filter((issue) => {
      const at = formatPath(issue.path);
      return !unknownAt.some((u) => u === '' || at === u || at.startsWith(`${u}.`) || at.startsWith(`${u}[`));
    })
    .map((issue) => ({
      path: formatPath(['nodes', i, 'params', ...issue.path]),
      message: `node "${node.id}": ${issue.message}`,
      nodeId: node.id,
    }));
}

function setAt(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = target;
  path.slice(0, -1).forEach((seg) => (cur = cur[seg] as Record<string | number, unknown>));
  cur[path[path.length - 1]!] = value;
}

function zodProblem(issue: z.core.$ZodIssue, input: unknown): Problem {
  const path = formatPath(issue.path);
  const nodeIndex = issue.path[0] === 'nodes' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
  const nodeId =
    nodeIndex !== undefined ? ((input as { nodes?: { id?: unknown }[] }).nodes?.[nodeIndex]?.id as string | undefined) : undefined;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  else if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) message = `is required (${issue.expected})`;
  return { path, message, ...(typeof nodeId === 'string' ? { nodeId } : {}) };
}

function names(ports: Record<string, unknown>): string {
  const list = Object.keys(ports);
  return list.length > 0 ? list.join(', ') : 'none';
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The closest name within edit distance 3, for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 4;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist) [best, bestDist] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}
