import { ciCommand } from './ci';
import { downCommand } from './down';
import { tiltfileCommand } from './tiltfile';
import { upCommand } from './up';
import type { Command } from './types';

/** Every subcommand. */
export const commands: Command[] = [upCommand, ciCommand, downCommand, tiltfileCommand];
