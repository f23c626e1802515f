// The system-matrix products and the element-wise steps of MLEM / OSEM. The contract is the
// TomographyKernels interface (src/imaging/tomography/kernels.ts). Rows go in blocks: `blocks`
// lists `count` block indices (i32), block b being rows [b·width, (b + 1)·width) — one projection
// angle of a sinogram, or `width` rows of a CSR matrix — so one kernel serves a full pass, an
// ordered subset and one thread's share of either.

/** `out[r] = Σ_e data[e]·x[indices[e]]` over e in [indptr[r], indptr[r + 1]) for the listed blocks' rows. */
export function csrForward(
  indptr: usize,
  indices: usize,
  data: usize,
  blocks: usize,
  count: i32,
  width: i32,
  x: usize,
  out: usize,
): void {
  for (let b = 0; b < count; b++) {
    const first = load<i32>(blocks + ((<usize>b) << 2)) * width;
    for (let r = first; r < first + width; r++) {
      const end = load<i32>(indptr + ((<usize>(r + 1)) << 2));
      let acc: f64 = 0;
      for (let e = load<i32>(indptr + ((<usize>r) << 2)); e < end; e++) {
        const col = load<i32>(indices + ((<usize>e) << 2));
        acc += load<f64>(data + ((<usize>e) << 3)) * load<f64>(x + ((<usize>col) << 3));
      }
      store<f64>(out + ((<usize>r) << 3), acc);
    }
  }
}

/** `out (cols)` = Σ over the listed blocks' rows r of `v[r]` times row r of the matrix. */
export function csrBack(
  indptr: usize,
  indices: usize,
  data: usize,
  blocks: usize,
  count: i32,
  width: i32,
  v: usize,
  cols: i32,
  out: usize,
): void {
  memory.fill(out, 0, (<usize>cols) << 3);
  for (let b = 0; b < count; b++) {
    const first = load<i32>(blocks + ((<usize>b) << 2)) * width;
    for (let r = first; r < first + width; r++) {
      const vr = load<f64>(v + ((<usize>r) << 3));
      if (vr == 0) continue;
      const end = load<i32>(indptr + ((<usize>(r + 1)) << 2));
      for (let e = load<i32>(indptr + ((<usize>r) << 2)); e < end; e++) {
        const at = out + ((<usize>load<i32>(indices + ((<usize>e) << 2))) << 3);
        store<f64>(at, load<f64>(at) + load<f64>(data + ((<usize>e) << 3)) * vr);
      }
    }
  }
}

/**
 * The E-step of the listed blocks' rows: with q = proj[r] + background[r] (no background when
 * `background` is 0), `ratio[r]` = y[r] / q (0 where y[r] = 0); returns Σ y·log q − q over the
 * rows with y > 0 (−∞ when one has q = 0) less the background of the rows with y = 0, whose
 * projections are not read (MLEM accounts for them as x · Aᵀ[y = 0]).
 */
export function mlemRatio(
  y: usize,
  proj: usize,
  background: usize,
  blocks: usize,
  count: i32,
  width: i32,
  ratio: usize,
): f64 {
  let total: f64 = 0;
  for (let b = 0; b < count; b++) {
    const first = load<i32>(blocks + ((<usize>b) << 2)) * width;
    for (let r = first; r < first + width; r++) {
      const at = (<usize>r) << 3;
      const yr = load<f64>(y + at);
      if (yr > 0) {
        let q = load<f64>(proj + at);
        if (background != 0) q += load<f64>(background + at);
        total += yr * Math.log(q) - q;
        store<f64>(ratio + at, yr / q);
      } else {
        if (background != 0) total -= load<f64>(background + at);
        store<f64>(ratio + at, 0);
      }
    }
  }
  return total;
}

/** The M-step `x[j] ← x[j]·back[j] / sensitivity[j]` (0 where the sensitivity is 0), j < n. */
export function mlemUpdate(x: usize, back: usize, sensitivity: usize, n: i32): void {
  for (let j = 0; j < n; j++) {
    const at = (<usize>j) << 3;
    const s = load<f64>(sensitivity + at);
    store<f64>(x + at, s > 0 ? (load<f64>(x + at) * load<f64>(back + at)) / s : 0);
  }
}
