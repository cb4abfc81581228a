export { main } from './main';
export type { Io } from './io';
export { runSummary, type RunSummary } from './summary';
