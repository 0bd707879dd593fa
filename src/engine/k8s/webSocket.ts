// Websockets to the API server (exec, port-forward) through one https.Agent per kubeconfig, so each new websocket
// resumes the TLS session of an earlier one instead of a full handshake (issue 14: a port forward opens a websocket
// for every local connection, the browser's and the bench's fresh connection per fetch alike). client-node builds a
// new agent, hence a new TLS session cache and secure context, for every websocket. Only its plain https agent is
// replaced, by one with the same TLS material (made again when that changes, e.g. a rotated exec-plugin client
// certificate); a proxy agent is used as it is. The agent only hands out connections: an upgraded socket belongs to
// its websocket, so nothing is kept alive or pooled.

import type { Duplex } from 'node:stream';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { plainAgentTls } from './client';

/** One secure context for all its connections (tls.connect parses the CA, certificate and key again for each one
 * otherwise); counts TLS handshakes and how many of them resumed a session. */
class ResumingAgent extends https.Agent {
  handshakes = 0;
  resumed = 0;
  private context: tls.SecureContext | undefined;

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // Made on first use, where tls.connect would make it: bad TLS material fails the connect, as it did before.
    this.context ??= tls.createSecureContext(this.options);
    const socket = super.createConnection({ ...options, secureContext: this.context } as https.RequestOptions, callback);
    if (socket instanceof tls.TLSSocket) {
      socket.once('secureConnect', () => {
        this.handshakes++;
        if (socket.isSessionReused()) this.resumed++;
      });
    }
    return socket;
  }
}

/** One session-caching agent, swapped for client-node's fresh ones. */
export class SessionAgent {
  private agent: ResumingAgent | undefined;
  private key = '';
  private readonly past = { handshakes: 0, resumed: 0 };

  for(given: unknown): unknown {
    const tls = plainAgentTls(given);
    if (!tls) return given;
    const { options: o, key } = tls;
    if (!this.agent || key !== this.key) {
      if (this.agent) {
        this.past.handshakes += this.agent.handshakes;
        this.past.resumed += this.agent.resumed;
        this.agent.destroy();
      }
      // keepAlive off: an upgraded socket leaves the agent; the agent is here for its TLS session cache.
      this.agent = new ResumingAgent({ ...o, keepAlive: false });
      this.key = key;
    }
    return this.agent;
  }

  /** TLS handshakes made so far, and how many resumed a session (tests, benches). */
  get stats(): { handshakes: number; resumed: number } {
    return { handshakes: this.past.handshakes + (this.agent?.handshakes ?? 0), resumed: this.past.resumed + (this.agent?.resumed ?? 0) };
  }
}

const views = new WeakMap<KubeConfig, { view: KubeConfig; agent: SessionAgent }>();

function entry(kc: KubeConfig): { view: KubeConfig; agent: SessionAgent } {
  let e = views.get(kc);
  if (!e) {
    const agent = new SessionAgent();
    // client-node's websocket handler (Exec, PortForward) takes its connection options from applyToHTTPSOptions
    // only: a view of kc whose options carry the shared agent (everything else is kc's own, via the prototype).
    const view = Object.create(kc) as KubeConfig;
    view.applyToHTTPSOptions = async (opts) => {
      await kc.applyToHTTPSOptions(opts);
      opts.agent = agent.for(opts.agent) as https.Agent;
    };
    e = { view, agent };
    views.set(kc, e);
  }
  return e;
}

/** The config to give client-node's Exec and PortForward: their websockets share one TLS session cache per kc. */
export function webSocketConfig(kc: KubeConfig): KubeConfig {
  return entry(kc).view;
}

/** The TLS handshakes of this kubeconfig's websockets so far (tests, benches). */
export function webSocketTlsStats(kc: KubeConfig): { handshakes: number; resumed: number } {
  return entry(kc).agent.stats;
}
