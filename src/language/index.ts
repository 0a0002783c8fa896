// The language core: scanner, parser, checker, shape rule and summary. Pure: imports nothing outside itself.
export * from './diagnostics';
export * from './lines';
export * from './model';
export * from './schema';
export * from './shape';
export * from './syntax';
export { detectUtf16, utf16Message, type Utf16 } from './encoding';
export { check, toModelSpec, type CheckHost, type CheckResult, type LabelDef, type LabelRef } from './checker';
export * from './summary';
export { describeAugment, taskPhrase } from './taskText';
export * from './format';
