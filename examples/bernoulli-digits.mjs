// Clusters 600 binarized 8x8 digit images (scikit-learn's copy of the UCI digits, pixel >= 8 -> 1)
// with a ten-component Bernoulli mixture and draws each component's pixel probabilities.
// Run with `npm run build && node examples/bernoulli-digits.mjs`.
import { readFileSync } from 'node:fs';
import { BernoulliMixture } from '../dist/index.js';

const rows = readFileSync(new URL('../test/fixtures/discrete/digits-binary.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(',').map(Number));
const X = rows.map((r) => r.slice(0, 64));
const digits = rows.map((r) => r[64]);

const bm = await new BernoulliMixture({ nComponents: 10, nInit: 3, randomState: 0 }).fit(X);
const labels = bm.predict(X);
console.log(`BernoulliMixture(nComponents=10, alpha=${bm.alpha}): ${X.length} images × 64 pixels`);
console.log(`converged: ${bm.converged} after ${bm.nIter} iterations, BIC ${bm.bic(X).toFixed(1)}\n`);

const shades = ' .:-=+*#%@';
const p = bm.probabilities;
for (let c = 0; c < 10; c++) {
  const tally = new Array(10).fill(0);
  labels.forEach((l, i) => l === c && tally[digits[i]]++);
  const size = tally.reduce((a, b) => a + b, 0);
  const top = tally.indexOf(Math.max(...tally));
  console.log(
    `component ${c}: weight ${bm.weights[c].toFixed(3)}, ${size} images, ${tally[top]} of them a ${top}`,
  );
  for (let y = 0; y < 8; y++) {
    let line = '  ';
    for (let x = 0; x < 8; x++) line += shades[Math.min(9, Math.floor(p[c * 64 + y * 8 + x] * 10))].repeat(2);
    console.log(line);
  }
}
