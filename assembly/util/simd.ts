// f64x2 helpers shared by the SIMD kernels. Constants live in read-only static data and are read
// with load64_splat: V8 materialises a v128 constant with several instructions at every use, a
// splatting load is one.

// 2^(j/32) for j = 0..31, each correctly rounded (computed with 60-digit decimals).
const EXP2_TABLE = memory.data<f64>([
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237, 1.0905077326652577, 1.1143867425958924,
  1.1387886347566916, 1.1637248587775775, 1.189207115002721, 1.215247359980469, 1.241857812073484,
  1.2690509571917332, 1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228, 1.5422108254079407,
  1.5759808451078865, 1.6104903319492543, 1.645755478153965, 1.681792830507429, 1.718619298122478,
  1.7562521603732995, 1.7947090750031072, 1.8340080864093424, 1.8741676341103, 1.9152065613971474,
  1.9571441241754002,
]);

const EXP_CONSTANTS = memory.data<f64>([
  // 0: 32 / ln 2
  46.16624130844683,
  // 1, 2: ln 2 / 32 split so that k·hi is exact for |k| < 2^21 (fdlibm's ln2_hi, ln2_lo, over 32)
  6.9314718036912381649e-1 / 32.0,
  1.90821492927058770002e-10 / 32.0,
  // 3: 1.5·2^52: adding it rounds to an integer and leaves that integer in the low mantissa bits
  6755399441055744.0,
  // 4: below this the result would be subnormal, which the exponent trick cannot build: 0 instead
  -708.39,
  // 5..9: Taylor coefficients 1/2! .. 1/6!
  1.0 / 2.0,
  1.0 / 6.0,
  1.0 / 24.0,
  1.0 / 120.0,
  1.0 / 720.0,
]);

function constant(index: i32): v128 {
  return v128.load64_splat(EXP_CONSTANTS + ((<usize>index) << 3));
}

/**
 * `exp` of both lanes for x ≤ 709.78 (not NaN), within 1 ulp of the correctly rounded value:
 * x = (32m + j)·ln2/32 + r with |r| ≤ ln2/64, e^r − 1 by its Taylor polynomial to degree 6
 * (truncation < 4e−18), times 2^(j/32) from a table, with 2^m added into the exponent bits.
 * Results below the smallest normal f64 (x < −708.39, including −∞) are exactly 0.
 */
export function expF64x2(x: v128): v128 {
  const lo = constant(4);
  const xc = f64x2.pmax(x, lo);
  const kf = f64x2.add(f64x2.mul(xc, constant(0)), constant(3));
  const kn = f64x2.sub(kf, constant(3));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(kn, constant(1))), f64x2.mul(kn, constant(2)));
  const j0 = ((<usize>i64x2.extract_lane(kf, 0)) & 31) << 3;
  const j1 = ((<usize>i64x2.extract_lane(kf, 1)) & 31) << 3;
  const t = v128.load64_lane(EXP2_TABLE + j1, v128.load64_zero(EXP2_TABLE + j0), 1);
  const r2 = f64x2.mul(r, r);
  const q = f64x2.add(
    f64x2.add(constant(5), f64x2.mul(r, constant(6))),
    f64x2.mul(r2, f64x2.add(f64x2.add(constant(7), f64x2.mul(r, constant(8))), f64x2.mul(r2, constant(9)))),
  );
  const y = f64x2.add(t, f64x2.mul(t, f64x2.add(r, f64x2.mul(r2, q))));
  // Bits 5.. of kf's low mantissa hold m = floor(n / 32) modulo 2^12: added at bit 52 it scales y by 2^m.
  const e = i64x2.add(y, i64x2.shl(i64x2.shr_u(kf, 5), 52));
  return v128.andnot(e, f64x2.lt(x, lo));
}

/** `a[i] = exp(a[i])` for the `count` f64s at `a` (count even, every value at most 709.78 and not NaN). */
export function expInPlace(a: usize, count: i32): void {
  const end = a + ((<usize>count) << 3);
  for (let p = a; p < end; p += 16) v128.store(p, expF64x2(v128.load(p)));
}

/**
 * `a[i] = exp(a[i] − shift)` for the `count` f64s at `a` (every `a[i] − shift` at most 709.78 and not
 * NaN); returns their sum. An odd last value takes one lane of a vector.
 */
export function expShiftSum(a: usize, count: i32, shift: f64): f64 {
  const sv = f64x2.splat(shift);
  let acc = f64x2.splat(0.0);
  const end = a + ((<usize>(count & ~1)) << 3);
  for (let p = a; p < end; p += 16) {
    const e = expF64x2(f64x2.sub(v128.load(p), sv));
    v128.store(p, e);
    acc = f64x2.add(acc, e);
  }
  if (count & 1) {
    const e = f64x2.extract_lane(expF64x2(f64x2.splat(load<f64>(end) - shift)), 0);
    store<f64>(end, e);
    acc = f64x2.add(acc, f64x2(e, 0.0));
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

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

function logConstant(index: i32): v128 {
  return v128.load64_splat(LOG_CONSTANTS + ((<usize>index) << 3));
}

function logBits(index: i32): v128 {
  return v128.load64_splat(LOG_BITS + ((<usize>index) << 3));
}

/**
 * `log` of both lanes within about 1 ulp for positive normal finite x, by fdlibm's
 * `__ieee754_log` reduction and polynomial without its branches: x = 2^k·(1 + f) with 1 + f in
 * [√2/2, √2). NaN in gives NaN out; 0, negatives, subnormals and ∞ are outside its domain (the
 * callers pass row sums in [1, K], or sums tested against a floor far above the subnormals).
 */
export function logF64x2(x: v128): v128 {
  const high = i64x2.shr_u(x, 32);
  const hx = v128.and(high, logBits(0));
  // Mantissas at or above √2 are halved (and the exponent raised) so that m lies in [√2/2, √2).
  const half = v128.and(i64x2.add(hx, logBits(1)), logBits(2));
  const mHigh = v128.or(hx, v128.xor(half, logBits(3)));
  const m = v128.or(i64x2.shl(mHigh, 32), v128.and(x, logBits(4)));
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(high, 20), logBits(5)), i64x2.shr_u(half, 20));
  const dk = f64x2.sub(i64x2.add(k, logConstant(9)), logConstant(9));
  const f = f64x2.sub(m, logConstant(11));
  const s = f64x2.div(f, f64x2.add(logConstant(12), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(
    w,
    f64x2.add(logConstant(3), f64x2.mul(w, f64x2.add(logConstant(5), f64x2.mul(w, logConstant(7))))),
  );
  const t2 = f64x2.mul(
    z,
    f64x2.add(
      logConstant(2),
      f64x2.mul(
        w,
        f64x2.add(logConstant(4), f64x2.mul(w, f64x2.add(logConstant(6), f64x2.mul(w, logConstant(8))))),
      ),
    ),
  );
  const r = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(logConstant(10), f), f);
  const inner = f64x2.sub(
    f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(dk, logConstant(1)))),
    f,
  );
  // x − x is 0 for finite x and NaN for NaN: NaN propagates through the bit manipulation above.
  return f64x2.add(f64x2.sub(f64x2.mul(dk, logConstant(0)), inner), f64x2.sub(x, x));
}

/** `out[i] = log(a[i])` for `count` (even) f64s; only positive normal inputs give meaningful results. */
export function logInto(a: usize, out: usize, count: i32): void {
  const end = a + ((<usize>count) << 3);
  for (let p = a, q = out; p < end; p += 16, q += 16) v128.store(q, logF64x2(v128.load(p)));
}
