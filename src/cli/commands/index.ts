import type { Command } from './types';

/**
 * One subcommand as the dispatcher sees it before running it: its name and summary for the help, and how to load
 * it. Commands load on demand so that `innerloop version` or `innerloop tiltfile` never evaluate the Kubernetes,
 * Docker and engine modules (CLI start time, issue 14). test/unit/cli/commandIndex.test.ts keeps the summaries
 * here equal to the commands' own.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, in help order: running an engine, then talking to a running one, then tools. */
export const commands: CommandEntry[] = [
  { name: 'up', summary: 'Start the inner loop for a Tiltfile (Ctrl-C stops, leaving resources running)', load: async () => (await import('./up')).upCommand },
  { name: 'ci', summary: 'Bring everything up once; exit 0 when all resources are ready, 1 on the first error or timeout', load: async () => (await import('./ci')).ciCommand },
  { name: 'down', summary: 'Delete everything the Tiltfile deploys', load: async () => (await import('./down')).downCommand },
  { name: 'get', summary: 'List the running engine\'s resources and their status', load: async () => (await import('./get')).getCommand },
  { name: 'describe', summary: 'Show one resource in detail (status, pods, port forwards, recent updates)', load: async () => (await import('./describe')).describeCommand },
  { name: 'logs', summary: 'Print the running engine\'s logs (-f to follow)', load: async () => (await import('./logs')).logsCommand },
  { name: 'trigger', summary: 'Update resources now (as the trigger button does)', load: async () => (await import('./trigger')).triggerCommand },
  { name: 'wait', summary: 'Wait until resources are Ready (--for=condition=Ready)', load: async () => (await import('./wait')).waitCommand },
  { name: 'args', summary: 'Re-run the Tiltfile with new arguments (innerloop args -- ARGS)', load: async () => (await import('./args')).argsCommand },
  { name: 'enable', summary: 'Enable resources (they update again)', load: async () => (await import('./enable')).enableCmd },
  { name: 'disable', summary: 'Disable resources (what they deployed is deleted)', load: async () => (await import('./enable')).disableCmd },
  { name: 'dump', summary: 'Print the engine\'s state as JSON (innerloop dump engine)', load: async () => (await import('./dump')).dumpCommand },
  { name: 'snapshot', summary: 'Save the resources and logs as one HTML file that opens without a server', load: async () => (await import('./snapshot')).snapshotCommand },
  { name: 'doctor', summary: 'Check Docker, the kube context, the cluster, its registry, git, helm and inotify limits', load: async () => (await import('./doctor')).doctorCommand },
  { name: 'tiltfile', summary: 'Load a Tiltfile and print the plan as JSON', load: async () => (await import('./tiltfile')).tiltfileCommand },
  { name: 'version', summary: 'Print the version', load: async () => (await import('./version')).versionCommand },
];
