// Joseph's ray-driven parallel-beam projector and its exact adjoint. The contract is the
// TomographyKernels interface (src/imaging/tomography/kernels.ts); the TypeScript twins in
// src/imaging/tomography/reference.ts do the same arithmetic in the same order.
//
// Geometry: an n × n image, pixel (i, j) centred at x = j − c, y = c − i with c = ⌊n/2⌋ (row 0 at
// the top, scikit-image's centre); detector k of nDet at t = k − ⌊nDet/2⌋; the ray of angle θ and
// detector t is x·cos θ + y·sin θ = t. A ray steps one pixel at a time along the axis it is most
// aligned with and interpolates linearly between the two pixels it passes between on the other
// axis; each step weighs 1/max(|cos θ|, |sin θ|), the path length per step.
//
// The image is read from (and the back projection written to) a zero-bordered copy padded by one
// pixel on every side, held twice: row-major (rays stepping over rows read a contiguous pair) and
// transposed (rays stepping over columns do too). A ray's positions along the contiguous axis are
// then in [0, n + 1) with no branch per step, and the border catches the weights that fall
// outside the image, which the adjoint drops.
//
// The twins go ray by ray. Here all rays of an angle advance together, one step (one row of the
// pad) at a time, two rays per f64x2: the pad is read along its rows, the sinogram row stays in
// cache, and no addition waits on the one before. Each ray still sums (or each pixel still
// receives) its terms in the same order with the same operations, so the results are the twins'
// bit for bit. A ray at detector k is at position f0[k] + s·df at step s (f0 in `work`); the rays
// inside the pad at one step form a run of detectors, since f0 is monotone in k.

/** f64s of a padded pair: `2·(n + 2)²`. */
export function tomoPadLength(n: i32): i32 {
  const m = n + 2;
  return 2 * m * m;
}

/** `pad` = the zero-bordered image `(n × n)` followed by its zero-bordered transpose. */
export function tomoPad(image: usize, n: i32, pad: usize): void {
  const m = n + 2;
  const padT = pad + ((<usize>(m * m)) << 3);
  memory.fill(pad, 0, (<usize>(2 * m * m)) << 3);
  for (let i = 0; i < n; i++) {
    const src = image + ((<usize>(i * n)) << 3);
    memory.copy(pad + ((<usize>((i + 1) * m + 1)) << 3), src, (<usize>n) << 3);
    let dst = padT + ((<usize>(m + i + 1)) << 3);
    for (let j = 0; j < n; j++) {
      store<f64>(dst, load<f64>(src + ((<usize>j) << 3)));
      dst += (<usize>m) << 3;
    }
  }
}

/** `out (n × n)` = (or += when `accumulate` ≠ 0) the interiors of both halves of `pad`, summed. */
export function tomoUnpad(pad: usize, n: i32, out: usize, accumulate: i32): void {
  const m = n + 2;
  const padT = pad + ((<usize>(m * m)) << 3);
  for (let i = 0; i < n; i++) {
    const row = pad + ((<usize>((i + 1) * m + 1)) << 3);
    let col = padT + ((<usize>(m + i + 1)) << 3);
    const dst = out + ((<usize>(i * n)) << 3);
    for (let j = 0; j < n; j++) {
      const at = dst + ((<usize>j) << 3);
      let v = load<f64>(row + ((<usize>j) << 3)) + load<f64>(col);
      if (accumulate != 0) v += load<f64>(at);
      store<f64>(at, v);
      col += (<usize>m) << 3;
    }
  }
}

/** f64s of `work` that `tomoForward` and `tomoBack` need per thread: `4·nDet + 1`. */
export function tomoWorkLength(nDet: i32): i32 {
  return 4 * nDet + 1;
}

