// bench/search-query.mjs: one query at a time in headless Chromium, with an empty cache, against
// datto's /tim-kiem/ and against a Pagefind index: bytes fetched (script + index files, as stored
// on disk) and milliseconds from the query's start to the first results on screen.
//
//   node search-query.mjs --datto http://127.0.0.1:P/ --pagefind http://127.0.0.1:Q/ --queries '["duong", …]'
// Prints one JSON line: [{engine, q, results, bytes, files, ms}, …].
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const queries = JSON.parse(args.queries);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

async function measure(engine, q, counted, run) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0, files = 0;
  const pending = [];
  page.on('response', (res) => {
    if (!counted(new URL(res.url()).pathname)) return;
    pending.push(res.body().then((b) => { bytes += b.length; files += 1; }).catch(() => {}));
  });
  const { ms, results } = await run(page);
  await Promise.all(pending);
  await context.close();
  return { engine, q, results, bytes, files, ms: Math.round(ms) };
}

const out = [];
for (const q of queries) {
  if (args.datto) {
    out.push(await measure('datto', q, (p) => p.includes('/tim-kiem/') && !p.endsWith('/') || p.endsWith('.js'), async (page) => {
      // Times the status line: "Đang tìm…" (query starts) → "Tìm thấy …" (first results shown).
      await page.addInitScript(() => {
        window.__t = {};
        new MutationObserver(() => {
          const s = document.getElementById('trang-thai');
          if (!s) return;
          if (s.textContent.startsWith('Đang tìm') && !window.__t.start) window.__t.start = performance.now();
          if (/^(Tìm thấy|Không có)/.test(s.textContent) && !window.__t.end) window.__t.end = performance.now();
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(`${args.datto}tim-kiem/?q=${encodeURIComponent(q)}`);
      await page.waitForFunction(() => window.__t && window.__t.end, null, { timeout: 30000 });
      return page.evaluate(() => ({
        ms: window.__t.end - window.__t.start,
        results: Number((document.getElementById('trang-thai').textContent.match(/[\d.]+/) || ['0'])[0].replace(/\./g, '')),
      }));
    }));
  }
  if (args.pagefind) {
    out.push(await measure('pagefind', q, (p) => p.startsWith('/pagefind/'), async (page) => {
      await page.goto(`${args.pagefind}blank.html`);
      return page.evaluate(async (q) => {
        const t0 = performance.now();
        const pagefind = await import('/pagefind/pagefind.js');
        await pagefind.init();
        const search = await pagefind.search(q);
        await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
        return { ms: performance.now() - t0, results: search.results.length };
      }, q);
    }));
  }
}
await browser.close();
console.log(JSON.stringify(out));
