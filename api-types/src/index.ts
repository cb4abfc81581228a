// The Kiln API's answers: one zod schema per shape, the TypeScript types inferred from them. Browser-safe
// (zod and the engine's root entry only): the API documents and tests its responses with these, the
// studio reads its answers as these types.
export * from './common';
export * from './pipelines';
export * from './runs';
export * from './schedules';
export * from './webhooks';
export * from './tokens';
export * from './models';
export * from './deployments';
export * from './node-types';
export * from './cache';
export * from './routes';