/** `work[k]` = where ray k starts (f0) for the angle (cs, sn); returns the step weight. */
function rayStarts(cs: f64, sn: f64, n: i32, nDet: i32, work: usize): f64 {
  const c = <f64>(n >> 1);
  const cd = <f64>(nDet >> 1);
  const byColumns = Math.abs(sn) >= Math.abs(cs);
  for (let k = 0; k < nDet; k++) {
    const t = <f64>k - cd;
    const f0 = byColumns ? c + 1 - (t + c * cs) / sn : c + 1 + (t - c * sn) / cs;
    store<f64>(work + ((<usize>k) << 3), f0);
  }
  return byColumns ? 1 / Math.abs(sn) : 1 / Math.abs(cs);
}

function inside(f0: usize, k: i32, sdf: f64, n: i32): bool {
  const f = load<f64>(f0 + ((<usize>k) << 3)) + sdf;
  return f >= 0 && f < <f64>(n + 1);
}

/** 2^52 in static data (a splatting load is one instruction; a v128 constant is several). */
const TWO52 = memory.data<f64>([4503599627370496.0]);

let runLo: i32 = 0;
let runHi: i32 = -1;

/** The detectors [runLo, runHi] whose rays are inside the pad at the step where s·df = sdf. */
function runAt(f0: usize, nDet: i32, sdf: f64, n: i32): void {
  const first = load<f64>(f0);
  let lo: i32 = 0;
  let hi: i32 = nDet - 1;
  if (nDet > 1) {
    const dk = load<f64>(f0, 8) - first;
    const ka = (0 - sdf - first) / dk;
    const kb = (<f64>(n + 1) - sdf - first) / dk;
    const top = <f64>(nDet - 1);
    lo = <i32>Math.max(0, Math.min(top + 1, Math.ceil(Math.min(ka, kb))));
    hi = <i32>Math.max(-1, Math.min(top, Math.floor(Math.max(ka, kb))));
    // Rounding can put the estimate a detector off: settle it with the exact test.
    while (lo > 0 && inside(f0, lo - 1, sdf, n)) lo--;
    while (hi < nDet - 1 && inside(f0, hi + 1, sdf, n)) hi++;
  }
  while (lo <= hi && !inside(f0, lo, sdf, n)) lo++;
  while (hi >= lo && !inside(f0, hi, sdf, n)) hi--;
  runLo = lo;
  runHi = hi;
}

/**
 * `sino (nAngles × nDet)` rows `angles[0..count)` = the projections of the image held in `pad`
 * (`tomoPad`); `trig` holds (cos θ, sin θ) per angle; `work` is `tomoWorkLength(nDet)` scratch.
 * With `keep` (a sinogram-shaped f64 array, or 0 for every ray) only the rays whose `keep` entry
 * is not 0 are projected, the others set to 0 (MLEM needs no projection where no count was
 * recorded). `work` holds the ray starts in detector order (for `runAt`), then those of the rays
 * kept beside their sums, then (i32) the rays kept below each detector, so that a run of
 * detectors maps to a run of slots.
 */
