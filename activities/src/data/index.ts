export * from './column-stats';
export * from './csv-reader';
export * from './csv-to-arrow';
export * from './dataset-ref';
export * from './input-error';
export * from './jsonl-to-arrow';
export type { TableWriteOptions, TableWriteResult } from './table-assembler';
export type { ByteInput } from './text-input';
export * from './type-inference';
