// Every node type, one line each: its declaration (a light `<name>.decl.ts`) and its implementation
// (`<name>.ts`, loaded only by a worker). The name is the one the authoring API imports
// (`import { trainGbdt } from '@kiln/nodes'`). Adding a node type: its files and one line here.
import { lazyNode } from './lazy-node';

export const command = lazyNode(await import('./core/command.decl'), () => import('./core/command'));
export const noop = lazyNode(await import('./core/noop.decl'), () => import('./core/noop'));
export const approval = lazyNode(await import('./gate/approval.decl'), () => import('./gate/approval'));
export const ingestFile = lazyNode(await import('./ingest/file.decl'), () => import('./ingest/file'));
export const validateTabular = lazyNode(await import('./validate/tabular.decl'), () => import('./validate/tabular'));
export const featurizeTabular = lazyNode(await import('./featurize/tabular.decl'), () => import('./featurize/tabular'));
export const trainGbdt = lazyNode(await import('./train/gbdt.decl'), () => import('./train/gbdt'));
export const trainLinear = lazyNode(await import('./train/linear.decl'), () => import('./train/linear'));
export const trainMlp = lazyNode(await import('./train/mlp.decl'), () => import('./train/mlp'));
export const trainCommand = lazyNode(await import('./train/command.decl'), () => import('./train/command'));
export const trainCv = lazyNode(await import('./train/cv.decl'), () => import('./train/cv'));
export const searchSpace = lazyNode(await import('./search/space.decl'), () => import('./search/space'));
export const searchSelect = lazyNode(await import('./search/select.decl'), () => import('./search/select'));
export const evaluateModel = lazyNode(await import('./evaluate/model.decl'), () => import('./evaluate/model'));
export const metricsGate = lazyNode(await import('./gate/metrics.decl'), () => import('./gate/metrics'));
export const deployModel = lazyNode(await import('./deploy/model.decl'), () => import('./deploy/model'));
export const deployPromote = lazyNode(await import('./deploy/promote.decl'), () => import('./deploy/promote'));
export const monitorDrift = lazyNode(await import('./monitor/drift.decl'), () => import('./monitor/drift'));
