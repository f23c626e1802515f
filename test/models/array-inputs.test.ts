// Every array input is read at its exact shape with numbers at the leaves (issue 11, item 1), and
// typed arrays of any numeric element type are accepted wherever Float64Array is (issue 12, item 5).
import { describe, expect, it } from 'vitest';
import { GaussianHMM, GaussianMixture } from '../../src/index';
import { toArray, toMatrix } from '../../src/util/matrix';

const X = [
  [0, 0],
  [0.2, 0.1],
  [0.1, 0.3],
  [5, 5],
  [5.2, 5.1],
  [5.1, 4.8],
];

describe('toArray reads exactly the shape asked for', () => {
  it.each([
    ['(K, 1) for (K)', [[0.5], [0.5]], [2], /w must have shape \(2\), got shape \(2 × 1\)/],
    [
      '(K, D, 1) for (K, D)',
      [
        [[0], [1]],
        [[2], [3]],
      ],
      [2, 2],
      /w must have shape \(2 × 2\), got shape \(2 × 2 × 1\)/,
    ],
    ['a string', '0.3', [1], /w must have shape \(1\), got "0\.3"/],
    ['a string leaf', ['0.3', 0.7], [2], /w\[0\] must be a finite number, got "0\.3"/],
    ['(K, 2) for (K)', [[0.5, 0.5]], [1], /w must have shape \(1\), got shape \(1 × 2\)/],
    ['a ragged row', [[1, 2], [3]], [2, 2], /got shape \(2 × 2\): w\[1\] has 1 entry, expected 2/],
    [
      'a row short of rows',
      [[1, 2]],
      [2, 2],
      /w must have shape \(2 × 2\), got shape \(1 × 2\): w has 1 entry/,
    ],
    ['a missing leaf', [1, undefined], [2], /w\[1\] must be a finite number, got undefined/],
    ['a NaN leaf', [[1, NaN]], [1, 2], /w\[0\]\[1\] must be a finite number, got NaN/],
    ['a wrong flat size', [1, 2, 3], [2, 2], /w must have shape \(2 × 2\) \(4 values\), got 3 values/],
  ])('rejects %s', (_what, input, shape, message) => {
    expect(() => toArray(input, 'w', shape)).toThrow(message);
  });

  it('takes nested arrays, typed rows and flat values of any numeric type', () => {
    const want = Float64Array.of(1, 2, 3, 4);
    expect(toArray([[1, 2], Float32Array.of(3, 4)], 'w', [2, 2])).toEqual(want);
    expect(toArray(Int16Array.of(1, 2, 3, 4), 'w', [2, 2])).toEqual(want);
    expect(toArray([1, 2, 3, 4], 'w', [2, 2])).toEqual(want);
    expect(toArray(Float32Array.of(0.5), 'w', [1])).toEqual(Float64Array.of(0.5));
  });
});

describe('toMatrix', () => {
  it('accepts Float32Array and integer typed arrays, flat or as rows', () => {
    const flat = toMatrix({ data: Float32Array.of(1, 2, 3, 4, 5, 6), rows: 3, cols: 2 });
    expect(flat.data).toBeInstanceOf(Float64Array);
    expect(Array.from(flat.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toMatrix([Uint8Array.of(1, 2), Int32Array.of(3, 4)]).data).toEqual(Float64Array.of(1, 2, 3, 4));
    expect(toMatrix({ data: [1, 2], rows: 1, cols: 2 }).data).toEqual(Float64Array.of(1, 2));
  });

  it('rejects BigInt arrays, strings and rows nested too deep', () => {
    expect(() => toMatrix({ data: BigInt64Array.of(1n, 2n), rows: 1, cols: 2 })).toThrow(
      /X\.data must be a typed array of numbers .* got a BigInt64Array of length 2/,
    );
    expect(() => toMatrix([['1', 2]])).toThrow(/X\[0\]\[0\] must be a finite number, got "1"/);
    expect(() => toMatrix([[[1], [2]]])).toThrow(
      /X\[0\]\[0\] must be a finite number, got an array of length 1 \(X must be \(nSamples × nFeatures\), got shape \(1 × 2 × 1\)\)/,
    );
  });
});

describe('the models read typed arrays and refuse wrong shapes', () => {
  it('GaussianMixture fits Float32Array data as it fits the same Float64Array data', async () => {
    const flat32 = Float32Array.from(X.flat());
    const options = { nComponents: 2, randomState: 0 };
    const a = await new GaussianMixture(options).fit({ data: Float64Array.from(flat32), rows: 6, cols: 2 });
    const b = await new GaussianMixture(options).fit({ data: flat32, rows: 6, cols: 2 });
    expect(b.means).toEqual(a.means);
  });

  it('GaussianMixture refuses a (K, 1) weightsInit and a (K, D, 1) meansInit', async () => {
    // Checked when the model is made or fitted, whichever reads the option first.
    const fit = (options: object) => (async () => new GaussianMixture(options).fit(X))();
    await expect(fit({ nComponents: 2, weightsInit: [[0.5], [0.5]] })).rejects.toThrow(
      /weightsInit must have shape \(2\), got shape \(2 × 1\)/,
    );
    const meansInit = [
      [[0], [0]],
      [[5], [5]],
    ];
    await expect(
      new GaussianMixture({ nComponents: 2, meansInit: meansInit as never }).fit(X),
    ).rejects.toThrow(/meansInit must have shape \(2 × 2\), got shape \(2 × 2 × 1\)/);
  });

  it('GaussianHMM refuses a startProbInit nested one level too deep', async () => {
    const fit = (async () =>
      new GaussianHMM({ nComponents: 2, startProbInit: [[0.5], [0.5]] as never }).fit(X))();
    await expect(fit).rejects.toThrow(/startProbInit must have shape \(2\), got shape \(2 × 1\)/);
  });
});