export function tomoForward(
  pad: usize,
  n: i32,
  trig: usize,
  angles: usize,
  count: i32,
  nDet: i32,
  sino: usize,
  work: usize,
  keep: usize,
): void {
  const m = n + 2;
  const padT = pad + ((<usize>(m * m)) << 3);
  const starts = work + ((<usize>nDet) << 3);
  const acc = work + ((<usize>(2 * nDet)) << 3);
  const below = work + ((<usize>(3 * nDet)) << 3);
  for (let a = 0; a < count; a++) {
    const angle = load<i32>(angles + ((<usize>a) << 2));
    const cs = load<f64>(trig + ((<usize>(2 * angle)) << 3));
    const sn = load<f64>(trig + ((<usize>(2 * angle + 1)) << 3));
    const byColumns = Math.abs(sn) >= Math.abs(cs);
    const base = byColumns ? padT : pad;
    const df = byColumns ? cs / sn : sn / cs;
    const w = rayStarts(cs, sn, n, nDet, work);
    const out = sino + ((<usize>(angle * nDet)) << 3);
    const mask: usize = keep == 0 ? 0 : keep + ((<usize>(angle * nDet)) << 3);
    let kept = 0;
    for (let k = 0; k < nDet; k++) {
      store<i32>(below + ((<usize>k) << 2), kept);
      if (mask != 0 && load<f64>(mask + ((<usize>k) << 3)) == 0) continue;
      store<f64>(starts + ((<usize>kept) << 3), load<f64>(work + ((<usize>k) << 3)));
      kept++;
    }
    store<i32>(below + ((<usize>nDet) << 2), kept);
    memory.fill(acc, 0, (<usize>kept) << 3);
    for (let s = 0; s < n && kept > 0; s++) {
      const sdf = <f64>s * df;
      runAt(work, nDet, sdf, n);
      if (runLo > runHi) continue;
      const row = base + ((<usize>((s + 1) * m)) << 3);
      const end = load<i32>(below + ((<usize>(runHi + 1)) << 2));
      const sdf2 = f64x2.splat(sdf);
      let k = load<i32>(below + ((<usize>runLo) << 2));
      for (; k + 3 < end; k += 4) {
        const at = (<usize>k) << 3;
        const f = f64x2.add(v128.load(starts + at), sdf2);
        const g = f64x2.add(v128.load(starts + at, 16), sdf2);
        // Positions are ≥ 0, so floor is the twin's trunc; the floor plus 2^52 holds it in its low
        // bits (i32 lanes 0 and 2), cheaper than a saturating conversion.
        const fl = f64x2.floor(f);
        const gl = f64x2.floor(g);
        const fr = f64x2.sub(f, fl);
        const gr = f64x2.sub(g, gl);
        const fi = f64x2.add(fl, v128.load64_splat(TWO52));
        const gi = f64x2.add(gl, v128.load64_splat(TWO52));
        const pa = v128.load(row + ((<usize>i32x4.extract_lane(fi, 0)) << 3));
        const pb = v128.load(row + ((<usize>i32x4.extract_lane(fi, 2)) << 3));
        const qa = v128.load(row + ((<usize>i32x4.extract_lane(gi, 0)) << 3));
        const qb = v128.load(row + ((<usize>i32x4.extract_lane(gi, 2)) << 3));
        const a0 = i64x2.shuffle(pa, pb, 0, 2);
        const a1 = i64x2.shuffle(pa, pb, 1, 3);
        const b0 = i64x2.shuffle(qa, qb, 0, 2);
        const b1 = i64x2.shuffle(qa, qb, 1, 3);
        const term = f64x2.add(a0, f64x2.mul(fr, f64x2.sub(a1, a0)));
        const term2 = f64x2.add(b0, f64x2.mul(gr, f64x2.sub(b1, b0)));
        v128.store(acc + at, f64x2.add(v128.load(acc + at), term));
        v128.store(acc + at, f64x2.add(v128.load(acc + at, 16), term2), 16);
      }
      for (; k + 1 < end; k += 2) {
        const at = (<usize>k) << 3;
        const f = f64x2.add(v128.load(starts + at), sdf2);
        const fl = f64x2.floor(f);
        const fr = f64x2.sub(f, fl);
        const fi = f64x2.add(fl, v128.load64_splat(TWO52));
        const pa = v128.load(row + ((<usize>i32x4.extract_lane(fi, 0)) << 3));
        const pb = v128.load(row + ((<usize>i32x4.extract_lane(fi, 2)) << 3));
        const a0 = i64x2.shuffle(pa, pb, 0, 2);
        const a1 = i64x2.shuffle(pa, pb, 1, 3);
        const term = f64x2.add(a0, f64x2.mul(fr, f64x2.sub(a1, a0)));
        v128.store(acc + at, f64x2.add(v128.load(acc + at), term));
      }
      if (k < end) {
        const at = (<usize>k) << 3;
        const f = load<f64>(starts + at) + sdf;
        const i0 = <i32>f;
        const fr = f - <f64>i0;
        const p = row + ((<usize>i0) << 3);
        const a0 = load<f64>(p);
        store<f64>(acc + at, load<f64>(acc + at) + (a0 + fr * (load<f64>(p, 8) - a0)));
      }
    }
    for (let k = 0; k < nDet; k++) {
      const slot = load<i32>(below + ((<usize>k) << 2));
      const on = slot < load<i32>(below + ((<usize>(k + 1)) << 2));
      store<f64>(out + ((<usize>k) << 3), on ? load<f64>(acc + ((<usize>slot) << 3)) * w : 0);
    }
  }
}

