// The engine's control channel: server (in every running engine), client (the CLI), socket location.
export { ControlServer, EngineAlreadyRunningError, matchLog } from './server';
export { ControlClient, ControlError, NoEngineError } from './client';
export { CONTROL_SOCKET_ENV, controlDir, socketPathFor, workspaceKey } from './socketPath';
export { isReady, sessionTarget, type ControlTarget } from './target';
export type { EngineInfo, LogQuery } from './protocol';
