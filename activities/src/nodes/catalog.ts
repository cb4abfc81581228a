// The node catalog from the node types' declarations alone (`<name>.decl.ts`): validating a spec,
// `kiln validate` and the studio's palette load zod and the engine, not the trainers, ONNX or Arrow.
import { type Catalog, catalogOf } from '@kiln/engine';
import { type NodeDeclaration, nodeTypeInfo } from '../define-node';
import command from './core/command.decl';
import noop from './core/noop.decl';
import approval from './gate/approval.decl';
import metricsGate from './gate/metrics.decl';
import ingestFile from './ingest/file.decl';
import validateTabular from './validate/tabular.decl';
import featurizeTabular from './featurize/tabular.decl';
import trainCommand from './train/command.decl';
import trainGbdt from './train/gbdt.decl';
import trainLinear from './train/linear.decl';
import trainMlp from './train/mlp.decl';
import evaluateModel from './evaluate/model.decl';
import trainCv from './train/cv.decl';
import searchSpace from './search/space.decl';
import searchSelect from './search/select.decl';
import deployModel from './deploy/model.decl';
import deployPromote from './deploy/promote.decl';
import monitorDrift from './monitor/drift.decl';

/** What the authoring API needs of each node type (`p.node(id, trainGbdt, …)`), by the same names as the definitions. */
export {
  approval,
  command,
  deployModel,
  deployPromote,
  monitorDrift,
  evaluateModel,
  featurizeTabular,
  ingestFile,
  metricsGate,
  noop,
  searchSelect,
  searchSpace,
  trainCommand,
  trainCv,
  trainGbdt,
  trainLinear,
  trainMlp,
  validateTabular,
};

/** Every node type's declaration, in the order of `nodeDefinitions` (nodes/index.ts; a test keeps them alike). */
export const nodeDeclarations: readonly NodeDeclaration[] = [
  command,
  noop,
  approval,
  ingestFile,
  validateTabular,
  featurizeTabular,
  trainGbdt,
  trainLinear,
  trainMlp,
  trainCommand,
  trainCv,
  searchSpace,
  searchSelect,
  evaluateModel,
  metricsGate,
  deployModel,
  deployPromote,
  monitorDrift,
] as unknown as NodeDeclaration[];

/** The catalog the validator, the API and the studio use. */
export const catalog: Catalog = catalogOf(nodeDeclarations.map(nodeTypeInfo));
