declare module '*.wasm' {
  /** The module's bytes, inlined by the bundler (esbuild's binary loader; a small plugin under Vitest). */
  const bytes: Uint8Array;
  export default bytes;
}
