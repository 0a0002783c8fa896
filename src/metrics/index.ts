// src/metrics: classification metrics equal to scikit-learn's, as pure functions (no node, no editor).
//   classification.ts  confusion matrix, accuracy, balanced accuracy, per-class precision/recall/F1/support
//   auc.ts             ROC AUC: binary (ties as average ranks), one-vs-rest per class, multi-label per label
//   multilabel.ts      per-label precision/recall/F1/support and accuracy at 0.5
//   roc.ts             ROC curve points (as roc_curve), thinned for plots
//   report.ts          the report of a split, in the shape of `cnn evaluate --json`

export { accuracy, argmaxRows, balancedAccuracy, confusionMatrix, perClassScores, type ClassScores } from './classification';
export { binaryAuc, multiLabelAccuracy, multiLabelAuc, ovrAuc, type AucSummary } from './auc';
export { multiLabelReport, singleLabelReport, type MultiLabelReport, type SingleLabelReport } from './report';
export { perLabelAccuracy, perLabelScores } from './multilabel';
export { ROC_MAX_POINTS, rocCurve, type RocPoints } from './roc';
