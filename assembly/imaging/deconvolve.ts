// Direct convolution and the element-wise steps of Richardson–Lucy (the contract is
// src/imaging/kernels.ts, the TypeScript twins src/reference/imaging.ts). Images are real
// (n0 × n1 × n2) arrays, row-major f64; a 2D image has n0 = 1. The twins add in the same order, so
// the two agree to the last bit.

/** The `1e-12` scikit-image adds to the blurred estimate before dividing by it. */
const RL_EPS: f64 = 1e-12;

/**
 * `out (p0 × p1 × p2)` = zeros with `x (n0 × n1 × n2)` placed at offset (o0, o1, o2)
 * (the caller ensures it fits).
 */
export function padImage(
  x: usize,
  n0: i32,
  n1: i32,
  n2: i32,
  out: usize,
  p0: i32,
  p1: i32,
  p2: i32,
  o0: i32,
  o1: i32,
  o2: i32,
): void {
  memory.fill(out, 0, (<usize>p0 * <usize>p1 * <usize>p2) << 3);
  const rowBytes = (<usize>n2) << 3;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      const src = x + <usize>(i0 * n1 + i1) * rowBytes;
      const dst = out + ((<usize>((i0 + o0) * p1 + i1 + o1) * <usize>p2 + <usize>o2) << 3);
      memory.copy(dst, src, rowBytes);
    }
  }
}

/**
 * `out[i0, i1, i2] = Σ_k padded[i0 + k0, i1 + k1, i2 + k2] · w[k0, k1, k2]` for the output rows
 * r = i0·n1 + i1 in [rowStart, rowEnd), summed over k in row-major order; `padded` is
 * (n0 + m0 − 1) × p1 × p2 with p1 ≥ n1 + m1 − 1, p2 ≥ n2 + m2 − 1, `w (m0 × m1 × m2)`,
 * `out (n0 × n1 × n2)`.
 */
export function correlatePadded(
  padded: usize,
  p1: i32,
  p2: i32,
  w: usize,
  m0: i32,
  m1: i32,
  m2: i32,
  out: usize,
  n1: i32,
  n2: i32,
  rowStart: i32,
  rowEnd: i32,
): void {
  const vecEnd = n2 & ~7;
  for (let r = rowStart; r < rowEnd; r++) {
    const i0 = r / n1;
    const i1 = r % n1;
    const orow = out + ((<usize>r * <usize>n2) << 3);
    memory.fill(orow, 0, (<usize>n2) << 3);
    for (let k0 = 0; k0 < m0; k0++) {
      for (let k1 = 0; k1 < m1; k1++) {
        const prow = padded + ((<usize>((i0 + k0) * p1 + i1 + k1) * <usize>p2) << 3);
        const wrow = w + ((<usize>((k0 * m1 + k1) * m2)) << 3);
        for (let i2 = 0; i2 < vecEnd; i2 += 8) {
          const op = orow + ((<usize>i2) << 3);
          let a0 = v128.load(op);
          let a1 = v128.load(op, 16);
          let a2 = v128.load(op, 32);
          let a3 = v128.load(op, 48);
          let src = prow + ((<usize>i2) << 3);
          for (let k2 = 0; k2 < m2; k2++) {
            const wv = v128.load64_splat(wrow + ((<usize>k2) << 3));
            a0 = f64x2.add(a0, f64x2.mul(wv, v128.load(src)));
            a1 = f64x2.add(a1, f64x2.mul(wv, v128.load(src, 16)));
            a2 = f64x2.add(a2, f64x2.mul(wv, v128.load(src, 32)));
            a3 = f64x2.add(a3, f64x2.mul(wv, v128.load(src, 48)));
            src += 8;
          }
          v128.store(op, a0);
          v128.store(op, a1, 16);
          v128.store(op, a2, 32);
          v128.store(op, a3, 48);
        }
        for (let i2 = vecEnd; i2 < n2; i2++) {
          let acc = load<f64>(orow + ((<usize>i2) << 3));
          const src = prow + ((<usize>i2) << 3);
          for (let k2 = 0; k2 < m2; k2++) {
            acc += load<f64>(wrow + ((<usize>k2) << 3)) * load<f64>(src + ((<usize>k2) << 3));
          }
          store<f64>(orow + ((<usize>i2) << 3), acc);
        }
      }
    }
  }
}

