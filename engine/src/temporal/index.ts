// Node-side Temporal helpers: the Temporal CLI, the dev server launcher and its supervisor, connection
// settings, and the run client. (Kiln's home folder, free ports and Python venvs are `@kiln/engine/home`,
// `@kiln/engine/free-port` and `@kiln/engine/python-venv`.)
export * from './temporal-cli';
export * from './dev-server';
export * from './run-client';
export * from './supervisor';
export * from './connection-settings';
