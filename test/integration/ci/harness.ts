// Runs the real built CLI (`node dist/cli.js ci ...`) as a CI job would, and records when it printed its verdict
// and when the process exited by itself. A watchdog only stops a process that never exits (so a leak fails the
// test instead of hanging it); the tests assert it was not needed and report the verdict-to-exit time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

import { BUSYBOX } from '../docker';

export const CLI = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

/** Why the CLI tests cannot run (no build), or undefined. */
export function cliProblem(): string | undefined {
  return fs.existsSync(CLI) ? undefined : `${CLI} is missing: run npm run build`;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Epoch ms of the verdict line (SUCCESS / ERROR:); undefined when none was printed. */
  verdictAt?: number;
  exitAt: number;
  /** The watchdog had to kill the process: it did not exit after its verdict. */
  killed: boolean;
  /** Verdict to exit, ms (undefined without a verdict). */
  exitAfterVerdictMs?: number;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Kill the process if it is still running this long after its verdict. Default 30 s. */
  watchdogAfterVerdictMs?: number;
  /** Kill it if no verdict came at all within this long. Default 8 min. */
  overallMs?: number;
}

export function runCli(args: string[], opts: CliOptions): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let verdictAt: number | undefined;
    let killed = false;
    let watchdog: NodeJS.Timeout | undefined;
    const kill = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    const overall = setTimeout(kill, opts.overallMs ?? 8 * 60_000);
    const sawVerdict = (): void => {
      if (verdictAt !== undefined) return;
      if (!/^SUCCESS\. /m.test(stdout) && !/^ERROR: /m.test(stderr)) return;
      verdictAt = Date.now();
      watchdog = setTimeout(kill, opts.watchdogAfterVerdictMs ?? 30_000);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; sawVerdict(); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; sawVerdict(); });
    child.on('exit', (code, signal) => {
      const exitAt = Date.now();
      clearTimeout(overall);
      clearTimeout(watchdog);
      resolve({ code, signal, stdout, stderr, verdictAt, exitAt, killed, exitAfterVerdictMs: verdictAt === undefined ? undefined : exitAt - verdictAt });
    });
  });
}

/** A throwaway workspace with these files. */
export function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h-ci-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** For assertion messages: everything the process printed. */
export function transcript(r: CliRun): string {
  return `exit ${r.code ?? r.signal}${r.killed ? ' (killed by the watchdog: it did not exit after its verdict)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Issue 15: a CI job's `ci` step ends within a second of its verdict (stopping and the log tail included). */
export const EXIT_AFTER_VERDICT_MAX_MS = 1_000;

/**
 * The process printed its verdict, exited with `code` by itself (no watchdog) within a second of the verdict, and
 * left no handle report. The bound is the product's promise (issue 15), not a wait: the CLI prints the verdict the
 * moment it decides, then stops; an overshoot is a slow stop or a leaked handle to find at its source.
 */
export function exitedByItself(t: TestContext, r: CliRun, code: number): void {
  assert.equal(r.killed, false, `the process did not exit after its verdict\n${transcript(r)}`);
  assert.equal(r.code, code, transcript(r));
  assert.ok(r.verdictAt !== undefined && r.exitAfterVerdictMs !== undefined, `a verdict line\n${transcript(r)}`);
  t.diagnostic(`exited ${r.exitAfterVerdictMs} ms after its verdict`);
  assert.doesNotMatch(r.stderr, /still running .* after the verdict/);
  assert.ok(r.exitAfterVerdictMs < EXIT_AFTER_VERDICT_MAX_MS, `exited ${r.exitAfterVerdictMs} ms after its verdict (must be < ${EXIT_AFTER_VERDICT_MAX_MS} ms)\n${transcript(r)}`);
}

/** A Deployment of the test busybox image running `script`, port 8080 declared, `probe` as its readiness probe. */
export function deploymentYaml(name: string, script: string, opts: { image?: string; probe?: string; extraContainer?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: ${opts.image ?? BUSYBOX}
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", ${JSON.stringify(script)}]
        ports: [{containerPort: 8080}]
        readinessProbe: ${opts.probe ?? '{tcpSocket: {port: 8080}, periodSeconds: 1}'}
${opts.extraContainer ?? ''}`;
}

export const HTTPD = 'mkdir -p /www && echo hi > /www/index.html && echo serving && httpd -f -p 8080 -h /www';
