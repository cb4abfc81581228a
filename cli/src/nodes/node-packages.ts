import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, parse, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RESERVED_QUEUES, paramsSchemaProblems, registeredNodeTypeSchema } from '@kiln/engine';
import { type NodeDefinition, defineNode } from '@kiln/nodes/define-node';
import { registeredNodeType } from '@kiln/nodes/registered-type';
import { kilnConfigSchema } from '@kiln/sdk';
import { typeScriptLoader } from '../load-spec';

/** A node package `kiln worker` serves: where it comes from, its definitions, the queue its types run on. */
export interface NodePackage {
  /** As given (`--nodes`, or the config's `nodes`). */
  specifier: string;
  /** The package's name (its package.json), else the module's file name: the studio groups by it. */
  source: string;
  definitions: NodeDefinition[];
  queue: string;
}

/** A node package that cannot be served: the message names it (`kiln worker` exits 2). */
export class NodePackageError extends Error {}

/** The config files `kiln worker` looks for in its folder. */
export const CONFIG_FILES = ['kiln.config.ts', 'kiln.config.mts', 'kiln.config.js', 'kiln.config.mjs'];

/** The config in `dir`, if there is one. */
export function findConfig(dir: string): string | undefined {
  return CONFIG_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Reads a `kiln.config.ts`: the node packages (relative to the config's folder) and their queue. */
export async function loadKilnConfig(file: string): Promise<{ nodes: string[]; queue?: string; dir: string }> {
  const path = resolve(file);
  const mod = await importModule(path, file);
  const result = kilnConfigSchema.safeParse(mod.default);
  if (!result.success) {
    throw new NodePackageError(`${file}: the default export is not a Kiln config: ${result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}`);
  }
  return { nodes: result.data.nodes, ...(result.data.queue ? { queue: result.data.queue } : {}), dir: dirname(path) };
}

/**
 * Loads node packages beside the built-ins: each module's exports must all be node definitions
 * (`defineNode`), each type valid for registration (the API's own checks, so a bad package stops here
 * with a message rather than at the API), none a built-in's name or another package's.
 */
export async function loadNodePackages(
  specifiers: readonly string[],
  options: { baseDir: string; queue?: string; builtins: readonly { type: string }[] },
): Promise<NodePackage[]> {
  if (options.queue !== undefined) checkQueue(options.queue, 'the nodes queue');
  const taken = new Map(options.builtins.map((d) => [d.type, 'Kiln (a built-in type)']));
  const packages: NodePackage[] = [];
  for (const specifier of specifiers) {
    const entry = resolveEntry(specifier, options.baseDir);
    const source = sourceOf(specifier, entry);
    const definitions = definitionsOf(await importModule(entry, specifier), specifier);
    for (const def of definitions) {
      const owner = taken.get(def.type);
      if (owner) throw new NodePackageError(`${specifier}: node type ${def.type} is already defined by ${owner}`);
      taken.set(def.type, specifier);
    }
    packages.push({ specifier, source, definitions, queue: options.queue ?? defaultQueue(source) });
  }
  return packages;
}

/** `nodes.<package>`: one queue per package, so only workers that have it poll it. */
export function defaultQueue(source: string): string {
  return `nodes.${source.replace(/^@/, '').replace(/\//g, '.').replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

function checkQueue(queue: string, what: string): void {
  if ((RESERVED_QUEUES as readonly string[]).includes(queue)) {
    throw new NodePackageError(`${what} cannot be ${queue}: Kiln's own workers poll ${RESERVED_QUEUES.join(', ')} without these types`);
  }
}

function isPath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}

/** The module a specifier names: a file, a package folder (its package.json's entry), or an installed package. */
function resolveEntry(specifier: string, baseDir: string): string {
  if (isPath(specifier)) {
    const path = resolve(baseDir, specifier);
    if (!existsSync(path)) throw new NodePackageError(`${specifier}: no such file or folder (${path})`);
    return statSync(path).isDirectory() ? packageEntry(path, specifier) : path;
  }
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const folder = join(dir, 'node_modules', specifier);
    if (existsSync(join(folder, 'package.json'))) return packageEntry(folder, specifier);
    if (dirname(dir) === dir) break;
  }
  throw new NodePackageError(`${specifier}: no such package installed in ${baseDir} or above (npm install it, or give a path)`);
}

