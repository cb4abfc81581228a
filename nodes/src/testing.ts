// Test fixtures for tests and benchmarks outside this package (`@kiln/nodes/testing`): a node
// context over a temporary store, the churn example prepared as a trainer sees it, synthetic GBDT
// data. Package sources never import it (lint).
export { tempFile, testContext } from './shared/test-context';
export { CHURN, prepare, type Prepared } from './train/test-helpers';
export { makeSynthetic, type SyntheticData, type SyntheticOptions } from '@kiln/ml/gbdt/synthetic-data';
