/** True under Node (also in its worker threads); false in browsers and their workers. */
export const isNode =
  typeof process !== 'undefined' && !!process.versions?.node && typeof self === 'undefined';

/** Imports a Node built-in; a variable specifier keeps browser bundlers from trying to resolve it. */
export async function importNode<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ name)) as T;
}
