import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startTestDemo, type TestDemo } from './support.js';

// Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Without it this file
// cannot run: it says so instead of passing silently.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);

let demo: TestDemo;
let browser: Browser | undefined;
beforeAll(async () => {
  demo = await startTestDemo();
  if (haveBrowser) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe.skipIf(!haveBrowser)(`GraphiQL in a real browser (${CHROMIUM})`, () => {
  it('opens with the demo query and the person\'s header, and the first run shows data from all three subgraphs', async () => {
    const page = await browser!.newPage();
    const offline: string[] = [];
    page.on('requestfailed', (request) => offline.push(request.url()));
    await page.goto(demo.graphqlUrl, { waitUntil: 'load' });
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.result-window');
    // The result editor renders spaces as non-breaking ones: compare with plain spaces.
    const shown = async () => (await response.innerText()).replace(/\s/g, ' ');
    await expect.poll(shown, { timeout: 20_000 }).toContain('Lakeside Agritech LLC');
    const text = await shown();
    expect(text).toContain('"email": "');
    expect(text).toContain('"total": ');
    expect(text).toContain('"classification": ');
    expect(text).not.toContain('UNAUTHORIZED');
    // Everything GraphiQL needs comes from the gateway itself: nothing was fetched elsewhere.
    expect(offline.filter((url) => !url.startsWith(demo.server.url))).toEqual([]);
    expect(demo.received.customers.operations.join('\n')).toContain('email');
    await page.close();
  });
});
