// Hidden-Markov-model kernels: lattices in log space, Viterbi, and the emission families' steps.
export { hmmLatticeStride, hmmWorkLength, hmmForward, hmmBackward } from './lattice';
export { hmmViterbi } from './viterbi';
export {
  categoricalLogProb,
  accumulateCategorical,
  poissonLogProb,
  multinomialLogProb,
  mixtureStateLogProb,
  weightMixturePosteriors,
} from './emissions';
