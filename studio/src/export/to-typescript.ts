import type { NodeSpec, PipelineSpec } from '@kiln/engine';

const RESERVED = new Set(
  'p pipeline nodeType nodeTypes break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async of'.split(
    ' ',
  ),
);

const identifier = (raw: string): string => {
  const camel = raw.replace(/[^A-Za-z0-9_$]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''));
  return /^[A-Za-z_$]/.test(camel) ? camel : `_${camel}`;
};

/** Gives every wanted name a unique, valid JavaScript identifier. */
class Names {
  private readonly used = new Set(RESERVED);
  take(wanted: string): string {
    const base = identifier(wanted) || 'x';
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}${i}`;
    this.used.add(name);
    return name;
  }
}

const KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JavaScript literal for a JSON value; value references become the authoring API's calls. */
function literal(
  value: unknown,
  refs: (ref: Record<string, unknown>) => string | undefined,
  indent = '',
): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + literal(v, refs, inner)).join(',\n')},\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const ref = refs(value as Record<string, unknown>);
    if (ref) return ref;
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${KEY.test(k) ? k : JSON.stringify(k)}: ${literal(v, refs, inner)}`).join(',\n')},\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const singleKey = (o: Record<string, unknown>, key: string): o is Record<string, string> => {
  const keys = Object.keys(o);
  return keys.length === 1 && keys[0] === key && typeof o[key] === 'string';
};

function outputRefsIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => outputRefsIn(v, found));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (singleKey(o, '$output')) found.add(o.$output!.split('.')[0]!);
    else Object.values(o).forEach((v) => outputRefsIn(v, found));
  }
}

/** Node order for the builder: every node after the nodes it refers to (spec order otherwise). */
function declarationOrder(spec: PipelineSpec): NodeSpec[] {
  const deps = new Map<string, Set<string>>(spec.nodes.map((n) => [n.id, new Set<string>()]));
  for (const e of spec.edges ?? []) deps.get(e.to.split('.')[0]!)?.add(e.from.split('.')[0]!);
  for (const n of spec.nodes) {
    outputRefsIn(n.params, deps.get(n.id)!);
    outputRefsIn(n.map, deps.get(n.id)!);
  }
  const done = new Set<string>();
  const order: NodeSpec[] = [];
  const byId = new Map(spec.nodes.map((n) => [n.id, n]));
  const visiting = new Set<string>();
  const visit = (n: NodeSpec) => {
    if (done.has(n.id)) return;
    if (visiting.has(n.id))
      throw new Error(`cannot export as TypeScript: the graph has a cycle through "${n.id}"`);
    visiting.add(n.id);
    for (const d of deps.get(n.id) ?? []) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    visiting.delete(n.id);
    done.add(n.id);
    order.push(n);
  };
  spec.nodes.forEach(visit);
  return order;
}

/**
 * TypeScript that builds `spec` with `@kiln/engine`'s `pipeline()` API. `node.version` is not part of
 * the authoring API, so it is left out (the node type's current version applies).
 */
