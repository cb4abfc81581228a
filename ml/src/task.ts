// ml has no Kiln imports, so it names a model's task itself, once; nodes check at compile time that
// it is the engine's `Task` (port-values.ts), which the Model and Transform port values carry.

/** What a model predicts: a class of two, a class of more, or a number. */
export const TASKS = ['binary', 'multiclass', 'regression'] as const;
export type Task = (typeof TASKS)[number];
