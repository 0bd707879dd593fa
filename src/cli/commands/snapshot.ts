// `innerloop snapshot FILE`: write a self-contained HTML page of the resources and their logs.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { snapshotHtml } from '../render/snapshotHtml';
import { CliError, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'Save the resources and logs as one HTML file that opens without a server',
  usage: `innerloop snapshot FILE [--file PATH]

${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, REMOTE_OPTIONS);
    if (p.positionals.length !== 1) throw new CliError('name the HTML file to write: `innerloop snapshot FILE`', EXIT_USAGE);
    const out = resolve(io.cwd, p.positionals[0]!);
    const html = await withEngine(io, p, async (c) => {
      const info = await c.call('info', {});
      const state = await c.call('state', {});
      const { lines } = await c.call('logs', {});
      return snapshotHtml(state, lines, { tiltfile: info.tiltfile, version: info.version, takenAt: Date.now() });
    });
    writeFileSync(out, html);
    io.stdout(`wrote ${out}\n`);
    return EXIT_OK;
  },
};
