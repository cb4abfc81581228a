import { describe, expect, it } from 'vitest';
import { mergeColumns } from './batching';
import { InstanceError, instancesToColumns, MAX_INSTANCES } from './instances';
import type { ModelSignature } from './signature';

const sig: ModelSignature = {
  task: 'binary',
  features: [
    { name: 'age', type: 'float' },
    { name: 'plan', type: 'string' },
  ],
  classes: [0, 1],
};

function failure(instances: unknown, maxOrSig?: number | ModelSignature): InstanceError {
  try {
    if (typeof maxOrSig === 'object') instancesToColumns(maxOrSig, instances);
    else instancesToColumns(sig, instances, maxOrSig);
  } catch (error) {
    expect(error).toBeInstanceOf(InstanceError);
    return error as InstanceError;
  }
  throw new Error('expected an InstanceError');
}

describe('instancesToColumns', () => {
  it('refuses a value of another JSON type than its column, and non-finite numbers, naming instance and column', () => {
    expect(failure([{ age: 1, plan: 5 }]).message).toBe('instances[0].plan: expected a string, got 5 (a number)');
    expect(failure([{ age: 1, plan: 'a' }, { age: true, plan: 'a' }]).message).toBe('instances[1].age: expected a finite number, got true (a boolean)');
    expect(failure([{ age: '3', plan: 'a' }]).path).toBe('instances[0].age');
    expect(failure(JSON.parse('[{"age": 1e309, "plan": "a"}]')).message).toBe(
      "instances[0].age: expected a finite number, got Infinity (a number too large for JSON's finite range)",
    );
    expect(failure([{ age: [1], plan: 'a' }]).message).toContain('(an array)');
    // A boolean training column takes booleans (as 1/0), and only booleans.
    const flag: ModelSignature = { ...sig, features: [{ name: 'age', type: 'float', json: 'boolean' }, { name: 'plan', type: 'string' }] };
    expect(instancesToColumns(flag, [{ age: true, plan: 'a' }, { age: false, plan: 'b' }, { age: null, plan: 'c' }]).values.age).toEqual([1, 0, NaN]);
    expect(failure([{ age: 1, plan: 'a' }], flag).message).toBe('instances[0].age: expected a boolean (true or false), got 1 (a number)');
  });

  it('builds float32 and string columns; null is NaN or ""', () => {
    const cols = instancesToColumns(sig, [
      { age: 31.5, plan: 'gold' },
      { age: null, plan: null },
      { age: 1, plan: '7' },
      { plan: 'false', age: 0 },
      { age: 0.1, plan: '' },
    ]);
    expect(cols.rowCount).toBe(5);
    expect(cols.values.age).toEqual([31.5, NaN, 1, 0, 0.1]);
    expect(cols.values.plan).toEqual(['gold', '', '7', 'false', '']);
    // Batched with another request: one float32 column, the rows in order.
    const { rows, feeds } = mergeColumns(sig, [cols, instancesToColumns(sig, [{ age: 2, plan: 'x' }])]);
    expect(rows).toBe(6);
    expect(feeds.age).toBeInstanceOf(Float32Array);
    expect(Array.from(feeds.age as Float32Array)).toEqual([31.5, NaN, 1, 0, Math.fround(0.1), 2]);
    expect(feeds.plan).toEqual(['gold', '', '7', 'false', '', 'x']);
    expect(mergeColumns(sig, [cols]).feeds.age).toBeInstanceOf(Float32Array);
  });

  it('puts a batch’s float columns in one buffer, in a scratch buffer when it is large enough', () => {
    const two: ModelSignature = { ...sig, features: [{ name: 'a', type: 'float' }, { name: 'plan', type: 'string' }, { name: 'b', type: 'float' }] };
    const parts = [instancesToColumns(two, [{ a: 1, b: 2, plan: 'x' }]), instancesToColumns(two, [{ a: 3, b: null, plan: 'y' }])];
    const { feeds } = mergeColumns(two, parts);
    expect(Array.from(feeds.a as Float32Array)).toEqual([1, 3]);
    expect(Array.from(feeds.b as Float32Array)).toEqual([2, NaN]);
    expect((feeds.a as Float32Array).buffer).toBe((feeds.b as Float32Array).buffer);
    const scratch = new Float32Array(8).fill(9);
    const reused = mergeColumns(two, parts, scratch).feeds;
    expect((reused.a as Float32Array).buffer).toBe(scratch.buffer);
    expect(Array.from(reused.a as Float32Array)).toEqual([1, 3]);
    expect(Array.from(reused.b as Float32Array)).toEqual([2, NaN]);
    // Too small: a buffer of its own.
    expect((mergeColumns(two, parts, new Float32Array(3)).feeds.a as Float32Array).length).toBe(2);
    expect((mergeColumns(two, parts, new Float32Array(3)).feeds.a as Float32Array).buffer.byteLength).toBe(16);
  });

  it('rejects what is not a non-empty array, naming "instances"', () => {
    for (const bad of [undefined, null, 'x', 3, { age: 1, plan: 'a' }]) {
      const e = failure(bad);
      expect(e.path).toBe('instances');
      expect(e.message).toMatch(/^"instances" must be an array of objects/);
    }
    const empty = failure([]);
    expect(empty.path).toBe('instances');
    expect(empty.message).toBe('"instances" is empty: send at least one instance');
  });

  it('limits instances per request', () => {
    const row = { age: 1, plan: 'a' };
    expect(instancesToColumns(sig, [row, row, row], 3).rowCount).toBe(3);
    const e = failure([row, row, row, row], 3);
    expect(e.path).toBe('instances');
    expect(e.message).toBe('"instances" has 4 instances; at most 3 may be sent in one request');
    expect(failure(Array.from({ length: MAX_INSTANCES + 1 }, () => row)).message).toContain(
      `at most ${MAX_INSTANCES}`,
    );
  });

  it('names the instance that is not an object', () => {
    const e = failure([{ age: 1, plan: 'a' }, [1, 'a']]);
    expect(e.path).toBe('instances[1]');
    expect(e.message).toBe('instances[1]: expected an object of column values, got [1,"a"]');
    expect(failure([null]).message).toBe('instances[0]: expected an object of column values, got null');
  });

  it('names a missing column and its instance', () => {
    const rows = [{ age: 1, plan: 'a' }, { age: 1, plan: 'a' }, { age: 1, plan: 'a' }, { plan: 'a' }];
    const e = failure(rows);
    expect(e.message).toBe('instances[3]: missing column "age"');
    expect(e.path).toBe('instances[3].age');
  });

  it('names an unknown column and lists the columns the model takes', () => {
    const e = failure([{ agee: 3, plan: 'a' }]);
    expect(e.message).toBe('instances[0]: unknown column "agee" (the model takes: age, plan)');
    expect(e.path).toBe('instances[0].agee');
    // Inherited names are not columns, and "__proto__" from JSON is an unknown one.
    expect(failure(JSON.parse('[{"age": 1, "plan": "a", "__proto__": {"x": 1}}]')).message).toBe(
      'instances[0]: unknown column "__proto__" (the model takes: age, plan)',
    );
    const sigWithConstructor: ModelSignature = { ...sig, features: [{ name: 'constructor', type: 'float' }] };
    expect(() => instancesToColumns(sigWithConstructor, [{}])).toThrow(
      'instances[0]: missing column "constructor"',
    );
  });

  it('names a mistyped value with its instance and column', () => {
    const rows = [
      { age: 1, plan: 'a' },
      { age: 2, plan: 'b' },
      { age: 'abc', plan: 'c' },
    ];
    const e = failure(rows);
    expect(e.message).toBe('instances[2].age: expected a finite number, got "abc" (a string)');
    expect(e.path).toBe('instances[2].age');
    expect(failure([{ age: '3', plan: 'a' }]).message).toBe('instances[0].age: expected a finite number, got "3" (a string)');
    expect(failure([{ age: [1], plan: 'a' }]).message).toBe('instances[0].age: expected a finite number, got [1] (an array)');
    const s = failure([{ age: 1, plan: { tier: 'gold' } }]);
    expect(s.message).toBe('instances[0].plan: expected a string, got {"tier":"gold"} (an object)');
    expect(s.path).toBe('instances[0].plan');
    const long = failure([{ age: 'x'.repeat(100), plan: 'a' }]).message;
    expect(long).toBe(`instances[0].age: expected a finite number, got "${'x'.repeat(36)}… (a string)`);
  });
});
