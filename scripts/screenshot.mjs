#!/usr/bin/env node
// Regenerates docs/seed-example.png: the HTML sequence diagram of
// scenarios/seed-example.yaml, seed 1, as headless Chromium draws it.
//
//   npm run build && node scripts/screenshot.mjs [scenario] [seed] [out.png]
//
// Needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium) and
// playwright-core (a devDependency). Uses the built dist/, like a user would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { loadScenarioFile } = await import(pathToFileURL(join(root, 'dist/scenario/load.js')).href);
const { runScenario } = await import(pathToFileURL(join(root, 'dist/run/runner.js')).href);
const { sequenceDiagramHtml } = await import(pathToFileURL(join(root, 'dist/trace/html.js')).href);

const [name = 'seed-example', seedText = '1', out = join(root, 'docs', `${name}.png`)] = process.argv.slice(2);
const loaded = loadScenarioFile(join(root, 'scenarios', `${name}.yaml`));
if (!loaded.ok) {
  console.error(loaded.errors.join('\n'));
  process.exit(2);
}
const result = runScenario(loaded.scenario, { seed: Number(seedText), record: true });
const html = sequenceDiagramHtml({ meta: result.meta, events: result.events, violations: result.violations });

const dir = mkdtempSync(join(tmpdir(), 'paxsim-screenshot-'));
const file = join(dir, `${name}.html`);
writeFileSync(file, html);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1200 } });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => window.paxsimDiagram?.ready === true);
  // Tall enough for the whole run at the default zoom, so the picture shows all of it.
  const height = await page.evaluate(() => document.querySelector('header').offsetHeight + 34 + window.paxsimDiagram.totalHeight());
  await page.setViewportSize({ width: 1360, height: Math.min(2400, Math.ceil(height) + 4) });
  await page.evaluate(() => window.paxsimDiagram.renderNow());
  // Pin an accept (the first one not to itself) so the details panel shows what hovering an arrow does.
  await page.locator('#content .msg.deliver.t-accept').nth(1).dispatchEvent('click');
  await page.screenshot({ path: out });
  console.log(`wrote ${out} (${result.events.length} events)`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
