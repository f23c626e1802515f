// f64x2 helpers shared by the SIMD kernels. Constants live in read-only static data and are read
// with load64_splat: V8 materialises a v128 constant with several instructions at every use, a
// splatting load is one.

// 2^(j/128) for j = 0..127 as pairs (t_j, c_j): t_j correctly rounded and c_j the rounded relative
// remainder (2^(j/128) − t_j) / t_j, so t_j·(1 + c_j) carries about 106 bits (computed with
// 60-digit decimals). A pair is 16 bytes: one v128 load per lane brings both.
// prettier-ignore
const EXP2_TABLE = memory.data<f64>([
  1.0, 0.0,
  1.0054299011128027, 9.447885451727066e-17,
  1.0108892860517005, -1.507066976926039e-17,
  1.016378314910953, -5.679155082825012e-17,
  1.0218971486541166, 4.9997448722726326e-17,
  1.0274459491187637, -4.823683599994895e-17,
  1.0330248790212284, 7.357846871247418e-18,
  1.0386341019613787, 5.773230223741951e-17,
  1.0442737824274138, 8.189317638195515e-17,
  1.0499440858006872, 5.326891139980878e-17,
  1.0556451783605572, 1.6665881442326747e-18,
  1.061377227289262, -1.128113245461828e-17,
  1.0671404006768237, -7.402825309426177e-17,
  1.0729348675259756, -3.578659767309563e-18,
  1.0787607977571199, -6.170654745608695e-17,
  1.0846183622133092, 2.919139999949279e-17,
  1.0905077326652577, -2.7939114859515733e-17,
  1.0964290818163769, -5.399285355184285e-17,
  1.102382583307841, 4.776959425256223e-17,
  1.1083684117236787, -7.927701432338473e-17,
  1.1143867425958924, 9.341710609905046e-17,
  1.1204377524096067, -5.534520675707472e-17,
  1.1265216186082418, 4.585670326662351e-17,
  1.1326385195987192, 2.8582430411116143e-17,
  1.1387886347566916, 7.826573258636076e-17,
  1.1449721444318042, 4.053626906769216e-17,
  1.1511892299529827, 2.823784425951061e-17,
  1.1574400736337511, -7.882802262487991e-17,
  1.1637248587775775, 3.2904726646008416e-17,
  1.1700437696832502, -1.5792094703347882e-18,
  1.1763969916502812, 4.721368121170128e-17,
  1.182784710984341, 1.3045277096919659e-17,
  1.189207115002721, 3.3484623336251524e-17,
  1.1956643920398273, 3.8611199774925664e-17,
  1.202156731452703, 5.527550048505249e-17,
  1.2086843236265816, -3.927184172445234e-17,
  1.215247359980469, -6.346552106729483e-17,
  1.2218460329727576, -8.684417614865944e-17,
  1.22848053610687, -1.5456342819397733e-17,
  1.2351510639369334, -8.70763476495455e-17,
  1.241857812073484, 3.750854201303127e-17,
  1.2486009771892048, -6.616854503526488e-17,
  1.255380757024691, -5.346099009198751e-18,
  1.2621973503942507, -2.443726321015018e-17,
  1.2690509571917332, 2.1023049675215714e-18,
  1.275941778396392, 7.771067937501065e-17,
  1.2828700160787783, 1.3357510088834541e-17,
  1.2898358734066657, 6.938291696959204e-17,
  1.2968395546510096, 1.9572585293112036e-17,
  1.3038812651919358, 6.632256961675804e-17,
  1.3109612115247644, -5.478069123926778e-17,
  1.318079601266064, -4.140839310392624e-17,
  1.3252366431597413, -2.1571477251208752e-17,
  1.3324325470831615, -3.8287766552120535e-17,
  1.339667524053303, 6.663804589232195e-17,
  1.3469417862329458, 2.3936187400285282e-17,
  1.3542555469368927, 5.68648095791174e-17,
  1.3616090206382248, 1.1264523354521684e-18,
  1.3690024229745905, 7.007875046906994e-17,
  1.3764359707545302, -5.0119214278381254e-17,
  1.383909881963832, -4.8923067513522756e-17,
  1.3914243757719262, -3.5260089953269434e-17,
  1.3989796725383112, -6.872303720902018e-17,
  1.4065759938190154, 5.001446664133532e-18,
  1.4142135623730951, -6.835808657661922e-17,
  1.4218926021691656, -1.1307344092910212e-17,
  1.42961333839197, -8.416011634717156e-18,
  1.4373759974489824, -2.9247977035436566e-17,
  1.4451808069770467, -2.092304381843353e-17,
  1.4530279958490526, -3.9778645875427124e-17,
  1.460917794180647, -3.833464968654295e-17,
  1.4688504333369818, 5.763611164480894e-17,
  1.4768261459394993, -2.3591094770850053e-17,
  1.4848451658727524, 7.260074661098575e-17,
  1.4929077282912648, 9.50689710108796e-18,
  1.5010140696264256, -4.272956133839906e-17,
  1.5091644275934228, -6.735219232374683e-17,
  1.5173590411982147, -2.8396044410430936e-17,
  1.5255981507445384, -7.226635472101257e-17,
  1.533881997840956, 5.786121003395918e-17,
  1.5422108254079407, 5.1548301170786783e-17,
  1.550584877685, -9.416257568878152e-18,
  1.559004400237837, 2.4253985766689806e-17,
  1.567469639965553, -6.604314051707707e-17,
  1.5759808451078865, -6.432131775424189e-18,
  1.5845382652524937, -1.2204007601863921e-17,
  1.593142151342267, -6.336161863401293e-17,
  1.6017927556826934, -3.7800879246373815e-17,
  1.6104903319492543, 1.5341410053603723e-17,
  1.6192351351948637, 1.2932855580427452e-17,
  1.6280274218573478, -4.123367330661149e-17,
  1.6368674497669644, 4.703083974463456e-17,
  1.645755478153965, -6.152602891550265e-17,
  1.6546917676561943, 5.827849326195279e-17,
  1.6636765803267364, 3.540948262646183e-17,
  1.6727101796415966, -3.2741571320938764e-17,
  1.681792830507429, 4.875160526227062e-17,
  1.6909247992693053, -5.718569790077838e-17,
  1.7001063537185235, -4.719539664590972e-18,
  1.709337763100463, -5.773451958805706e-17,
  1.718619298122478, -1.0772487078934056e-17,
  1.7279512309618377, -6.221808618533911e-17,
  1.7373338352737062, 1.821405440362259e-17,
  1.746767386199169, -6.155536546227639e-17,
  1.7562521603732995, 1.685487290628973e-17,
  1.7657884359332727, 5.3581249177694816e-17,
  1.7753764925265212, 3.621615935336894e-17,
  1.785016611318935, 8.588379527574144e-18,
  1.7947090750031072, 1.01562190116415e-17,
  1.804454167806624, -2.869134889187244e-17,
  1.8142521755003989, -5.495118966122005e-17,
  1.8241033854070534, -5.56965572431627e-17,
  1.8340080864093424, 1.790126907604513e-17,
  1.843966568958626, -3.2211766346200164e-17,
  1.8539791250833855, 5.265370768556274e-17,
  1.864046048397789, 3.5089866402403033e-17,
  1.8741676341103, -3.266924100901318e-17,
  1.8843441790323345, -4.3657593008079375e-17,
  1.8945759815869656, 1.7963932659833022e-17,
  1.9048633418176741, 3.4300925275214166e-17,
  1.9152065613971474, -5.545065618639427e-17,
  1.925605943636125, -5.149009745457733e-17,
  1.9360617934922943, 5.336805878514151e-17,
  1.9465744175792332, 3.498978661192973e-17,
  1.9571441241754002, 4.5784915277060095e-17,
  1.9677712232331759, -5.241934575393899e-17,
  1.978456026387951, 2.0414278897578303e-17,
  1.9891988469672663, 4.124842848606488e-18,
]);

