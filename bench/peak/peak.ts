// @ts-nocheck -- AssemblyScript, not TypeScript: compiled by bench/lib/peak.ts with asc (--enable simd -O3).
// The root tsconfig includes bench/, and tsc knows neither f64x2 nor i32.
//
// Wasm f64x2 peak: N independent chains c = c·m + a, each step one f64x2 mul and one f64x2 add
// (4 flops). relaxed-simd's fused multiply-add is not available in Node 20 without a flag, so a
// mul followed by an add is the best the kernels can do too. One chain is bound by the mul+add
// latency; enough independent chains are bound by the number of vector ports, which is the peak.
// With m < 1 the chains settle at a / (1 − m) and never overflow or go subnormal.

/** 1 independent chains. */
export function peak1(iters: i32, m: f64, a: f64): f64 {
  const vm = f64x2.splat(m);
  const va = f64x2.splat(a);
  let c0 = f64x2.splat(1.0);
  for (let i = 0; i < iters; i++) {
    c0 = f64x2.add(f64x2.mul(c0, vm), va);
  }
  let s = c0;
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** 4 independent chains. */
export function peak4(iters: i32, m: f64, a: f64): f64 {
  const vm = f64x2.splat(m);
  const va = f64x2.splat(a);
  let c0 = f64x2.splat(1.0);
  let c1 = f64x2.splat(1.0625);
  let c2 = f64x2.splat(1.125);
  let c3 = f64x2.splat(1.1875);
  for (let i = 0; i < iters; i++) {
    c0 = f64x2.add(f64x2.mul(c0, vm), va);
    c1 = f64x2.add(f64x2.mul(c1, vm), va);
    c2 = f64x2.add(f64x2.mul(c2, vm), va);
    c3 = f64x2.add(f64x2.mul(c3, vm), va);
  }
  let s = c0;
  s = f64x2.add(s, c1);
  s = f64x2.add(s, c2);
  s = f64x2.add(s, c3);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** 8 independent chains. */
export function peak8(iters: i32, m: f64, a: f64): f64 {
  const vm = f64x2.splat(m);
  const va = f64x2.splat(a);
  let c0 = f64x2.splat(1.0);
  let c1 = f64x2.splat(1.0625);
  let c2 = f64x2.splat(1.125);
  let c3 = f64x2.splat(1.1875);
  let c4 = f64x2.splat(1.25);
  let c5 = f64x2.splat(1.3125);
  let c6 = f64x2.splat(1.375);
  let c7 = f64x2.splat(1.4375);
  for (let i = 0; i < iters; i++) {
    c0 = f64x2.add(f64x2.mul(c0, vm), va);
    c1 = f64x2.add(f64x2.mul(c1, vm), va);
    c2 = f64x2.add(f64x2.mul(c2, vm), va);
    c3 = f64x2.add(f64x2.mul(c3, vm), va);
    c4 = f64x2.add(f64x2.mul(c4, vm), va);
    c5 = f64x2.add(f64x2.mul(c5, vm), va);
    c6 = f64x2.add(f64x2.mul(c6, vm), va);
    c7 = f64x2.add(f64x2.mul(c7, vm), va);
  }
  let s = c0;
  s = f64x2.add(s, c1);
  s = f64x2.add(s, c2);
  s = f64x2.add(s, c3);
  s = f64x2.add(s, c4);
  s = f64x2.add(s, c5);
  s = f64x2.add(s, c6);
  s = f64x2.add(s, c7);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** 12 independent chains. */
export function peak12(iters: i32, m: f64, a: f64): f64 {
  const vm = f64x2.splat(m);
  const va = f64x2.splat(a);
  let c0 = f64x2.splat(1.0);
  let c1 = f64x2.splat(1.0625);
  let c2 = f64x2.splat(1.125);
  let c3 = f64x2.splat(1.1875);
  let c4 = f64x2.splat(1.25);
  let c5 = f64x2.splat(1.3125);
  let c6 = f64x2.splat(1.375);
  let c7 = f64x2.splat(1.4375);
  let c8 = f64x2.splat(1.5);
  let c9 = f64x2.splat(1.5625);
  let c10 = f64x2.splat(1.625);
  let c11 = f64x2.splat(1.6875);
  for (let i = 0; i < iters; i++) {
    c0 = f64x2.add(f64x2.mul(c0, vm), va);
    c1 = f64x2.add(f64x2.mul(c1, vm), va);
    c2 = f64x2.add(f64x2.mul(c2, vm), va);
    c3 = f64x2.add(f64x2.mul(c3, vm), va);
    c4 = f64x2.add(f64x2.mul(c4, vm), va);
    c5 = f64x2.add(f64x2.mul(c5, vm), va);
    c6 = f64x2.add(f64x2.mul(c6, vm), va);
    c7 = f64x2.add(f64x2.mul(c7, vm), va);
    c8 = f64x2.add(f64x2.mul(c8, vm), va);
    c9 = f64x2.add(f64x2.mul(c9, vm), va);
    c10 = f64x2.add(f64x2.mul(c10, vm), va);
    c11 = f64x2.add(f64x2.mul(c11, vm), va);
  }
  let s = c0;
  s = f64x2.add(s, c1);
  s = f64x2.add(s, c2);
  s = f64x2.add(s, c3);
  s = f64x2.add(s, c4);
  s = f64x2.add(s, c5);
  s = f64x2.add(s, c6);
  s = f64x2.add(s, c7);
  s = f64x2.add(s, c8);
  s = f64x2.add(s, c9);
  s = f64x2.add(s, c10);
  s = f64x2.add(s, c11);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}
