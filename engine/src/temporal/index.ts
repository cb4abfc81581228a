// Node-side Temporal helpers: role-claim seals, the Temporal CLI, the dev server launcher and its supervisor, connection
// settings, and the run client. (Kiln's home folder, key ring, free ports and Python venvs are `@kiln/engine/home`, `@kiln/engine/secret-keys`,
// `@kiln/engine/free-port` and `@kiln/engine/python-venv`.)
export * from './starter-seal';
export * from './temporal-cli';
export * from './dev-server';
export * from './run-client';
export * from './supervisor';
export * from './connection-settings';
