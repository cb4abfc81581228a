// One lint config for the whole workspace.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  { ignores: ['**/node_modules/**', '**/.kiln/**', '**/.nx/**', '**/dist/**', 'bench/results/**'] },
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
