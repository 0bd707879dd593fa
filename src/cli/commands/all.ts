// The commands that need the engine, Kubernetes or Docker, gathered for scripts/build.mjs: it bundles them as
// dist/cli-commands.js, which dist/cli.js requires only when one of them runs (see ./index.ts).
export { upCommand } from './up';
export { ciCommand } from './ci';
export { downCommand } from './down';
export { getCommand } from './get';
export { describeCommand } from './describe';
export { logsCommand } from './logs';
export { triggerCommand } from './trigger';
export { waitCommand } from './wait';
export { argsCommand } from './args';
export { enableCmd, disableCmd } from './enable';
export { dumpCommand } from './dump';
export { snapshotCommand } from './snapshot';
export { doctorCommand } from './doctor';