/**
 * `pad` = the back projection of `sino (nAngles × nDet)` rows `angles[0..count)`, in the layout
 * of `tomoPad` (sum both halves with `tomoUnpad`); `work` is `tomoWorkLength(nDet)` scratch.
 * Exactly the adjoint of `tomoForward`.
 *
 * Neighbouring rays may add to the same pixel, and a chain of read-add-writes through memory, one
 * ray waiting for the one before, would set the pace. So each step takes the even detectors, then
 * the odd ones (as the twin does): rays two apart are at least two pixels apart, and within one
 * pass no write waits on another. Rays whose weight is 0 add nothing and are left out, as the twin
 * leaves them out (MLEM's ratio is 0 wherever no count was recorded). `work` holds the ray starts
 * in detector order (for `runAt`), then those of the rays kept, evens first, then odds, beside
 * their weighted sinogram values in that order, then two counts per detector k (i32): the even
 * and the odd rays kept below k, so that a run of detectors maps to one run of slots per parity.
 */
export function tomoBack(
  sino: usize,
  n: i32,
  trig: usize,
  angles: usize,
  count: i32,
  nDet: i32,
  pad: usize,
  work: usize,
): void {
  const m = n + 2;
  const padT = pad + ((<usize>(m * m)) << 3);
  const starts = work + ((<usize>nDet) << 3);
  const weighted = work + ((<usize>(2 * nDet)) << 3);
  const below = work + ((<usize>(3 * nDet)) << 3);
  memory.fill(pad, 0, (<usize>(2 * m * m)) << 3);
  for (let a = 0; a < count; a++) {
    const angle = load<i32>(angles + ((<usize>a) << 2));
    const cs = load<f64>(trig + ((<usize>(2 * angle)) << 3));
    const sn = load<f64>(trig + ((<usize>(2 * angle + 1)) << 3));
    const byColumns = Math.abs(sn) >= Math.abs(cs);
    const base = byColumns ? padT : pad;
    const df = byColumns ? cs / sn : sn / cs;
    const w = rayStarts(cs, sn, n, nDet, work);
    const row = sino + ((<usize>(angle * nDet)) << 3);
    let evens = 0;
    let odds = 0;
    for (let k = 0; k < nDet; k++) {
      store<i32>(below + ((<usize>(2 * k)) << 2), evens);
      store<i32>(below + ((<usize>(2 * k + 1)) << 2), odds);
      if (load<f64>(row + ((<usize>k) << 3)) * w == 0) continue;
      if ((k & 1) == 0) evens++;
      else odds++;
    }
    store<i32>(below + ((<usize>(2 * nDet)) << 2), evens);
    store<i32>(below + ((<usize>(2 * nDet + 1)) << 2), odds);
    if (evens + odds == 0) continue;
    for (let k = 0; k < nDet; k++) {
      const v = load<f64>(row + ((<usize>k) << 3)) * w;
      if (v == 0) continue;
      const at = below + ((<usize>(2 * k)) << 2);
      const slot = (<usize>((k & 1) == 0 ? load<i32>(at) : evens + load<i32>(at, 4))) << 3;
      store<f64>(starts + slot, load<f64>(work + ((<usize>k) << 3)));
      store<f64>(weighted + slot, v);
    }
    for (let s = 0; s < n; s++) {
      const sdf = <f64>s * df;
      runAt(work, nDet, sdf, n);
      if (runLo > runHi) continue;
      const line = base + ((<usize>((s + 1) * m)) << 3);
      const lo = below + ((<usize>(2 * runLo)) << 2);
      const hi = below + ((<usize>(2 * runHi + 2)) << 2);
      backPass(line, starts, weighted, load<i32>(lo), load<i32>(hi), sdf);
      backPass(line, starts, weighted, evens + load<i32>(lo, 4), evens + load<i32>(hi, 4), sdf);
    }
  }
}

