import { argsCommand } from './args';
import { ciCommand } from './ci';
import { describeCommand } from './describe';
import { doctorCommand } from './doctor';
import { downCommand } from './down';
import { dumpCommand } from './dump';
import { disableCmd, enableCmd } from './enable';
import { getCommand } from './get';
import { logsCommand } from './logs';
import { snapshotCommand } from './snapshot';
import { tiltfileCommand } from './tiltfile';
import { triggerCommand } from './trigger';
import { upCommand } from './up';
import { versionCommand } from './version';
import { waitCommand } from './wait';
import type { Command } from './types';

/** Every subcommand, in help order: running an engine, then talking to a running one, then tools. */
export const commands: Command[] = [
  upCommand, ciCommand, downCommand,
  getCommand, describeCommand, logsCommand, triggerCommand, waitCommand, argsCommand, enableCmd, disableCmd, dumpCommand, snapshotCommand,
  doctorCommand, tiltfileCommand, versionCommand,
];
