// Builds the web app into web/dist (served by the local runtime at http://localhost:3000/ and by CloudFront in AWS).
// `npm run dev:web` rebuilds on every change while `npm run dev` serves the result (sign-in redirects to the
// registered http://localhost:3000/callback, so the app is always used from the API's origin).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  // The production transform whoever builds: the development one (chosen when NODE_ENV is not "production", as under
  // vitest, whose global setup builds web/dist for the browser tests) puts every source file's absolute path and line
  // numbers into the bundle, and that web/dist is what `npm run dev` and the CDK app reuse while it is fresh.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts, so even the module-preload helper must come from a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
