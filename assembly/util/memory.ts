// Element access over raw byte offsets. Kernels receive pointers and sizes only; these helpers keep
// the index arithmetic in one place. Binaryen inlines them at -O3.

export type float = f64;

export function ld(base: usize, index: i32): f64 {
  return load<f64>(base + ((<usize>index) << 3));
}

export function st(base: usize, index: i32, value: f64): void {
  store<f64>(base + ((<usize>index) << 3), value);
}

export function ldi(base: usize, index: i32): i32 {
  return load<i32>(base + ((<usize>index) << 2));
}

export function sti(base: usize, index: i32, value: i32): void {
  store<i32>(base + ((<usize>index) << 2), value);
}

/**
 * A non-negative integer v < 2^31 held in an f64, as an i32: 2^52 added leaves it in the low
 * mantissa bits. V8 compiles this to an add and a move, where `<i32>v` (i32.trunc_sat_f64_s)
 * costs it about 5 ns (positions, category codes and counts in the family kernels).
 */
export function smallInt(v: f64): i32 {
  return <i32>reinterpret<i64>(v + 4503599627370496.0);
}
