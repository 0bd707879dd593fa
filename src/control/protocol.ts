// The control channel's wire format: newline-delimited JSON over the engine's Unix socket.
// A client sends one Request per line; the server answers each with one Response carrying the same id. Streaming
// methods (logs with follow, wait) first send any number of Event lines with that id, then the final Response.
import type { EngineSnapshot } from '../shared/state';
import type { LogLevel, LogLine, LogSource } from '../engine/logs';

export const PROTOCOL_VERSION = 1;

export interface LogQuery {
  /** Only these resources (all when empty). */
  resources?: string[];
  /** Only lines at or after this epoch-ms time. */
  sinceTime?: number;
  source?: Exclude<LogSource, 'system'>;
  /** Minimum level: warn = warnings and errors; error = errors only. */
  level?: Exclude<LogLevel, 'info'>;
  follow?: boolean;
}

export interface EngineInfo {
  protocol: number;
  version: string;
  pid: number;
  tiltfile: string;
  args: string[];
  /** Who runs the engine: the CLI (`up`) or the editor. */
  host: 'cli' | 'editor';
  startTime: number;
}

/** Method name → [params, result]. */
export interface Methods {
  info: [Record<string, never>, EngineInfo];
  state: [Record<string, never>, EngineSnapshot];
  trigger: [{ resources: string[] }, { triggered: string[] }];
  logs: [LogQuery, { lines: LogLine[] }];
  args: [{ args: string[] }, { args: string[] }];
  enable: [{ resources: string[]; enabled: boolean }, { changed: string[] }];
  /** Resolves when every named resource is Ready; streams nothing. The client enforces its own timeout. */
  wait: [{ resources: string[] }, { ready: string[] }];
}

export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M][0];
export type Result<M extends Method> = Methods[M][1];

export interface Request<M extends Method = Method> {
  id: number;
  method: M;
  params: Params<M>;
}

export type Response =
  | { id: number; result: unknown }
  | { id: number; error: { message: string; code: 'not_found' | 'bad_request' | 'failed' } }
  | { id: number; event: unknown };

export const METHODS: readonly Method[] = ['info', 'state', 'trigger', 'logs', 'args', 'enable', 'wait'];

/** Splits a byte stream into JSON lines; a line longer than `maxLine` is an error (a misbehaving peer). */
export class LineDecoder {
  private buf = '';
  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = 16 * 1024 * 1024) {}
  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.trim()) this.onLine(line);
    }
    if (this.buf.length > this.maxLine) throw new Error(`control message longer than ${this.maxLine} bytes`);
  }
}
