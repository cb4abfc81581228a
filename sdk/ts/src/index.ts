// @kiln/sdk: Kiln node types written in a package of your own, loaded by `kiln worker --nodes <package>`
// (or a kiln.config.ts) beside the built-ins and registered with the API. See docs/write-a-node.md.

/** The one way to declare a node type: ports, params (zod), docs, capabilities and `run`. */
export { defineNode, NodeFailure, type NodeContext, type NodeDefinition, type NodeOutcome } from '@kiln/nodes/define-node';
/** The zod Kiln's own node types are declared with: declare params with it, so their JSON Schema is Kiln's. */
export { z } from 'zod';
/** Port types, capabilities and the values that flow between nodes (one zod schema per port type). */
export {
  CAPABILITIES,
  type Capability,
  PORT_TYPES,
  type PortType,
  type PortDecl,
  type PortMap,
  PORT_VALUE_SCHEMAS,
  type PortValue,
  type PortValues,
  artifactRefSchema,
  type ArtifactRef,
  datasetValueSchema,
  type DatasetValue,
  modelValueSchema,
  type ModelValue,
  transformValueSchema,
  type TransformValue,
  metricsValueSchema,
  type MetricsValue,
  reportValueSchema,
  type ReportValue,
  deploymentValueSchema,
  type DeploymentValue,
  columnSchemaSchema,
  type ColumnSchema,
  type ColumnType,
  type Task,
} from '@kiln/engine';
export { readRows, writeRows, type Row } from './datasets';
export { defineConfig, kilnConfigSchema, type KilnConfig } from './config';
