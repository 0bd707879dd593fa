// BuildKit progress, as the daemon streams it through the Engine API (`{"id":"moby.buildkit.trace","aux":"<base64
// protobuf StatusResponse>"}`), turned into the readable steps `docker build --progress=plain` prints:
//   #3 [2/4] RUN pip install -r requirements.txt
//   #3 0.512 Collecting flask
//   #3 DONE 4.1s            (or "#3 CACHED", "#3 ERROR: ...")
// Layer-transfer counters are left out: they are noise in a log.

import * as protobuf from 'protobufjs';

// The subset of moby/buildkit api/services/control StatusResponse we read (field numbers as upstream).
const SCHEMA = `
syntax = "proto3";
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Vertex { string digest = 1; repeated string inputs = 2; string name = 3; bool cached = 4; Timestamp started = 5; Timestamp completed = 6; string error = 7; }
message VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
message VertexWarning { string vertex = 1; int64 level = 2; bytes short = 3; }
message StatusResponse { repeated Vertex vertexes = 1; repeated VertexLog logs = 3; repeated VertexWarning warnings = 4; }
`;

let statusType: protobuf.Type | undefined;
function status(): protobuf.Type {
  statusType ??= protobuf.parse(SCHEMA).root.lookupType('StatusResponse');
  return statusType;
}

interface Ts { seconds?: number | string; nanos?: number }
interface DecodedVertex { digest: string; name: string; cached: boolean; started?: Ts; completed?: Ts; error: string }
interface DecodedStatus {
  vertexes?: DecodedVertex[];
  logs?: { vertex: string; msg: Uint8Array }[];
  warnings?: { vertex: string; short: Uint8Array }[];
}

const seconds = (t: Ts): number => Number(t.seconds ?? 0) + (t.nanos ?? 0) / 1e9;

interface Step { n: number; name: string; started?: number; done: boolean; announced: boolean }

/**
 * Stateful: numbers steps in the order they start (the daemon lists vertexes before they run, out of order) and
 * prints each transition once.
 */
export class BuildkitProgressFormatter {
  private readonly steps = new Map<string, Step>();
  private numbered = 0;
  private readonly partial = new Map<string, string>();

  /** Lines for one base64 `moby.buildkit.trace` payload. */
  format(aux: string): string[] {
    const msg = status().toObject(status().decode(Buffer.from(aux, 'base64')), { longs: Number, defaults: true }) as DecodedStatus;
    const out: string[] = [];
    const step = (digest: string, name = ''): Step => {
      let s = this.steps.get(digest);
      if (!s) this.steps.set(digest, (s = { n: 0, name, done: false, announced: false }));
      if (name) s.name = name;
      return s;
    };
    const n = (s: Step): number => (s.n ||= ++this.numbered);
    for (const v of msg.vertexes ?? []) {
      const s = step(v.digest, v.name);
      if (!s.announced && (v.started || v.cached || v.completed)) {
        s.announced = true;
        out.push(`#${n(s)} ${s.name}`);
      }
      if (v.started) s.started = seconds(v.started);
      if (s.done) continue;
      if (v.error) {
        s.done = true;
        out.push(`#${n(s)} ERROR: ${v.error}`);
      } else if (v.cached) {
        s.done = true;
        out.push(`#${n(s)} CACHED`);
      } else if (v.completed) {
        s.done = true;
        const took = s.started !== undefined ? seconds(v.completed) - s.started : 0;
        out.push(`#${n(s)} DONE ${took.toFixed(1)}s`);
      }
    }
    for (const l of msg.logs ?? []) {
      const s = step(l.vertex);
      const text = (this.partial.get(l.vertex) ?? '') + Buffer.from(l.msg).toString('utf8');
      const lines = text.split(/\r?\n/);
      this.partial.set(l.vertex, lines.pop() ?? '');
      for (const line of lines) out.push(`#${n(s)} ${line.replace(/\r/g, '')}`);
    }
    for (const w of msg.warnings ?? []) out.push(`WARNING: ${Buffer.from(w.short).toString('utf8')}`);
    return out;
  }

  /** Output lines still without a newline. */
  flush(): string[] {
    const out: string[] = [];
    for (const [vertex, text] of this.partial) if (text) out.push(`#${this.steps.get(vertex)?.n || '?'} ${text}`);
    this.partial.clear();
    return out;
  }
}
