// Entry point of dist/tiltfile-loader.js, the process a Tiltfile load runs in (see childLoader.ts). Only the
// loader is bundled, so the child starts in a fraction of the time dist/cli.js (Kubernetes and Docker clients)
// takes to load.
import { runTiltfileChildIfRequested } from './childLoader';

runTiltfileChildIfRequested();
