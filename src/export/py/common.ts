// Small helpers shared by the package's generators. (Python source is never written from TypeScript: the
// templates are real .py files, and constants.ts writes their one block of constants.)

/** Safe file-system name for a network (default output paths): the one rule, in trainer/paths.ts. */
export { safeName } from '../../trainer/paths';