const EXP_CONSTANTS = memory.data<f64>([
  // 0: 128 / ln 2
  184.6649652337873,
  // 1, 2: ln 2 / 128 split so that n·hi is exact for |n| < 2^21 (fdlibm's ln2_hi, ln2_lo, over 128)
  6.9314718036912381649e-1 / 128.0,
  1.90821492927058770002e-10 / 128.0,
  // 3: 1.5·2^52: adding it rounds to an integer and leaves that integer in the low mantissa bits
  6755399441055744.0,
  // 4: below this the result would be subnormal, which the exponent trick cannot build: 0 instead
  -708.39,
  // 5..8: Taylor coefficients 1/2! .. 1/5!
  1.0 / 2.0,
  1.0 / 6.0,
  1.0 / 24.0,
  1.0 / 120.0,
]);

function constant(index: i32): v128 {
  return v128.load64_splat(EXP_CONSTANTS + ((<usize>index) << 3));
}

// Vector helpers worth inlining into a kernel's inner loop: V8 keeps no v128 register across a call,
// so a call spills the caller's live vectors and reloads the callee's constants (the exp ran 15%
// faster inlined). AssemblyScript inlines on `@inline`, which Prettier parses only on class members,
// so they are static methods of a class with no instances.
export class F64x2Math {
  /**
   * `exp` of both lanes for x ≤ 709.78, within 0.52 ulp of the exact value (0.508 measured on
   * 1.5·10^6 points against 40-digit references): x = (128m + j)·ln2/128 + r with |r| ≤ ln2/256,
   * e^r − 1 by its Taylor polynomial to degree 5 (truncation < 6e−19), times 2^(j/128) from a
   * two-part table (so the table adds no rounding of its own), with 2^m added into the exponent bits.
   * Results below the smallest normal f64 (x < −708.39, including −∞) are exactly 0. NaN gives NaN
   * unless its payload has one of bits 7–18 set (the NaN of 0/0 or ∞ − ∞ has none).
   */
  @inline
  static exp(x: v128): v128 {
    // No clamp before the reduction: a lane below the range may read any table pair (the index is
    // masked) and compute garbage, which the final mask replaces with 0.
    const kf = f64x2.add(f64x2.mul(x, constant(0)), constant(3));
    const kn = f64x2.sub(kf, constant(3));
    const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kn, constant(1))), f64x2.mul(kn, constant(2)));
    const pair0 = v128.load(EXP2_TABLE + (((<usize>i64x2.extract_lane(kf, 0)) & 127) << 4));
    const pair1 = v128.load(EXP2_TABLE + (((<usize>i64x2.extract_lane(kf, 1)) & 127) << 4));
    const t = i64x2.shuffle(pair0, pair1, 0, 2);
    const c = i64x2.shuffle(pair0, pair1, 1, 3);
    const r2 = f64x2.mul(r, r);
    const q = f64x2.add(
      f64x2.add(constant(5), f64x2.mul(r, constant(6))),
      f64x2.mul(r2, f64x2.add(constant(7), f64x2.mul(r, constant(8)))),
    );
    const y = f64x2.add(t, f64x2.mul(t, f64x2.add(f64x2.add(c, r), f64x2.mul(r2, q))));
    // Bits 7.. of kf's low mantissa hold m = floor(n / 128) modulo 2^12: added at bit 52 it scales y by 2^m.
    const e = i64x2.add(y, i64x2.shl(i64x2.shr_u(kf, 7), 52));
    return v128.andnot(e, f64x2.lt(x, constant(4)));
  }
}

