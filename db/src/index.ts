export * from './entities/records';
export * from './entities/schemas';
export * from './data-source';
export * from './postgres-server';
