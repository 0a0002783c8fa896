// The Python templates are bundled as text: esbuild's text loader (scripts/build.mjs) and the `py-text` plugin
// in vitest.config.mts both turn `import X from './templates/x.py'` into the file's contents.
declare module '*.py' {
  const text: string;
  export default text;
}
