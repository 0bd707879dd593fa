// Docker Compose on the Docker Engine API (no compose CLI): project model, runtime, logs, live update.
export * from './project';
export * from './status';
export * from './runtime';
export * from './logs';
