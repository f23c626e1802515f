export { selectModel } from './select-model';
export type {
  SelectModelOptions,
  SelectionResult,
  SelectionRow,
  SelectionCriterion,
  SelectionProgress,
  SelectionModelOptions,
} from './select-model';
export { plotSelection } from './plot-selection';
export type { PlotSelectionOptions } from './plot-selection';
