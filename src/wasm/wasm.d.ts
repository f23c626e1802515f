declare module '*.wasm' {
  /** The module's bytes, inlined by the bundler (esbuild's binary loader; a small plugin under Vitest). */
  const bytes: Uint8Array;
  export default bytes;
}

declare module '*.src' {
  /** A built script inlined as text (the fit worker). */
  const source: string;
  export default source;
}
