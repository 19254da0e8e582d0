// Live reload in a real browser: open a page served by `datto serve`, change its Markdown
// file, and check that the tab reloaded by itself and shows the new text; then break the
// file and check that the error overlay appears over the last good page.
//   node reload.mjs --url http://127.0.0.1:PORT/tin-bai/… --file /abs/path/item.md
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  headless: true,
  timeout: 60000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const page = await browser.newPage();
  await page.goto(args.url, { waitUntil: 'load', timeout: 30000 });
  // A mark that only survives if the page is NOT reloaded.
  await page.evaluate(() => { window.__dattoMark = 'old'; });
  // Give the events stream a moment to connect, then wait for it to be open for real.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/__datto/events')) || true);
  const original = readFileSync(args.file, 'utf8');
  const marker = `Dòng kiểm tra tải lại ${Date.now()}`;
  writeFileSync(args.file, `${original.trimEnd()}\n\n${marker}\n`);
  await page.waitForFunction(
    (text) => window.__dattoMark === undefined && document.body.innerText.includes(text),
    marker,
    { timeout: 20000, polling: 200 },
  );
  console.log('  ok   the page reloaded by itself and shows the new text');

  // A broken front matter: the overlay shows path:line, the last good text stays.
  writeFileSync(args.file, original.replace(/^title:.*$/m, 'titel: Sai khóa'));
  await page.waitForSelector('#datto-errors', { timeout: 20000 });
  const overlay = await page.textContent('#datto-errors');
  if (!/content\/tin-bai\/.+\.md:\d+:/.test(overlay)) {
    throw new Error(`the error overlay lacks path:line: ${overlay}`);
  }
  if (!(await page.evaluate((text) => document.body.innerText.includes(text), marker))) {
    throw new Error('the last good page is no longer shown under the overlay');
  }
  console.log('  ok   a broken file shows path:line over the last good page');

  // Fixed again: the page reloads and the overlay is gone.
  writeFileSync(args.file, original);
  await page.waitForFunction(
    (text) => !document.getElementById('datto-errors') && !document.body.innerText.includes(text),
    marker,
    { timeout: 20000, polling: 200 },
  );
  console.log('  ok   fixing the file clears the overlay');
} catch (e) {
  failed = true;
  console.log(`  FAIL live reload: ${e.message}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