export function specToTypeScript(spec: PipelineSpec): string {
  const names = new Names();
  const typeVars = new Map<string, string>();
  for (const n of spec.nodes) if (!typeVars.has(n.type)) typeVars.set(n.type, names.take(n.type));
  const order = declarationOrder(spec);
  const referenced = new Set<string>();
  for (const e of spec.edges ?? []) referenced.add(e.from.split('.')[0]!);
  for (const n of spec.nodes) {
    outputRefsIn(n.params, referenced);
    outputRefsIn(n.map, referenced);
  }
  const nodeVars = new Map(order.map((n) => [n.id, referenced.has(n.id) ? names.take(n.id) : '']));
  const refs = (o: Record<string, unknown>): string | undefined => {
    if (singleKey(o, '$param')) return `p.param(${JSON.stringify(o.$param)})`;
    if (singleKey(o, '$item')) return o.$item === '' ? 'p.item()' : `p.item(${JSON.stringify(o.$item)})`;
    if (singleKey(o, '$output')) {
      const [node, port] = [
        o.$output!.slice(0, o.$output!.indexOf('.')),
        o.$output!.slice(o.$output!.indexOf('.') + 1),
      ];
      const v = nodeVars.get(node);
      if (v && o.$output!.includes('.'))
        return `p.output(${v}.out${KEY.test(port) ? `.${port}` : `[${JSON.stringify(port)}]`})`;
    }
    return undefined;
  };

  const lines: string[] = [
    `// Generated by the Kiln studio from pipeline ${JSON.stringify(spec.name)}.`,
    `import { pipeline } from '@kiln/engine';`,
    `import { nodeTypes } from '@kiln/nodes';`,
    '',
    '/** The node type registered under `type`. */',
    `const nodeType = (type: string) => nodeTypes.find((d) => d.type === type)!;`,
    ...[...typeVars].map(([type, v]) => `const ${v} = nodeType(${JSON.stringify(type)});`),
    '',
  ];
  const options: Record<string, unknown> = {};
  if (spec.description !== undefined) options.description = spec.description;
  const {
    type: _type,
    properties,
    required,
    ...extraParams
  } = (spec.params ?? {}) as Record<string, unknown>;
  if (Object.keys(extraParams).length)
    throw new Error(
      'cannot export as TypeScript: run parameters use JSON Schema beyond type, properties and required',
    );
  if (spec.params) options.params = properties ?? {};
  if (Array.isArray(required) && required.length) options.required = required;
  if (spec.maxParallel !== undefined) options.maxParallel = spec.maxParallel;
  if (spec.failFast !== undefined) options.failFast = spec.failFast;
  lines.push(
    `const p = pipeline(${JSON.stringify(spec.name)}${Object.keys(options).length ? `, ${literal(options, () => undefined)}` : ''});`,
    '',
  );

  for (const n of order) {
    const { id, type, version: _version, params, ...rest } = n;
    const after: string[] = [];
    const inputs: string[] = [];
    for (const e of spec.edges ?? []) {
      const [toNode, toPort] = [
        e.to.split('.')[0]!,
        e.to.includes('.') ? e.to.slice(e.to.indexOf('.') + 1) : undefined,
      ];
      if (toNode !== id) continue;
      const fromNode = e.from.split('.')[0]!;
      const fromPort = e.from.includes('.') ? e.from.slice(e.from.indexOf('.') + 1) : undefined;
      const v = nodeVars.get(fromNode);
      if (!v)
        throw new Error(`cannot export as TypeScript: edge ${e.from} → ${e.to} starts at an unknown node`);
      if (fromPort === undefined && toPort === undefined) after.push(v);
      else if (fromPort !== undefined && toPort !== undefined)
        inputs.push(
          `${KEY.test(toPort) ? toPort : JSON.stringify(toPort)}: ${v}.out${KEY.test(fromPort) ? `.${fromPort}` : `[${JSON.stringify(fromPort)}]`}`,
        );
      else throw new Error(`cannot export as TypeScript: edge ${e.from} → ${e.to} mixes a port and a node`);
    }
    const parts: string[] = [];
    if (params !== undefined) parts.push(`  params: ${literal(params, refs, '  ')}`);
    if (inputs.length) parts.push(`  inputs: { ${inputs.join(', ')} }`);
    if (after.length) parts.push(`  after: [${after.join(', ')}]`);
    for (const [k, v] of Object.entries(rest))
      if (v !== undefined) parts.push(`  ${k}: ${literal(v, refs, '  ')}`);
    const call = `p.node(${JSON.stringify(id)}, ${typeVars.get(type)}${parts.length ? `, {\n${parts.join(',\n')},\n}` : ''});`;
    const v = nodeVars.get(id);
    lines.push(v ? `const ${v} = ${call}` : call);
  }
  lines.push('', 'export default p;', '');
  return lines.join('\n');
}
