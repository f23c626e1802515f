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
