// The page harness for the browser tests: it lives in scripts/bench-webview.mjs (the render benchmark uses it
// too, and nothing outside test/ may import test/), re-exported here for the tests.

export * from '../../scripts/bench-webview.mjs';