function packageEntry(folder: string, specifier: string): string {
  const file = join(folder, 'package.json');
  if (!existsSync(file)) throw new NodePackageError(`${specifier}: ${folder} is a folder without a package.json`);
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { exports?: unknown; main?: string };
  const exported = pkg.exports === undefined ? undefined : conditional(typeof pkg.exports === 'object' && pkg.exports !== null && '.' in pkg.exports ? (pkg.exports as Record<string, unknown>)['.'] : pkg.exports);
  const entry = exported ?? pkg.main ?? 'index.js';
  const path = resolve(folder, entry);
  if (!existsSync(path)) throw new NodePackageError(`${specifier}: its entry ${relative(process.cwd(), path)} does not exist`);
  return path;
}

/** The target of an `exports` entry for Node's import (conditions `import`, `node`, `default`). */
function conditional(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(conditional).find(Boolean);
  if (value && typeof value === 'object') {
    for (const key of ['import', 'node', 'default']) {
      const found = conditional((value as Record<string, unknown>)[key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The name in the nearest package.json above the module, else the module's file name. */
function sourceOf(specifier: string, entry: string): string {
  if (!isPath(specifier)) return specifier;
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
      if (typeof name === 'string' && name) return name;
    }
    if (dirname(dir) === dir) break;
  }
  return parse(entry).name;
}

async function importModule(path: string, specifier: string): Promise<Record<string, unknown>> {
  if (['.ts', '.mts', '.cts'].includes(extname(path))) typeScriptLoader();
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new NodePackageError(`${specifier}: cannot load ${path}: ${(err as Error).message}`);
  }
}

function isNodeDefinition(value: unknown): value is NodeDefinition {
  const v = value as Partial<NodeDefinition> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.type === 'string' &&
    typeof v.version === 'number' &&
    typeof v.run === 'function' &&
    typeof v.inputs === 'object' &&
    typeof v.outputs === 'object' &&
    Array.isArray(v.capabilities) &&
    typeof (v.params as { safeParse?: unknown } | undefined)?.safeParse === 'function'
  );
}

/** Every export must be a node definition (a default export may be a list of them). */
function definitionsOf(mod: Record<string, unknown>, specifier: string): NodeDefinition[] {
  const found = new Set<NodeDefinition>();
  for (const [name, value] of Object.entries(mod)) {
    const items = name === 'default' && Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const what = name === 'default' && Array.isArray(value) ? `the default export's item ${i}` : `export "${name}"`;
      if (!isNodeDefinition(item)) throw new NodePackageError(`${specifier}: ${what} is not a node definition (make node types with defineNode from @kiln/sdk, and export nothing else)`);
      found.add(item);
    });
  }
  if (found.size === 0) throw new NodePackageError(`${specifier}: exports no node definitions`);
  for (const def of found) checkDefinition(def, specifier);
  return [...found];
}

function checkDefinition(def: NodeDefinition, specifier: string): void {
  try {
    defineNode(def);
  } catch (err) {
    throw new NodePackageError(`${specifier}: ${(err as Error).message}`);
  }
  if (def.light) throw new NodePackageError(`${specifier}: node type ${def.type} is light; only Kiln's built-in types run as local activities (drop "light")`);
  let registered;
  try {
    registered = registeredNodeType(def);
  } catch (err) {
    throw new NodePackageError(`${specifier}: node type ${def.type}: its params have no JSON Schema: ${(err as Error).message}`);
  }
  const shape = registeredNodeTypeSchema.safeParse(registered);
  const problems = shape.success ? paramsSchemaProblems(registered.paramsJsonSchema) : shape.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (problems.length > 0) throw new NodePackageError(`${specifier}: node type ${def.type}: ${problems.join('; ')}`);
}
