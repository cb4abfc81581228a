// The workflow bundle's entry: everything exported here is a workflow type.
export { pipelineWorkflow } from './pipeline-workflow';
