/** Injection tokens for the shared handles the app is built with. */
export const DATA_SOURCE = Symbol('DataSource');
export const TEMPORAL_CLIENT = Symbol('TemporalClient');
export const NODE_CATALOG = Symbol('Catalog');
export const ARTIFACT_STORE = Symbol('ArtifactStore');
