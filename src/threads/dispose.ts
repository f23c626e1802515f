import { threadPool } from './pool.js';

/**
 * Ends emwasm's worker threads. Optional in Node, where idle workers never keep the process
 * alive; useful in long-lived pages or servers that are done fitting. A later threaded fit starts
 * new workers.
 */
export function dispose(): Promise<void> {
  return threadPool.dispose();
}
