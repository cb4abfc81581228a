// The engine's pure surface: safe to import from the studio, the API, the CLI and workers.
export * from './catalog/port-types';
export * from './catalog/node-type-info';
export * from './catalog/zod-param-check';
export * from './spec/schema';
export * from './spec/defaults';
export * from './spec/problem';
export * from './spec/validate';
export * from './spec/canonical';
export * from './spec/run-params';
export * from './spec/value-refs';
export * from './graph/dag';
export * from './run/run-state';
export * from './run/node-task';
export * from './run/run-input';
export * from './run/queue';
export * from './run/approval';
export * from './authoring/pipeline-builder';
