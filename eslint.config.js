// One lint config for the whole workspace.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Which workspace packages each folder may import: imports go downward only (ARCHITECTURE.md,
 * "Layout"). `true` means all of them (tests and benchmarks). A package always imports itself.
 */
const MAY_IMPORT = {
  engine: [],
  'api-types': ['@kiln/engine'],
  artifacts: ['@kiln/engine'],
  tabular: ['@kiln/engine', '@kiln/artifacts'],
  ml: [],
  serving: ['@kiln/engine'],
  nodes: ['@kiln/engine', '@kiln/api-types', '@kiln/artifacts', '@kiln/tabular', '@kiln/ml', '@kiln/serving'],
  worker: ['@kiln/engine', '@kiln/artifacts', '@kiln/nodes'],
  // @kiln/sdk (sdk/ts): what a node package outside this repository imports.
  sdk: ['@kiln/engine', '@kiln/artifacts', '@kiln/tabular', '@kiln/nodes'],
  db: ['@kiln/engine'],
  api: ['@kiln/engine', '@kiln/api-types', '@kiln/db', '@kiln/artifacts', '@kiln/tabular', '@kiln/serving', '@kiln/nodes'],
  cli: ['@kiln/engine', '@kiln/api-types', '@kiln/db', '@kiln/artifacts', '@kiln/tabular', '@kiln/nodes', '@kiln/sdk', '@kiln/worker', '@kiln/api'],
  studio: ['@kiln/engine', '@kiln/api-types'],
  examples: ['@kiln/engine', '@kiln/nodes', '@kiln/sdk'],
  scripts: ['@kiln/cli'],
  test: true,
  bench: true,
};
/** Packages whose browser code may take only their root entry (the Node-only subpaths stay out). */
const ROOT_ENTRY_ONLY = new Set(['studio', 'api-types']);

/** Test fixtures (they train models, fake node contexts): imported by tests, never by a package's src. */
const testingOnly = {
  group: ['**/testing', '**/testing/*', '**/test-helpers', '**/test-context', '**/test-models', '@kiln/*/testing'],
  message: 'a test fixture: tests and benchmarks import it, src never does',
};

/** The `no-restricted-imports` options for files of `folder`: its downward imports only. */
function layerRule(folder, extraPatterns = []) {
  const allowed = MAY_IMPORT[folder];
  const patterns = [...extraPatterns];
  if (allowed !== true) {
    const names = [`@kiln/${folder}`, ...allowed].map((n) => n.slice('@kiln/'.length));
    const tail = ROOT_ENTRY_ONLY.has(folder) ? '$' : '(/|$)';
    patterns.push({
      regex: `^@kiln/(?!(${names.join('|')})${tail})`,
      message: `${allowed.length ? `${folder} may import only ${allowed.join(', ')}` : `${folder} imports no other Kiln package`}${ROOT_ENTRY_ONLY.has(folder) ? ' (their browser-safe root entries)' : ''}: packages import downward (MAY_IMPORT in eslint.config.js)`,
    });
  }
  return patterns;
}

/** What the deterministic workflow code may not import (see ARCHITECTURE.md, "The workflow is deterministic"). */
const workflowForbidden = {
  patterns: [
    { group: ['node:*'], message: 'workflow code runs in a sandbox: no Node built-ins' },
    { group: ['@kiln/*'], message: 'workflow code imports only @temporalio/workflow and pure engine modules' },
    {
      group: ['@temporalio/*', '!@temporalio/workflow'],
      message: 'workflow code imports only @temporalio/workflow and pure engine modules',
    },
    {
      group: ['**/temporal/*', '**/spec/schema', '**/spec/validate', '**/spec/run-params', '**/spec/canonical', '**/authoring/*'],
      allowTypeImports: true,
      message: 'not a pure module: the workflow must not import it',
    },
    { group: ['zod', 'ajv', '@noble/*'], allowTypeImports: true, message: 'the workflow needs no libraries beyond the SDK' },
  ],
  paths: ['fs', 'path', 'child_process', 'crypto', 'os', 'http', 'https', 'net', 'process'].map((name) => ({
    name,
    message: 'workflow code runs in a sandbox: no Node built-ins',
  })),
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.kiln/**', '**/.nx/**', '**/dist/**', 'bench/results/**', 'test/lint/fixtures/**', 'tabular/wasm/*-kernel.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    // Package boundaries: no relative import into another package (use its `exports`), no import cycle.
    plugins: { 'import-x': importX },
    settings: {
      // The files whose imports the cycle check follows, and how to parse them.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
          conditionNames: ['source', 'import', 'default'],
        }),
      ],
    },
    rules: {
      'import-x/no-relative-packages': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The tools' configs share the workspace's source-condition settings (vite.source.ts at the root).
    files: ['*/vitest.config.ts', '*/vite.config.ts', 'sdk/ts/vitest.config.ts'],
    rules: { 'import-x/no-relative-packages': 'off' },
  },
  ...Object.keys(MAY_IMPORT).map((folder) => ({
    files: [`${folder}/**/*.{ts,tsx,js,mjs}`],
    rules: { 'no-restricted-imports': ['error', { patterns: layerRule(folder) }] },
  })),
  ...['engine', 'artifacts', 'tabular', 'ml', 'serving', 'nodes', 'worker', 'db', 'api', 'cli', 'api-types'].map((folder) => ({
    // Package sources (not their tests, nor the fixtures themselves) never import test fixtures.
    files: [`${folder}/src/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts', '**/test-helpers.ts', '**/test-context.ts', '**/testing.ts', '**/testing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: layerRule(folder, [testingOnly]) }] },
  })),
  {
    // Tests read JSON answers of many shapes.
    files: ['**/*.test.ts', 'test/support/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['engine/src/workflow/**/*.ts', 'engine/src/run/**/*.ts', 'engine/src/graph/**/*.ts', 'engine/src/spec/value-refs.ts', 'engine/src/spec/defaults.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', workflowForbidden] },
  },
);
