export { selectModel } from './select-model.js';
export type {
  SelectModelOptions,
  SelectionResult,
  SelectionRow,
  SelectionCriterion,
  SelectionProgress,
  SelectionModelOptions,
  SelectableModel,
} from './select-model.js';
export { plotSelection } from './plot-selection.js';
export type { PlotSelectionOptions } from './plot-selection.js';
