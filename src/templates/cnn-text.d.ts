// `.cnn` files imported as text: esbuild's `text` loader (scripts/build.mjs) and the `cnn-text` plugin in
// vitest.config.mts turn `import text from '…/x.cnn'` into the file's contents.
declare module '*.cnn' {
  const text: string;
  export default text;
}
