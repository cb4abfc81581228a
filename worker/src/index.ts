export * from './create-workers';
export * from './node-activity';
export * from './workflow-bundle';
export * from './worker-policy';
export * from './read-spec-activity';
export * from './node-registration';