/** `a[i] = exp(a[i])` for the `count` f64s at `a` (count even, every value at most 709.78 and not NaN). */
export function expInPlace(a: usize, count: i32): void {
  const end = a + ((<usize>count) << 3);
  for (let p = a; p < end; p += 16) v128.store(p, F64x2Math.exp(v128.load(p)));
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
    const e = F64x2Math.exp(f64x2.sub(v128.load(p), sv));
    v128.store(p, e);
    acc = f64x2.add(acc, e);
  }
  if (count & 1) {
    const e = f64x2.extract_lane(F64x2Math.exp(f64x2.splat(load<f64>(end) - shift)), 0);
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

/** `out[i] = exp(a[i])` for `count` (even) f64s, each at most 709.78. */
export function expInto(a: usize, out: usize, count: i32): void {
  const end = a + ((<usize>count) << 3);
  for (let p = a, q = out; p < end; p += 16, q += 16) v128.store(q, F64x2Math.exp(v128.load(p)));
}

/** `out[i] = log(a[i])` for `count` (even) f64s; only positive normal inputs give meaningful results. */
export function logInto(a: usize, out: usize, count: i32): void {
  const end = a + ((<usize>count) << 3);
  for (let p = a, q = out; p < end; p += 16, q += 16) v128.store(q, logF64x2(v128.load(p)));
}

/**
 * A bit mask of `length` ≤ 64 f64s at `p`: bit j is set where value j is nonzero, or, with `ones`
 * (a compile-time constant after `inline.always`), where it equals 1. Two values per vector
 * compare; the compressions of count and 0/1 rows go over a row by such chunks.
 */
export function chunkMask(ones: bool, p: usize, length: i32): u64 {
  const ref = f64x2.splat(ones ? 1.0 : 0.0);
  let mask: u64 = 0;
  let j = 0;
  for (; j + 1 < length; j += 2) {
    const u = v128.load(p + ((<usize>j) << 3));
    const bits = <u64>i64x2.bitmask(ones ? f64x2.eq(u, ref) : f64x2.ne(u, ref));
    mask |= bits << (<u64>j);
  }
  if (j < length) {
    const v = load<f64>(p + ((<usize>j) << 3));
    mask |= (<u64>(ones ? v == 1.0 : v != 0.0)) << (<u64>j);
  }
  return mask;
}
