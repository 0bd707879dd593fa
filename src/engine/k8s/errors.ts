// Typed errors of the Kubernetes layer. Every message says what failed and what the user can do about it, so the
// orchestrator can show `message` (and `hint`) as a resource's error without rewording.

export type K8sErrorCode =
  | 'kubeconfig'
  | 'unreachable'
  | 'apply'
  | 'delete'
  | 'exec'
  | 'run_step_failed'
  | 'live_update_infra'
  | 'port_forward';

export class K8sError extends Error {
  constructor(
    readonly code: K8sErrorCode,
    message: string,
    /** A next step for the user, when we know one. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'K8sError';
  }
}

/** No usable kubeconfig / context. */
export class KubeconfigError extends K8sError {
  constructor(message: string, hint?: string) {
    super('kubeconfig', message, hint);
    this.name = 'KubeconfigError';
  }
}

export class ClusterUnreachableError extends K8sError {
  constructor(readonly server: string, readonly context: string, readonly reason: string) {
    super('unreachable', `cannot reach the cluster at ${server} (context ${context}): ${reason}`, 'check that the cluster is running and that the kubeconfig context points at it');
    this.name = 'ClusterUnreachableError';
  }
}

export class ApplyError extends K8sError {
  constructor(readonly object: string, reason: string, hint?: string, options?: { cause?: unknown }) {
    super('apply', `applying ${object} failed: ${reason}`, hint, options);
    this.name = 'ApplyError';
  }
}

export class DeleteError extends K8sError {
  constructor(readonly object: string, reason: string, options?: { cause?: unknown }) {
    super('delete', `deleting ${object} failed: ${reason}`, undefined, options);
    this.name = 'DeleteError';
  }
}

/** The exec itself could not run (pod gone, websocket failed, container not running). Infrastructure. */
export class ExecError extends K8sError {
  constructor(readonly target: string, reason: string, hint?: string, options?: { cause?: unknown }) {
    super('exec', `exec into ${target} failed: ${reason}`, hint, options);
    this.name = 'ExecError';
  }
}

export class PortForwardError extends K8sError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('port_forward', message, hint, options);
    this.name = 'PortForwardError';
  }
}

/** HTTP status of a client-node ApiException (or undefined for non-HTTP errors). */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'number' && code >= 100 && code < 600) return code;
  }
  return undefined;
}

/** The most useful text of a client-node error: the Status message from the API server when there is one. */
export function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'body' in err) {
    const body = (err as { body: unknown }).body;
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = body;
      }
    }
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof (parsed as { message: unknown }).message === 'string') {
      return (parsed as { message: string }).message;
    }
    if (typeof parsed === 'string' && parsed.trim()) return parsed.trim();
  }
  // The per-request deadline (client.ts) aborts the fetch; node-fetch then only says "aborted".
  if (err instanceof Error && err.name === 'AbortError') return 'no answer from the API server before the request deadline (is the cluster reachable?)';
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const causeMsg = cause instanceof Error ? cause.message : undefined;
    return causeMsg && !err.message.includes(causeMsg) ? `${err.message}: ${causeMsg}` : err.message;
  }
  // ws ErrorEvent and similar plain objects
  if (typeof err === 'object' && err !== null) {
    const rec = err as { message?: unknown; error?: unknown };
    if (typeof rec.message === 'string' && rec.message) return rec.message;
    if (rec.error instanceof Error) return rec.error.message;
  }
  return String(err);
}
