export * from './artifact-store';
export * from './folder-store';
export * from './default-store';
export * from './s3-connection';
export * from './s3-store';
export * from './spec-store';
export * from './named-objects';
