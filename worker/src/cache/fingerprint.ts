import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeDefinition } from '@kiln/nodes/define-node';

/**
 * The implementation fingerprint of a node type: a SHA-256 over the code that runs it, so that a
 * code change invalidates its cached results. The rule:
 *
 * - the type's module (`@kiln/nodes/<category>/<name>`, as this worker loads it: the TypeScript
 *   sources in the dev loop, the compiled `dist/` otherwise) and every module it imports,
 *   transitively: relative imports, `@kiln/*` workspace packages (through their `exports`), dynamic
 *   `import('…')` and worker-thread files named by `new URL('…', import.meta.url)`; each file by its
 *   path inside the workspace and its bytes (type-only imports count too: a conservative choice);
 * - every other package imported along the way by its name and installed version (no deeper);
 * - a type not found at its conventional module (one defined outside `@kiln/nodes`) by the source
 *   text of its `run` function instead.
 *
 * So sources and compiled code have different fingerprints (a `kiln run` from sources and one from
 * the build do not share entries), and two installs of the same build anywhere on disk share them.
 * Computed once per type per worker process.
 */
export async function implementationFingerprint(def: Pick<NodeDefinition, 'type' | 'run'>): Promise<string> {
  let found = fingerprints.get(def.type);
  if (!found) fingerprints.set(def.type, (found = computeFingerprint(def)));
  return found;
}

const fingerprints = new Map<string, Promise<string>>();
const SOURCES = import.meta.url.endsWith('.ts');
const EXTENSION = SOURCES ? '.ts' : '.js';
const HERE = dirname(fileURLToPath(import.meta.url));

async function computeFingerprint(def: Pick<NodeDefinition, 'type' | 'run'>): Promise<string> {
  const hash = createHash('sha256');
  const [category, name] = def.type.split('.');
  const nodes = await findPackage('@kiln/nodes', HERE);
  const module = nodes && category && name ? await resolveExport(nodes, `./${category}/${name}`) : undefined;
  if (!module) return hash.update(`run:${def.run.toString()}`).digest('hex');
  const root = dirname(nodes!.root);
  const seen = new Map<string, string>();
  const packages = new Set<string>();
  const pending = [module];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    const bytes = await readFile(file);
    seen.set(file, createHash('sha256').update(bytes).digest('hex'));
    if (!/\.[cm]?[jt]s$/.test(file)) continue;
    for (const specifier of importsOf(bytes.toString('utf8'))) {
      const target = await resolveImport(specifier, file, packages);
      if (target && !seen.has(target)) pending.push(target);
    }
  }
  for (const file of [...seen.keys()].sort()) hash.update(`file:${relative(root, file).split(sep).join('/')}:${seen.get(file)}\n`);
  for (const pkg of [...packages].sort()) hash.update(`package:${pkg}\n`);
  return hash.digest('hex');
}

const IMPORT_PATTERNS = [
  /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"\n]+)['"]/g,
  /\bimport\s*['"]([^'"\n]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  /\bnew\s+URL\(\s*['"](\.{1,2}\/[^'"\n]+)['"]\s*,\s*import\.meta\.url/g,
];

/** The module specifiers a JavaScript or TypeScript file names (a scan, not a parse: it may over-count). */
export function importsOf(text: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) for (const match of text.matchAll(pattern)) found.add(match[1]!);
  return [...found];
}

async function resolveImport(specifier: string, from: string, packages: Set<string>): Promise<string | undefined> {
  if (specifier.startsWith('node:')) return undefined;
  if (specifier.startsWith('.')) return resolveFile(resolve(dirname(from), specifier));
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = `.${specifier.slice(name.length)}`;
  if (name.startsWith('@kiln/')) {
    const pkg = await findPackage(name, dirname(from));
    return pkg ? resolveExport(pkg, subpath === '.' ? '.' : subpath) : undefined;
  }
  const manifest = await findPackage(name, dirname(from));
  // A builtin without the `node:` prefix, or something not installed: nothing to fingerprint.
  if (manifest) packages.add(`${name}@${manifest.json.version as string}`);
  return undefined;
}

async function resolveFile(base: string): Promise<string | undefined> {
  const candidates = [base, `${base}${EXTENSION}`, join(base, `index${EXTENSION}`)];
  // Sources name a thread's compiled file (`csv-worker.js`) that exists as `.ts` beside them.
  if (SOURCES && base.endsWith('.js')) candidates.push(`${base.slice(0, -3)}.ts`);
  for (const candidate of candidates) {
    if (await stat(candidate).then((s) => s.isFile(), () => false)) return realpath(candidate);
  }
  return undefined;
}

interface PackageManifest {
  root: string;
  json: Record<string, unknown>;
}

const manifests = new Map<string, Promise<PackageManifest | undefined>>();

/** The nearest `node_modules/<name>/package.json` above `from`. */
async function findPackage(name: string, from: string): Promise<PackageManifest | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    const path = join(dir, 'node_modules', name, 'package.json');
    let found = manifests.get(path);
    if (!found) {
      manifests.set(
        path,
        (found = readFile(path, 'utf8').then(
          async (text) => ({ root: await realpath(dirname(path)), json: JSON.parse(text) as Record<string, unknown> }),
          () => undefined,
        )),
      );
    }
    const manifest = await found;
    if (manifest) return manifest;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A subpath of a workspace package through its `exports` (`source` or `default`, as this process loads). */
async function resolveExport(pkg: PackageManifest, subpath: string): Promise<string | undefined> {
  const exports = (pkg.json.exports ?? {}) as Record<string, unknown>;
  const pick = (entry: unknown): string | undefined =>
    typeof entry === 'string' ? entry : ((entry as Record<string, string> | undefined)?.[SOURCES ? 'source' : 'default'] ?? undefined);
  let target = pick(exports[subpath]);
  if (!target) {
    const pattern = pick(exports['./*']);
    if (pattern && subpath.startsWith('./')) target = pattern.replace('*', subpath.slice(2));
  }
  return target ? resolveFile(join(pkg.root, target)) : undefined;
}
