/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS worker script */
// Worker script for tests: registers tsx so the TypeScript sources load, then runs the Tiltfile worker.
// (In production the CLI bundle, dist/cli.js, is the worker script.)
require('tsx/cjs');
require('./workerEntry.ts');
