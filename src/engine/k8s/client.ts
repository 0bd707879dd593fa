// Loads a kubeconfig (KUBECONFIG, ~/.kube/config or an explicit path), optionally switching context, and hands out
// the API clients the rest of src/engine/k8s uses. `checkReachable` is a cheap GET /version with a deadline, so
// "the cluster is down" becomes one clear message instead of a hang or a stack trace.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, ServerConfiguration, createConfiguration, type Middleware } from '@kubernetes/client-node';
import { builtinKind } from './builtinKinds';
import { API_REQUEST_TIMEOUT_MS } from './deadline';
import { ClusterUnreachableError, KubeconfigError } from './errors';

/**
 * KubernetesObjectApi plus the "is this kind namespaced?" discovery it already does internally (cached); Kubernetes'
 * own kinds are known without asking.
 */
export class ObjectApi extends KubernetesObjectApi {
  /** Discovery requests in flight, by group/version. */
  private readonly discovering = new Map<string, Promise<void>>();

  /**
   * As the library's, except that lookups made while the first one for that group/version is in flight wait for it
   * and then read its cached answer, instead of each fetching the same list (down deletes every object at once).
   */
  protected override async resource(apiVersion: string, kind: string, options?: Parameters<KubernetesObjectApi['resource']>[2]): ReturnType<KubernetesObjectApi['resource']> {
    // Kubernetes' own kinds need no discovery request (builtinKinds.ts).
    const builtin = builtinKind(apiVersion, kind);
    if (builtin) return { ...builtin, singularName: '', verbs: [] };
    const pending = this.discovering.get(apiVersion);
    if (pending) await pending;
    const lookup = super.resource(apiVersion, kind, options);
    if (!pending) {
      const settled = lookup.then(() => undefined, () => undefined);
      this.discovering.set(apiVersion, settled);
      void settled.then(() => {
        if (this.discovering.get(apiVersion) === settled) this.discovering.delete(apiVersion);
      });
    }
    return lookup;
  }

  /** undefined when the API server does not know the kind (e.g. a CRD not installed yet). */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }
}

export interface KubeClientOptions {
  /** Explicit kubeconfig file; default: $KUBECONFIG, then ~/.kube/config. */
  kubeconfigPath?: string;
  /** Context to use instead of the kubeconfig's current-context (k8s_context()). */
  context?: string;
  /** Deadline of every API request (connect and body); default API_REQUEST_TIMEOUT_MS. Watches and logs excluded. */
  requestTimeoutMs?: number;
}

export interface KubeClient {
  readonly kc: KubeConfig;
  readonly context: string;
  /** API server URL of the context's cluster. */
  readonly server: string;
  /** The context's namespace, or "default". */
  readonly namespace: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly objects: ObjectApi;
  /** The deadline the API clients apply; watch, log and websocket connects use it too. */
  readonly requestTimeoutMs: number;
  /** The API clients' kept-alive connections (checkReachable uses them too). */
  readonly connections?: KeptAliveAgent;
}

/** Every request gets a deadline (client-node's default has none: a blackholed API server hangs it forever). */
function deadlineMiddleware(ms: number): Middleware {
  return {
    pre: (ctx) => {
      const deadline = AbortSignal.timeout(ms);
      const own = ctx.getSignal();
      ctx.setSignal(own ? AbortSignal.any([own, deadline]) : deadline);
      return Promise.resolve(ctx);
    },
    post: (res) => Promise.resolve(res),
  };
}

/**
 * The API requests of one client share kept-alive connections: client-node makes a fresh agent, so a new TCP
 * connection and TLS handshake (~7 ms of CPU here, and as much for the API server), for every request.
 */
function keepAliveMiddleware(agent: KeptAliveAgent): Middleware {
  return {
    pre: (ctx) => {
      ctx.setAgent(agent.for(ctx.getAgent()) as https.Agent);
      return Promise.resolve(ctx);
    },
    post: (res) => Promise.resolve(res),
  };
}

/** Is there any kubeconfig the default loading would read (or an in-cluster service account)? */
export function kubeconfigExists(): boolean {
  const env = process.env.KUBECONFIG;
  if (env) return env.split(path.delimiter).some((p) => p !== '' && fs.existsSync(p));
  if (process.env.KUBERNETES_SERVICE_HOST) return true;
  return fs.existsSync(path.join(os.homedir(), '.kube', 'config'));
}

export function loadKubeClient(opts: KubeClientOptions = {}): KubeClient {
  const kc = new KubeConfig();
  // With no kubeconfig at all the client library silently falls back to http://localhost:8080; say what is missing.
  if (!opts.kubeconfigPath && !kubeconfigExists()) {
    throw new KubeconfigError(`no Kubernetes context configured (no kubeconfig at ${process.env.KUBECONFIG || '~/.kube/config'}): create a local cluster (kind, k3d, minikube) or point KUBECONFIG at one`, 'set KUBECONFIG or pass --kubeconfig');
  }
  try {
    if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
    else kc.loadFromDefault();
  } catch (err) {
    const where = opts.kubeconfigPath ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new KubeconfigError(`cannot read kubeconfig ${where}: ${err instanceof Error ? err.message : String(err)}`, 'set KUBECONFIG or pass the kubeconfig path');
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeconfigError(`context "${opts.context}" is not in the kubeconfig`, known.length ? `known contexts: ${known.join(', ')}` : 'the kubeconfig has no contexts');
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw new KubeconfigError('the kubeconfig has no current context with a cluster', 'run `kubectl config use-context <name>` or set k8s_context() in the Tiltfile');
  }
  const namespace = kc.getContextObject(context)?.namespace || 'default';
  const requestTimeoutMs = opts.requestTimeoutMs ?? API_REQUEST_TIMEOUT_MS;
  // As kc.makeApiClient, plus the deadline and kept-alive connections (as many as requests in flight; closed
  // after 5 s idle, as Node's own global agent does).
  const connections = new KeptAliveAgent({ maxSockets: Infinity, idleMs: 5_000 });
  const config = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, promiseMiddleware: [deadlineMiddleware(requestTimeoutMs), keepAliveMiddleware(connections)] });
  return {
    kc,
    context,
    server: cluster.server,
    namespace,
    core: new CoreV1Api(config),
    apps: new AppsV1Api(config),
    objects: new ObjectApi(config),
    requestTimeoutMs,
    connections,
  };
}

