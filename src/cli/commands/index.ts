import { tiltfileCommand } from './tiltfile';
import type { Command } from './types';

/** Every subcommand; later issues add up, ci, down. */
export const commands: Command[] = [tiltfileCommand];
