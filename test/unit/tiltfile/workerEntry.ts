// Worker script for tests (from TypeScript sources, via --import tsx); the CLI bundle plays this role in production.
import { runTiltfileWorkerIfRequested } from '../../../src/tiltfile/worker';

runTiltfileWorkerIfRequested();
