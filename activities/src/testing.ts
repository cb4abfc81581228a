// Test fixtures for tests and benchmarks outside this package (`@kiln/activities/testing`): a node
// context over a temporary store, the churn example prepared as a trainer sees it, synthetic GBDT
// data. Package sources never import it (lint).
export { tempFile, testContext } from './nodes/shared/test-context';
export { CHURN, prepare, type Prepared } from './nodes/train/test-helpers';
export { makeSynthetic, type SyntheticData, type SyntheticOptions } from './ml/gbdt/synthetic-data';
