export * from './define-node';
export * from './nodes/index';