/** Adds the rays in slots [lo, end) of `starts` / `weighted` (no two sharing a pixel) to one pad row. */
function backPass(line: usize, starts: usize, weighted: usize, lo: i32, end: i32, sdf: f64): void {
  const sdf2 = f64x2.splat(sdf);
  let k = lo;
  for (; k + 3 < end; k += 4) {
    const at = (<usize>k) << 3;
    const f = f64x2.add(v128.load(starts + at), sdf2);
    const g = f64x2.add(v128.load(starts + at, 16), sdf2);
    // Positions are ≥ 0, so floor is the twin's trunc; the floor plus 2^52 holds it in its low
    // bits (i32 lanes 0 and 2), cheaper than a saturating conversion.
    const fl = f64x2.floor(f);
    const gl = f64x2.floor(g);
    const fr = f64x2.sub(f, fl);
    const gr = f64x2.sub(g, gl);
    const fi = f64x2.add(fl, v128.load64_splat(TWO52));
    const gi = f64x2.add(gl, v128.load64_splat(TWO52));
    const v = v128.load(weighted + at);
    const u = v128.load(weighted + at, 16);
    const b = f64x2.mul(fr, v);
    const c = f64x2.mul(gr, u);
    const rest = f64x2.sub(v, b);
    const restU = f64x2.sub(u, c);
    const pa = line + ((<usize>i32x4.extract_lane(fi, 0)) << 3);
    v128.store(pa, f64x2.add(v128.load(pa), i64x2.shuffle(rest, b, 0, 2)));
    const pb = line + ((<usize>i32x4.extract_lane(fi, 2)) << 3);
    v128.store(pb, f64x2.add(v128.load(pb), i64x2.shuffle(rest, b, 1, 3)));
    const pc = line + ((<usize>i32x4.extract_lane(gi, 0)) << 3);
    v128.store(pc, f64x2.add(v128.load(pc), i64x2.shuffle(restU, c, 0, 2)));
    const pd = line + ((<usize>i32x4.extract_lane(gi, 2)) << 3);
    v128.store(pd, f64x2.add(v128.load(pd), i64x2.shuffle(restU, c, 1, 3)));
  }
  for (; k + 1 < end; k += 2) {
    const at = (<usize>k) << 3;
    const f = f64x2.add(v128.load(starts + at), sdf2);
    const fl = f64x2.floor(f);
    const fr = f64x2.sub(f, fl);
    const fi = f64x2.add(fl, v128.load64_splat(TWO52));
    const v = v128.load(weighted + at);
    const b = f64x2.mul(fr, v);
    const rest = f64x2.sub(v, b);
    const pa = line + ((<usize>i32x4.extract_lane(fi, 0)) << 3);
    v128.store(pa, f64x2.add(v128.load(pa), i64x2.shuffle(rest, b, 0, 2)));
    const pb = line + ((<usize>i32x4.extract_lane(fi, 2)) << 3);
    v128.store(pb, f64x2.add(v128.load(pb), i64x2.shuffle(rest, b, 1, 3)));
  }
  if (k < end) {
    const at = (<usize>k) << 3;
    const v = load<f64>(weighted + at);
    const f = load<f64>(starts + at) + sdf;
    const i0 = <i32>f;
    const fr = f - <f64>i0;
    const p = line + ((<usize>i0) << 3);
    const b = fr * v;
    store<f64>(p, load<f64>(p) + (v - b));
    store<f64>(p, load<f64>(p, 8) + b, 8);
  }
}
