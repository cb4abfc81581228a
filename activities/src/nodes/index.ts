import type { NodeDefinition } from '../define-node';
import command from './core/command';
import noop from './core/noop';
import approval from './gate/approval';
import metricsGate from './gate/metrics';
import ingestFile from './ingest/file';
import validateTabular from './validate/tabular';
import featurizeTabular from './featurize/tabular';
import trainCommand from './train/command';
import trainGbdt from './train/gbdt';
import trainLinear from './train/linear';
import trainMlp from './train/mlp';
import evaluateModel from './evaluate/model';
import trainCv from './train/cv';
import searchSpace from './search/space';
import searchSelect from './search/select';
import deployModel from './deploy/model';
import deployPromote from './deploy/promote';
import monitorDrift from './monitor/drift';

export { approval, command, deployModel, deployPromote, monitorDrift, evaluateModel, featurizeTabular, ingestFile, metricsGate, noop, searchSelect, searchSpace, trainCommand, trainCv, trainGbdt, trainLinear, trainMlp, validateTabular };

/** Every node type, one definition each. Adding a type means adding its file here. */
export const nodeDefinitions: readonly NodeDefinition[] = [
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
] as unknown as NodeDefinition[];

export { catalog, nodeDeclarations } from './catalog';
