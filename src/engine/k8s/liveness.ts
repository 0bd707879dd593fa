// Liveness of a connected websocket stream to the API server (exec, and each port-forward connection). Once
// connected, a stream has no deadline of its own: when the path to the API server is blackholed, TCP says nothing and the stream would wait for its
// overall timeout (5 minutes for exec). Any sign of life counts (a message, a pong, or our send buffer draining,
// which means the server is still reading a large stdin); the API server answers websocket pings itself, even
// while the command in the container prints nothing, so silence across two ping periods means the path is dead.

/** Ping period of a connected exec stream: silence across two periods (≤ 20 s) ends it. */
export const STREAM_PING_MS = 10_000;

export interface LiveSocket {
  ping(): void;
  readonly bufferedAmount?: number;
  on(event: 'pong' | 'message', fn: () => void): unknown;
  off?(event: 'pong' | 'message', fn: () => void): unknown;
}

/**
 * Pings `ws` every `pingMs` and calls `dead` once two periods passed without a sign of life (found between one
 * and two periods after the last sign). Signs: `any` (a pong, a message, the send buffer draining) or `pongs` only
 * (a port-forward connection, whose data may be idle on both sides). Returns the stop function.
 */
export function watchLiveness(ws: LiveSocket, pingMs: number, dead: () => void, signs: 'any' | 'pongs' = 'any'): () => void {
  const events = signs === 'any' ? (['pong', 'message'] as const) : (['pong'] as const);
  let quiet = 0;
  let buffered = ws.bufferedAmount ?? 0;
  const alive = (): void => {
    quiet = 0;
  };
  for (const e of events) ws.on(e, alive);
  const stop = (): void => {
    clearInterval(timer);
    for (const e of events) ws.off?.(e, alive);
  };
  const timer = setInterval(() => {
    const now = ws.bufferedAmount ?? 0;
    if (signs === 'any' && now < buffered) quiet = 0; // the server is reading what we send
    buffered = now;
    if (++quiet >= 2) {
      stop();
      dead();
      return;
    }
    try {
      ws.ping();
    } catch {
      /* closing */
    }
  }, pingMs);
  // The stream's own promise keeps the caller waiting; this timer must not keep a process alive.
  timer.unref();
  return stop;
}
