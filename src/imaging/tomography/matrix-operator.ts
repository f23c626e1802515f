import type { SystemMatrix } from './csr.js';
import { runShares, shares, type BoundOperator, type Operator } from './operator.js';
import type { TomographyWorkspace } from './workspace.js';

/** A validated CSR system matrix as an MLEM operator; blocks are its views (`rowsPerView` rows). */
export function matrixOperator(A: SystemMatrix): Operator {
  const width = A.rowsPerView ?? 1;
  return {
    rows: A.rows,
    cols: A.cols,
    width,
    nBlocks: A.rows / width,
    bind(ws: TomographyWorkspace, threads: number): BoundOperator {
      const nnz = A.indices.length;
      const indptr = ws.allocI32(A.rows + 1);
      const indices = ws.allocI32(nnz);
      const data = ws.allocF64(nnz);
      // Thread 0 writes its back projection straight into the output; the others into their own.
      const scratch = Array.from({ length: Math.max(0, threads - 1) }, () => ws.allocF64(A.cols));
      ws.i32(indptr, A.rows + 1).set(A.indptr);
      ws.i32(indices, nnz).set(A.indices);
      ws.f64(data, nnz).set(A.data);
      return {
        forward: (x, blocks, count, out) =>
          runShares(ws, 'csrForward', shares(blocks, count, threads), (b, c) => [
            indptr,
            indices,
            data,
            b,
            c,
            width,
            x,
            out,
          ]),
        back: async (v, blocks, count, out) => {
          const parts = shares(blocks, count, threads);
          await runShares(ws, 'csrBack', parts, (b, c, t) => [
            indptr,
            indices,
            data,
            b,
            c,
            width,
            v,
            A.cols,
            t === 0 ? out : scratch[t - 1],
          ]);
          if (parts.length > 1) {
            const into = ws.f64(out, A.cols);
            for (let t = 1; t < parts.length; t++) {
              const from = ws.f64(scratch[t - 1], A.cols);
              for (let j = 0; j < A.cols; j++) into[j] += from[j];
            }
          }
        },
      };
    },
  };
}
