export * from './attempt-log';
export * from './log-location';
export * from './log-reader';
