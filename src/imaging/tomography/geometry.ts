// The rays of the parallel-beam geometry, in the arithmetic the Wasm kernels use (the geometry is
// described at the top of assembly/imaging/tomography.ts): shared by the TypeScript twins and by
// ParallelBeamProjector.toCSR, so the exported matrix is the projector's own.

/** The steps [lo, hi] of a ray whose positions f0 + s·df lie in [0, n + 1). */
export function rayRange(f0: number, df: number, n: number): [number, number] {
  const inside = (s: number): boolean => {
    const f = f0 + s * df;
    return f >= 0 && f < n + 1;
  };
  let lo = 0;
  let hi = n - 1;
  if (df === 0) {
    if (!(f0 >= 0 && f0 < n + 1)) hi = -1;
  } else {
    const sa = (0 - f0) / df;
    const sb = (n + 1 - f0) / df;
    const top = n - 1;
    lo = Math.trunc(Math.max(0, Math.min(top + 1, Math.ceil(Math.min(sa, sb)))));
    hi = Math.trunc(Math.max(-1, Math.min(top, Math.floor(Math.max(sa, sb)))));
    while (lo > 0 && inside(lo - 1)) lo--;
    while (hi < n - 1 && inside(hi + 1)) hi++;
    while (lo <= hi && !inside(lo)) lo++;
    while (hi >= lo && !inside(hi)) hi--;
  }
  return [lo, hi];
}

/** One ray's constants: which half of the pad it reads, its start, slope and step weight. */
export interface Ray {
  byColumns: boolean;
  f0: number;
  df: number;
  w: number;
}

export function rayOf(cs: number, sn: number, n: number, nDet: number, k: number): Ray {
  const c = n >> 1;
  const t = k - (nDet >> 1);
  const byColumns = Math.abs(sn) >= Math.abs(cs);
  return {
    byColumns,
    df: byColumns ? cs / sn : sn / cs,
    w: byColumns ? 1 / Math.abs(sn) : 1 / Math.abs(cs),
    f0: byColumns ? c + 1 - (t + c * cs) / sn : c + 1 + (t - c * sn) / cs,
  };
}
