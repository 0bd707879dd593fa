// The product version, from package.json at build time (esbuild inlines only this field).
import { version } from '../../package.json';

export const VERSION: string = version;
