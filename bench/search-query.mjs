// bench/search-query.mjs: one query at a time in headless Chromium, with an empty cache, against
// datto's /tim-kiem/ and against a Pagefind index: bytes fetched (script + index files, as stored
// on disk) and milliseconds from the query's start to the first results on screen.
//
//   node search-query.mjs --datto http://127.0.0.1:P/ --pagefind http://127.0.0.1:Q/ --queries '["duong", …]'
// Prints one JSON line: [{engine, q, results, bytes, files, ms, …}, …]. For datto, `ms` runs from
// the script's "Đang tìm…" to the whole first page of results ("Tìm thấy …"), `ms_first` to the
// first result on the page, and `nav_page`/`nav_first` count the same two moments from the start
// of the page's navigation (the page, its CSS and the script included); `typed` is a query
// typed into the form of an already loaded /tim-kiem/ and submitted, from the submit to its first result.
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
  const { ms, results, ...rest } = await run(page);
  await Promise.all(pending);
  await context.close();
  const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v) : v]));
  return { engine, q, bytes, files, ...round(rest), ms: Math.round(ms), results };
}

const out = [];
for (const q of queries) {
  if (args.datto) {
    out.push(await measure('datto', q, (p) => p.includes('/tim-kiem/') && !p.endsWith('/') || p.endsWith('.js'), async (page) => {
      // Times the status line ("Đang tìm…" when the query starts, "Tìm thấy …" once the first
      // page of results is shown) and the first result (`.hit`) inside #ket-qua.
      // performance.now() counts from the navigation's start.
      await page.addInitScript(() => {
        window.__t = {};
        new MutationObserver(() => {
          const s = document.getElementById('trang-thai');
          if (!s) return;
          const t = window.__t, now = performance.now();
          if (s.textContent.startsWith('Đang tìm') && !t.start) t.start = now;
          if (!t.first && document.querySelector('#ket-qua .hit')) t.first = now;
          if (/^(Tìm thấy|Không có)/.test(s.textContent) && !t.end) { t.end = now; t.first = t.first || now; }
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(`${args.datto}tim-kiem/?q=${encodeURIComponent(q)}`);
      await page.waitForFunction(() => window.__t && window.__t.end, null, { timeout: 30000 });
      const loaded = await page.evaluate(() => ({
        ms: window.__t.end - window.__t.start,
        ms_first: window.__t.first - window.__t.start,
        nav_first: window.__t.first,
        nav_page: window.__t.end,
        results: Number((document.getElementById('trang-thai').textContent.match(/[\d.]+/) || ['0'])[0].replace(/\./g, '')),
      }));
      // The same query typed into the form of a freshly loaded /tim-kiem/ (in a fresh context:
      // nothing cached but what the empty page itself fetched) and submitted.
      const other = await browser.newContext();
      const blank = await other.newPage();
      await blank.goto(`${args.datto}tim-kiem/`, { waitUntil: 'networkidle' });
      const typed = await blank.evaluate((q) => new Promise((done) => {
        const t0 = performance.now();
        const seen = new MutationObserver(() => {
          if (document.querySelector('#ket-qua .hit') || /^Không có/.test(document.getElementById('trang-thai').textContent)) {
            seen.disconnect();
            done(performance.now() - t0);
          }
        });
        seen.observe(document.body, { childList: true, subtree: true, characterData: true });
        document.getElementById('q').value = q;
        document.getElementById('tim-kiem').requestSubmit();
      }), q);
      await other.close();
      return { ...loaded, typed };
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
