// Drives the VS Code workbench served by code-server through Debian's chromium and playwright-core.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, type RunningCodeServer } from './codeServer';

export const ARTIFACTS = join(__dirname, '..', '..', '..', '.test-artifacts');

// Quiet, offline, reproducible chromium: nothing here may reach the network beyond loopback.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Workbench {
  page: Page;
  browser: Browser;
  close(): Promise<void>;
  screenshot(name: string): Promise<string>;
  /** Opens the command palette (F1) and returns the labels it lists for `query`. */
  paletteEntries(query: string): Promise<string[]>;
  /** Runs a palette command by its exact label. */
  runCommand(label: string): Promise<void>;
  /** Answers an open quick pick by typing `filter` and accepting the first match. */
  pick(filter: string, timeoutMs?: number): Promise<void>;
  /** Text currently rendered in the panel's output editor. */
  outputText(): Promise<string>;
}

/** Launches chromium, logs in with the server's password, answers the Workspace Trust dialog. */
export async function openWorkbench(server: RunningCodeServer, opts: { trust: boolean }): Promise<Workbench> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  await page.goto(`${server.url}/login`);
  await page.fill('input[name="password"]', server.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.press('input[name="password"]', 'Enter')]);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  // The trust prompt is modal and swallows keyboard input until answered.
  const answer = opts.trust ? /Yes, I trust the authors/ : /No, I don.t trust the authors/;
  const button = page.getByRole('button', { name: answer });
  try {
    await button.waitFor({ timeout: 20_000 });
    await button.click();
  } catch {
    // No prompt (already decided in this profile): fine.
  }
  await page.waitForSelector('.monaco-dialog-box', { state: 'detached', timeout: 10_000 }).catch(() => undefined);

  const paletteEntries = async (query: string): Promise<string[]> => {
    // On a loaded machine the trust prompt can appear after the wait above; it would swallow the keys: answer it.
    if (await button.isVisible().catch(() => false)) await button.click();
    await page.keyboard.press('Escape');
    // Focus the workbench itself, never a webview: a blank spot of the activity bar. (Clicking the editor area
    // would focus an open webview, which takes focus back after the palette closes and so closes a following
    // quick pick.)
    await page.locator('.part.activitybar').click({ position: { x: 24, y: 640 } }).catch(() => undefined);
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${query}`);
    await page.waitForTimeout(300); // let the list filter (not a test assertion: UI settles)
    const rows = page.locator('.quick-input-list .monaco-list-row .label-name');
    return rows.allInnerTexts();
  };

  return {
    page,
    browser,
    close: () => browser.close(),
    async screenshot(name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const file = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    paletteEntries,
    async runCommand(label) {
      const entries = await paletteEntries(label);
      const at = entries.findIndex((e) => e.trim() === label);
      if (at < 0) throw new Error(`no palette entry "${label}" (saw: ${entries.join(' | ')})`);
      // The filter is fuzzy ("Innerloop: Up" also lists "Innerloop: Trigger Update" first): pick the exact row.
      for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    },
    async pick(filter, timeoutMs = 30_000) {
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: timeoutMs });
      await input.fill(filter);
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
      await page.waitForTimeout(200); // let the filter apply before accepting
      await page.keyboard.press('Enter');
    },
    async outputText() {
      return page.locator('.part.panel .monaco-editor .view-lines').first().innerText();
    },
  };
}
