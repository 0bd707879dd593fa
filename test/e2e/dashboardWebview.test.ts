// The dashboard webview's side of the protocol, in a real browser: the real bundle (dist/webview/dashboard.js)
// and page (src/vscode/dashboard/html.ts, same CSP) in headless chromium with a fake acquireVsCodeApi. The host
// posts a model projected by the real dashboardModel; the test clicks what a user clicks and asserts the exact
// messages the webview sent, and that data from the cluster is shown as text, never parsed as HTML.
// Skips when chromium is not installed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './lib/codeServer';
import { buildExtension, REPO } from './lib/extensions';
import { dashboardHtml } from '../../src/vscode/dashboard/html';
import { dashboardModel } from '../../src/vscode/resourceModel';
import { packLogBatch, WEBVIEW_MESSAGE_TYPES, type WebviewMessage } from '../../src/shared/webviewProtocol';
import { initialResourceState, initialSessionState, type EngineState } from '../../src/shared/state';

const ORIGIN = 'http://innerloop.test';
const skip = existsSync(CHROMIUM) ? false : `chromium not found at ${CHROMIUM}`;

function model(): ReturnType<typeof dashboardModel> {
  const s: EngineState = { session: initialSessionState(), order: ['db', 'api'], resources: {} };
  const base = { type: 'k8s' as const, labels: [], triggerMode: 'auto' as const, autoInit: true };
  s.resources.db = { ...initialResourceState({ ...base, name: 'db' }), currentBuild: { startTime: 1, kind: 'full' } };
  s.resources.api = {
    ...initialResourceState({ ...base, name: 'api' }),
    links: [{ url: 'http://localhost:8080/', name: 'app' }],
    hold: { kind: 'dependency', resources: ['db'], words: 'waiting on db' },
  };
  // api has a debugger port forwarded (the host decides with Attach Debugger's own discovery); db has none.
  return dashboardModel(s, (name) => name === 'api');
}

describe('dashboard webview in a browser', { skip, timeout: 120_000 }, () => {
  let browser: Browser | undefined;
  let page: Page;
  const sent = async (): Promise<WebviewMessage[]> => page.evaluate('globalThis.__sent') as Promise<WebviewMessage[]>;

  before(async () => {
    buildExtension();
    const js = readFileSync(join(REPO, 'dist', 'webview', 'dashboard.js'));
    const css = readFileSync(join(REPO, 'media', 'dashboard.css'));
    const html = dashboardHtml({ cspSource: ORIGIN, nonce: 'testnonce', css: `${ORIGIN}/dashboard.css`, js: `${ORIGIN}/dashboard.js` });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `${ORIGIN}/`) return route.fulfill({ contentType: 'text/html', body: html });
      if (url.endsWith('/dashboard.js')) return route.fulfill({ contentType: 'text/javascript', body: js });
      if (url.endsWith('/dashboard.css')) return route.fulfill({ contentType: 'text/css', body: css });
      return route.abort();
    });
    await page.addInitScript({
      content: `globalThis.__sent = [];
        globalThis.acquireVsCodeApi = () => ({ postMessage: (m) => globalThis.__sent.push(m), getState: () => undefined, setState: () => undefined });`,
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction('globalThis.__sent.length > 0');
  });

  after(async () => {
    await browser?.close();
  });

  it('says ready first, renders the host model, and sends each intent the user asks for', async () => {
    assert.deepEqual(await sent(), [{ type: 'ready' }]);
    await page.evaluate(`window.postMessage(${JSON.stringify({ type: 'state', model: model() })}, '*')`);
    await page.locator('tr[data-resource="api"]').waitFor();
    assert.match(await page.locator('tr[data-resource="api"] .description').innerText(), /^waiting on db/);

    await page.locator('tr[data-resource="api"] button', { hasText: 'Trigger Update' }).click();
    await page.locator('tr[data-resource="api"] button', { hasText: 'Output' }).click();
    await page.locator('tr[data-resource="api"] .endpoints a', { hasText: 'app' }).click();
    await page.locator('tr[data-resource="api"] button', { hasText: 'Attach' }).click();
    assert.equal(await page.locator('tr[data-resource="db"] button', { hasText: 'Attach' }).count(), 0, 'no Attach without a debugger port');
    assert.deepEqual((await sent()).slice(1), [
      { type: 'trigger', resource: 'api' },
      { type: 'showLogs', resource: 'api' },
      { type: 'openEndpoint', url: 'http://localhost:8080/' },
      { type: 'attach', resource: 'api' },
    ]);
    assert.deepEqual([...new Set((await sent()).map((m) => m.type))].sort(), [...WEBVIEW_MESSAGE_TYPES].sort(), 'every intent type is sent by some control');
  });

  it('reveals the resource a hold names, and shows logs and cluster text as text', async () => {
    await page.locator('tr[data-resource="api"] a.waiting-for', { hasText: 'waiting for db' }).click();
    await page.locator('tr[data-resource="db"].selected').waitFor();
    assert.equal(await page.locator('#log-title').innerText(), 'db');

    const batch = packLogBatch([{ resource: 'db', source: 'runtime', level: 'info', text: '<b>ready</b> to accept connections' }]);
    await page.evaluate(`window.postMessage(${JSON.stringify({ type: 'logs', reset: true, batch })}, '*')`);
    await page.locator('#log-viewport', { hasText: '<b>ready</b> to accept connections' }).waitFor();
    assert.equal(await page.locator('#log-viewport b').count(), 0, 'log text is never parsed as HTML');
  });

  it('renders ANSI colours in logs as coloured spans, with the text still never parsed as HTML', async () => {
    const text = '\x1b[32mgreen <i>tag</i>\x1b[0m plain \x1b[1;91mbold\x1b[0m\x1b]0;title\x07';
    const batch = packLogBatch([{ resource: 'db', source: 'runtime', level: 'info', text }]);
    await page.evaluate(`window.postMessage(${JSON.stringify({ type: 'logs', reset: true, batch })}, '*')`);
    const row = page.locator('#log-viewport .log-text', { hasText: 'green <i>tag</i> plain bold' });
    await row.waitFor();
    assert.equal(await row.innerText(), 'green <i>tag</i> plain bold', 'no escape codes shown');
    assert.equal(await page.locator('#log-viewport i').count(), 0, 'log text is never parsed as HTML');
    const green = row.locator('span.a32');
    assert.equal(await green.innerText(), 'green <i>tag</i>');
    assert.notEqual(await green.evaluate((e) => getComputedStyle(e).color), await row.evaluate((e) => getComputedStyle(e).color), 'the colour class is styled');
    assert.equal(await row.locator('span.a91.b').innerText(), 'bold');
  });
});