/**
 * scikit-image's relative blur: with c = conv[j] + 1e-12, `out[j] = image[j] / c`, or 0 where
 * c < filterEpsilon when filterEpsilon > 0.
 */
export function rlRatio(image: usize, conv: usize, count: i32, filterEpsilon: f64, out: usize): void {
  const eps = f64x2.splat(RL_EPS);
  const fe = f64x2.splat(filterEpsilon);
  const filter = filterEpsilon > 0;
  const pairs = count & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    const c = f64x2.add(v128.load(conv + o), eps);
    let q = f64x2.div(v128.load(image + o), c);
    if (filter) q = v128.andnot(q, f64x2.lt(c, fe));
    v128.store(out + o, q);
  }
  if (count & 1) {
    const o = (<usize>pairs) << 3;
    const c = load<f64>(conv + o) + RL_EPS;
    store<f64>(out + o, filter && c < filterEpsilon ? 0.0 : load<f64>(image + o) / c);
  }
}

/** `u[j] = u[j] · correction[j]`, then divided by `denominator[j]` unless that handle is 0. */
export function rlUpdate(u: usize, correction: usize, denominator: usize, count: i32): void {
  const pairs = count & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    let v = f64x2.mul(v128.load(u + o), v128.load(correction + o));
    if (denominator) v = f64x2.div(v, v128.load(denominator + o));
    v128.store(u + o, v);
  }
  if (count & 1) {
    const o = (<usize>pairs) << 3;
    let v = load<f64>(u + o) * load<f64>(correction + o);
    if (denominator) v /= load<f64>(denominator + o);
    store<f64>(u + o, v);
  }
}

/**
 * Dey et al.'s total-variation factor: `out = 1 − λ·div(∇u/|∇u|)` for `u (n0 × n1 × n2)`, with
 * forward differences for ∇ (0 across the last index of an axis), 0 where |∇u| = 0, and backward
 * differences for div (the negative adjoint of ∇). |div| ≤ 2 per axis, so out > 0 when λ·2·ndim < 1.
 * `unit` is scratch of 3·count f64s: the unit gradient field, one component after another.
 */
export function tvDenominator(
  u: usize,
  n0: i32,
  n1: i32,
  n2: i32,
  lambda: f64,
  unit: usize,
  out: usize,
): void {
  const count = n0 * n1 * n2;
  const s1 = n2;
  const s0 = n1 * n2;
  const g0 = unit;
  const g1 = unit + ((<usize>count) << 3);
  const g2 = unit + ((<usize>(2 * count)) << 3);
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        const j = i0 * s0 + i1 * s1 + i2;
        const o = (<usize>j) << 3;
        const v = load<f64>(u + o);
        const d0 = i0 + 1 < n0 ? load<f64>(u + ((<usize>(j + s0)) << 3)) - v : 0.0;
        const d1 = i1 + 1 < n1 ? load<f64>(u + ((<usize>(j + s1)) << 3)) - v : 0.0;
        const d2 = i2 + 1 < n2 ? load<f64>(u + ((<usize>(j + 1)) << 3)) - v : 0.0;
        const norm = Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
        const inv = norm > 0 ? 1.0 / norm : 0.0;
        store<f64>(g0 + o, d0 * inv);
        store<f64>(g1 + o, d1 * inv);
        store<f64>(g2 + o, d2 * inv);
      }
    }
  }
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        const j = i0 * s0 + i1 * s1 + i2;
        const o = (<usize>j) << 3;
        let div = load<f64>(g0 + o) + load<f64>(g1 + o) + load<f64>(g2 + o);
        if (i0 > 0) div -= load<f64>(g0 + ((<usize>(j - s0)) << 3));
        if (i1 > 0) div -= load<f64>(g1 + ((<usize>(j - s1)) << 3));
        if (i2 > 0) div -= load<f64>(g2 + ((<usize>(j - 1)) << 3));
        store<f64>(out + o, 1.0 - lambda * div);
      }
    }
  }
}
