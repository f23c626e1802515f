import { describe, expect, it } from 'vitest';
import { idleWasmMemory, requireWasmMemory, wasmBackend } from '../../src/backend/wasm';
import { CategoricalHMM, GaussianHMM, GaussianMixture } from '../../src/index';
import { loadModule } from '../../src/wasm/module';

const GiB = 2 ** 30;

describe('data beyond the Wasm memory limit', () => {
  it('names the rows × columns given, the memory needed, the limit and the way out', () => {
    expect(() => requireWasmMemory(20_000_000, 32, 32 + 4)).toThrow(RangeError);
    expect(() => requireWasmMemory(20_000_000, 32, 32 + 4)).toThrow(
      /^X has 20,000,000 rows × 32 columns, which with this model need 5\.4 GiB of WebAssembly memory, more than its limit of 4\.0 GiB: fit at most 14,\d{3},\d{3} rows .*streaming/,
    );
    expect(() => requireWasmMemory(1_000_000, 32, 36)).not.toThrow();
  });

  it('GaussianMixture.fit raises it before growing any memory', async () => {
    await loadModule();
    const before = idleWasmMemory();
    // 25,000 rows of one feature, 25,000 components: 5 GiB of responsibilities.
    const X = { data: Float64Array.from({ length: 25_000 }, (_, i) => i), rows: 25_000, cols: 1 };
    await expect(new GaussianMixture({ nComponents: 25_000 }).fit(X)).rejects.toThrow(
      /^X has 25,000 rows × 1 columns, .*more than its limit of 4\.0 GiB/,
    );
    expect(idleWasmMemory()).toEqual(before);
  });

  it('GaussianHMM.fit raises it too', async () => {
    const X = { data: new Float64Array(1_800_000).map((_, i) => i % 7), rows: 1_800_000, cols: 1 };
    await expect(new GaussianHMM({ nComponents: 100 }).fit(X)).rejects.toThrow(
      /^X has 1,800,000 rows × 1 columns, .*more than its limit/,
    );
  });

  it('an allocation past the limit is a RangeError before the memory grows', async () => {
    await loadModule();
    const ws = wasmBackend.acquire();
    try {
      expect(() => ws.allocF64((5 * GiB) / 8)).toThrow(
        /^emwasm needs 5\.0 GiB of WebAssembly memory for this call, more than its limit of 4\.0 GiB: use fewer rows/,
      );
    } finally {
      ws.release();
    }
  });
});

describe("CategoricalHMM's alphabet", () => {
  it('a stray symbol 1e8 is a fast error naming the symbol and the limit', async () => {
    const symbols = [0, 1, 1e8, 0];
    await expect(new CategoricalHMM({ nComponents: 2 }).fit(symbols)).rejects.toThrow(
      /^X\[2\] is the symbol 100000000: without nFeatures the alphabet is \[0, largest symbol\], at most 1,048,576 symbols; .*pass nFeatures/,
    );
  });

  it('a given nFeatures allows a wide alphabet, within the emission table limit', async () => {
    const hmm = await new CategoricalHMM({
      nComponents: 2,
      nFeatures: 2_000_000,
      nIter: 2,
      randomState: 0,
    }).fit([0, 1, 1_999_999, 0]);
    expect(hmm.emissionProb).toHaveLength(4_000_000);
    expect(() => new CategoricalHMM({ nComponents: 4, nFeatures: 1e8 })).toThrow(
      /^nComponents × nFeatures must be at most 134,217,728 \(the emission table\), got 4 × 100000000/,
    );
  });
});
