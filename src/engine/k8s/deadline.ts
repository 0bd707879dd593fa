// Deadlines for talking to the API server. client-node's plain requests get one through a middleware (client.ts);
// its watch, log and websocket connects (Watch, Log, Exec, PortForward) take no signal until they are connected,
// so a blackholed API server would leave them pending forever: `connectWithin` gives up on them instead, and
// releases whatever the late connect eventually returns.

/** Per request (connect and body) to the API server; also the connect deadline of watches, logs and exec. */
export const API_REQUEST_TIMEOUT_MS = 30_000;

export class ApiTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`no answer from the API server within ${ms / 1000} s (${what})`);
    this.name = 'ApiTimeoutError';
  }
}

/**
 * `connect` settled within `ms`, or an ApiTimeoutError. A connect that succeeds after the deadline is handed to
 * `release` (abort the stream, terminate the websocket) since nobody uses it any more.
 */
export function connectWithin<T>(connect: Promise<T>, msOrDefault: number | undefined, what: string, release: (late: T) => void): Promise<T> {
  const ms = msOrDefault ?? API_REQUEST_TIMEOUT_MS;
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new ApiTimeoutError(what, ms));
    }, ms);
    connect.then(
      (v) => {
        clearTimeout(timer);
        if (late) release(v);
        else resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        // As thrown (a websocket ErrorEvent is no Error): callers describe it with describeError.
        if (!late) reject(e);
      },
    );
  });
}
