/** First free byte above the module's static data: the host places its arrays from here on. */
export function heapBase(): usize {
  return __heap_base;
}
