import { GbdtInputError } from './errors';
import type { BoosterParams, ObjectiveName } from './types';

/** Parameters with every default filled in. */
export type ResolvedParams = Required<Omit<BoosterParams, 'numClasses' | 'earlyStoppingRounds'>> & {
  numClasses: number | undefined;
  earlyStoppingRounds: number | undefined;
};

const OBJECTIVES: readonly ObjectiveName[] = ['binary', 'multiclass', 'regression'];

/** Fills defaults and rejects values out of range, naming the parameter and what is allowed. */
export function resolveParams(params: BoosterParams): ResolvedParams {
  if (!OBJECTIVES.includes(params.objective)) {
    throw new GbdtInputError(
      `objective must be one of ${OBJECTIVES.join(', ')}, got ${String(params.objective)}`,
    );
  }
  const p: ResolvedParams = {
    objective: params.objective,
    numClasses: params.numClasses,
    numIterations: params.numIterations ?? 100,
    learningRate: params.learningRate ?? 0.1,
    maxLeaves: params.maxLeaves ?? 31,
    maxDepth: params.maxDepth ?? -1,
    minDataInLeaf: params.minDataInLeaf ?? 20,
    minSumHessianInLeaf: params.minSumHessianInLeaf ?? 1e-3,
    lambdaL2: params.lambdaL2 ?? 0,
    minGainToSplit: params.minGainToSplit ?? 0,
    featureFraction: params.featureFraction ?? 1,
    baggingFraction: params.baggingFraction ?? 1,
    seed: params.seed ?? 0,
    maxBins: params.maxBins ?? 255,
    binSampleSize: params.binSampleSize ?? 200_000,
    earlyStoppingRounds: params.earlyStoppingRounds,
    numThreads: params.numThreads ?? 0,
  };
  integer('numIterations', p.numIterations, 1);
  positive('learningRate', p.learningRate);
  integer('maxLeaves', p.maxLeaves, 2);
  if (!Number.isInteger(p.maxDepth)) fail('maxDepth', p.maxDepth, 'an integer (0 or less for no limit)');
  integer('minDataInLeaf', p.minDataInLeaf, 1);
  nonNegative('minSumHessianInLeaf', p.minSumHessianInLeaf);
  nonNegative('lambdaL2', p.lambdaL2);
  nonNegative('minGainToSplit', p.minGainToSplit);
  fraction('featureFraction', p.featureFraction);
  fraction('baggingFraction', p.baggingFraction);
  if (!Number.isFinite(p.seed)) fail('seed', p.seed, 'a finite number');
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 255)
    fail('maxBins', p.maxBins, 'an integer from 2 to 255');
  integer('binSampleSize', p.binSampleSize, 1);
  if (p.earlyStoppingRounds !== undefined) integer('earlyStoppingRounds', p.earlyStoppingRounds, 1);
  integer('numThreads', p.numThreads, 0);
  if (p.numClasses !== undefined) {
    if (p.objective !== 'multiclass')
      fail('numClasses', p.numClasses, 'left out unless the objective is multiclass');
    integer('numClasses', p.numClasses, 2);
  }
  return p;
}

function fail(name: string, value: unknown, expected: string): never {
  throw new GbdtInputError(`parameter ${name} must be ${expected}, got ${String(value)}`);
}

function integer(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(name, value, `an integer >= ${min}`);
}

function positive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) fail(name, value, 'a finite number > 0');
}

function nonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) fail(name, value, 'a finite number >= 0');
}

function fraction(name: string, value: number): void {
  if (!(value > 0 && value <= 1)) fail(name, value, 'in (0, 1]');
}
