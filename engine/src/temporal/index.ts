// Node-side helpers: the Temporal CLI, Python virtualenvs for tools, the dev server launcher, and the run client.
export * from './kiln-home';
export * from './temporal-cli';
export * from './python-venv';
export * from './free-port';
export * from './dev-server';
export * from './run-client';
export * from './supervisor';
export * from './connection-settings';
