// A two-lane natural logarithm for the exact (log-space) path of the lattice kernels, which takes
// one log per state and step. Same reduction and polynomial as fdlibm's __ieee754_log.

const LOG_CONSTANTS = memory.data<f64>([
  // 0, 1: ln 2 split so that k·hi is exact (fdlibm's ln2_hi, ln2_lo)
  6.9314718036912381649e-1, 1.90821492927058770002e-10,
  // 2..8: fdlibm's Lg1 .. Lg7, log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)) with s = f / (2 + f)
  6.66666666666673513e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1,
  1.818357216161805012e-1, 1.531383769920937332e-1, 1.479819860511658591e-1,
  // 9: 1.5·2^52, to turn a small integer held in the low mantissa bits into an f64
  6755399441055744.0, 0.5, 1.0, 2.0,
]);

// Integer masks and offsets of the reduction (fdlibm's high-word constants, in 64-bit lanes).
const LOG_BITS = memory.data<i64>([0x000fffff, 0x95f64, 0x100000, 0x3ff00000, 0xffffffff, 1023]);

// Constants are read with load64_splat: V8 materialises a v128 constant with several instructions
// at every use, a splatting load is one.
function constant(index: i32): v128 {
  return v128.load64_splat(LOG_CONSTANTS + ((<usize>index) << 3));
}

function bits(index: i32): v128 {
  return v128.load64_splat(LOG_BITS + ((<usize>index) << 3));
}

/**
 * `log` of both lanes, within about 1 ulp, for positive normal inputs (the only ones the kernels
 * use: they test a sum against a floor far above the subnormals before using its log).
 */
function logF64x2(x: v128): v128 {
  const high = i64x2.shr_u(x, 32);
  const hx = v128.and(high, bits(0));
  // Mantissas at or above √2 are halved (and the exponent raised) so that m lies in [√2/2, √2).
  const half = v128.and(i64x2.add(hx, bits(1)), bits(2));
  const mHigh = v128.or(hx, v128.xor(half, bits(3)));
  const m = v128.or(i64x2.shl(mHigh, 32), v128.and(x, bits(4)));
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(high, 20), bits(5)), i64x2.shr_u(half, 20));
  const dk = f64x2.sub(i64x2.add(k, constant(9)), constant(9));
  const f = f64x2.sub(m, constant(11));
  const s = f64x2.div(f, f64x2.add(constant(12), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(
    w,
    f64x2.add(constant(3), f64x2.mul(w, f64x2.add(constant(5), f64x2.mul(w, constant(7))))),
  );
  const t2 = f64x2.mul(
    z,
    f64x2.add(
      constant(2),
      f64x2.mul(w, f64x2.add(constant(4), f64x2.mul(w, f64x2.add(constant(6), f64x2.mul(w, constant(8)))))),
    ),
  );
  const r = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(constant(10), f), f);
  const inner = f64x2.sub(
    f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(dk, constant(1)))),
    f,
  );
  return f64x2.sub(f64x2.mul(dk, constant(0)), inner);
}

/** `out[i] = log(a[i])` for `count` (even) f64s; only positive normal inputs give meaningful results. */
export function logInto(a: usize, out: usize, count: i32): void {
  const end = a + ((<usize>count) << 3);
  for (let p = a, q = out; p < end; p += 16, q += 16) v128.store(q, logF64x2(v128.load(p)));
}
