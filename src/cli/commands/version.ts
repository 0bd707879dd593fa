// `innerloop version` (and `innerloop --version`).
import { VERSION } from '../version';
import { EXIT_CODES_HELP, EXIT_OK, type Command } from './types';
import { parseFlags } from './flags';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the version',
  usage: `innerloop version

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    parseFlags(argv, {}, { positionals: false });
    io.stdout(`innerloop ${VERSION} (node ${process.version}, ${process.platform}/${process.arch})\n`);
    return EXIT_OK;
  },
};