export interface ServerVersion {
  gitVersion: string;
  major?: string;
  minor?: string;
}

/**
 * client-node makes a fresh plain https agent per request: its TLS options, with a key that changes when they do, and
 * the agent destroyed (the caller puts its own in its place). Undefined for anything else, e.g. a proxy agent, which
 * is used as it is.
 */
export function plainAgentTls(given: unknown): { options: https.AgentOptions; key: string } | undefined {
  if (!(given instanceof https.Agent) || given.constructor !== https.Agent) return undefined;
  const o = (given as https.Agent & { options: https.AgentOptions }).options;
  given.destroy();
  return { options: o, key: JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.passphrase, o.servername, o.rejectUnauthorized].map((x) => (x === undefined ? null : String(x)))) };
}

/**
 * One kept-alive connection for repeated checks of one API server (ClusterHealth checks every few seconds): the
 * client library makes a fresh agent, so a fresh TCP connection and TLS handshake, for every request, most of an
 * idle session's CPU. Only client-node's plain https agent is replaced, by a keep-alive one with the same TLS
 * material (made again when that changes); a proxy agent is used as it is.
 */
export class KeptAliveAgent {
  private agent: https.Agent | undefined;
  private key = '';

  /**
   * maxSockets: connections at once (1: one check at a time). idleMs: a connection unused this long is closed (well
   * before an API server or proxy closes it, which could race a request sent on it); without it, it stays open.
   */
  constructor(private readonly limits: { maxSockets?: number; idleMs?: number } = {}) {}

  for(given: unknown): unknown {
    const tls = plainAgentTls(given);
    if (!tls) return given;
    const { options: o, key } = tls;
    if (!this.agent || key !== this.key) {
      // With idleMs the old agent's connections close once idle: requests still on them finish.
      if (!this.limits.idleMs) this.agent?.destroy();
      this.agent = new https.Agent({ ...o, keepAlive: true, maxSockets: this.limits.maxSockets ?? 1, ...(this.limits.idleMs ? { timeout: this.limits.idleMs } : {}) });
      this.key = key;
    }
    return this.agent;
  }

  destroy(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

/**
 * A CoreV1Api (with the request deadline) whose requests share `agent`'s kept-alive connection: for small requests
 * repeated while idle (the pod-log stall check), which would each cost a TLS handshake with the library's agent.
 */
export function keptAliveCore(client: KubeClient, agent: KeptAliveAgent, timeoutMs = client.requestTimeoutMs): CoreV1Api {
  const keepAlive: Middleware = {
    pre: (ctx) => {
      ctx.setAgent(agent.for(ctx.getAgent()) as https.Agent);
      return Promise.resolve(ctx);
    },
    post: (res) => Promise.resolve(res),
  };
  const config = createConfiguration({ baseServer: new ServerConfiguration(client.server, {}), authMethods: { default: client.kc }, promiseMiddleware: [deadlineMiddleware(timeoutMs), keepAlive] });
  return new CoreV1Api(config);
}

/**
 * GET /version within `timeoutMs`; throws ClusterUnreachableError with the reason (refused, timeout, TLS, 401...).
 * `keepAlive`: reuse one connection across calls (see KeptAliveAgent); default: the client's API connections, so
 * the requests that follow reuse this one. `signal`: give up early.
 */
export async function checkReachable(client: KubeClient, timeoutMs = 5_000, keepAlive = client.connections, signal?: AbortSignal): Promise<ServerVersion> {
  const fail = (reason: string): never => {
    throw new ClusterUnreachableError(client.server, client.context, reason);
  };
  let url: URL;
  try {
    url = new URL('/version', client.server);
  } catch {
    return fail(`invalid server URL "${client.server}"`);
  }
  const opts: https.RequestOptions = { method: 'GET', headers: {} };
  try {
    await client.kc.applyToHTTPSOptions(opts);
  } catch (err) {
    return fail(`credentials could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (keepAlive) opts.agent = keepAlive.for(opts.agent) as https.Agent;
  const mod = url.protocol === 'http:' ? http : https;
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = mod.request(url, { ...opts, timeout: timeoutMs, ...(signal ? { signal } : {}) }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  }).catch((err: unknown) => fail(connectReason(err)));
  if (status === 401 || status === 403) fail(`the API server rejected the credentials (HTTP ${status})`);
  if (status < 200 || status >= 300) fail(`unexpected HTTP ${status} from /version`);
  try {
    const v = JSON.parse(body) as ServerVersion;
    return { gitVersion: v.gitVersion ?? 'unknown', major: v.major, minor: v.minor };
  } catch {
    return { gitVersion: 'unknown' };
  }
}

function connectReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the cluster running?)';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS verification failed (${msg})`;
    default:
      return msg;
  }
}
