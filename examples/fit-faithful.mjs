// Fits a two-component Gaussian mixture to Old Faithful (eruption minutes, waiting minutes) with the
// built package and prints the model. Run with `npm start` (it builds first).
import { readFileSync } from 'node:fs';
import { GaussianMixture } from '../dist/index.js';

const text = readFileSync(new URL('./faithful.csv', import.meta.url), 'utf8');
const [header, ...lines] = text.trim().split(/\r?\n/);
const columns = header.split(',').map((c) => c.replaceAll('"', ''));
const X = lines.map((line) => line.split(',').map(Number));

const gm = await new GaussianMixture({
  nComponents: 2,
  covarianceType: 'full',
  nInit: 10,
  randomState: 0,
}).fit(X);

const fmt = (v) => v.toFixed(4).padStart(10);
const d = columns.length;
console.log(`Old Faithful: ${X.length} eruptions × ${d} features (${columns.join(', ')})`);
console.log(`GaussianMixture(nComponents=2, covarianceType='full', nInit=10, randomState=0)`);
console.log(`converged: ${gm.converged} after ${gm.nIter} iterations`);
console.log(
  `mean log-likelihood: ${gm.score(X).toFixed(6)}   BIC: ${gm.bic(X).toFixed(3)}   AIC: ${gm.aic(X).toFixed(3)}`,
);
const { weights, means, covariances } = gm;
for (let c = 0; c < 2; c++) {
  console.log(`\ncomponent ${c}: weight ${weights[c].toFixed(4)}`);
  console.log(`  mean       ${Array.from(means.subarray(c * d, c * d + d), fmt).join('')}`);
  for (let a = 0; a < d; a++) {
    const row = Array.from(covariances.subarray(c * d * d + a * d, c * d * d + a * d + d), fmt).join('');
    console.log(`  ${a === 0 ? 'covariance' : '          '} ${row}`);
  }
}
const labels = gm.predict(X);
const counts = [0, 0];
for (const l of labels) counts[l]++;
console.log(`\npredicted sizes: ${counts.join(' / ')}`);
