export * from './artifact-store';
export * from './folder-store';
