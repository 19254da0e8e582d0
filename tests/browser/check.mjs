// Browser check of a served datto build: loads a few pages in headless Chromium, runs axe-core
// on each at two widths, records console errors and failed requests, takes screenshots.
//
//   node check.mjs --origin http://127.0.0.1:PORT --pages pages.json --shots DIR [--counts FILE]
//
// pages.json: [{"name": "home", "path": "/"}, …] (paths include the base_url's path).
// Exit status 0 when nothing failed, 1 otherwise.

import { chromium } from 'playwright-core';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const origin = args.origin;
const pages = JSON.parse(readFileSync(args.pages, 'utf8'));
const shots = args.shots;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGE_TIMEOUT = Number(process.env.PAGE_TIMEOUT_MS || 30000);
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 375, height: 740 },
];
const FAIL_IMPACTS = new Set(['serious', 'critical']);
const axePath = join(here, 'node_modules', 'axe-core', 'axe.min.js');

mkdirSync(shots, { recursive: true });

const originHost = new URL(origin).host;
const problems = []; // strings: console errors, failed requests, load failures
const violations = new Map(); // key page|rule -> {page, id, impact, help, helpUrl, targets:Set, widths:Set, nodes}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  timeout: 60000,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ],
});

try {
  for (const { width, height } of WIDTHS) {
    const context = await browser.newContext({
      viewport: { width, height },
      deviceScaleFactor: 1,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
      reducedMotion: 'reduce',
      serviceWorkers: 'block',
    });
    // The site must load nothing from outside: block (and report) any request off this server.
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host !== originHost) {
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    context.setDefaultTimeout(PAGE_TIMEOUT);
    context.setDefaultNavigationTimeout(PAGE_TIMEOUT);

    for (const { name, path } of pages) {
      const url = origin + path;
      const tag = `${name} @${width}px ${path}`;
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') {
          const loc = msg.location();
          problems.push(`${tag}: console error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
        }
      });
      page.on('pageerror', (err) => problems.push(`${tag}: uncaught exception: ${err.message}`));
      page.on('requestfailed', (req) => {
        const f = req.failure();
        const outside = new URL(req.url()).host !== originHost;
        problems.push(
          `${tag}: request failed: ${req.method()} ${req.url()} (${f ? f.errorText : 'unknown'})` +
            (outside ? ' — a request to an outside server' : ''),
        );
      });
      page.on('response', (res) => {
        if (res.status() >= 400) problems.push(`${tag}: HTTP ${res.status()} for ${res.url()}`);
      });

      const t0 = Date.now();
      try {
        const res = await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUT });
        if (!res) throw new Error('no response');
        if (res.status() >= 400) throw new Error(`the page itself answered HTTP ${res.status()}`);
        // let late requests (lazy images, fonts) settle, bounded
        await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});

        await page.addScriptTag({ path: axePath });
        const result = await withTimeout(
          page.evaluate(() =>
            // eslint-disable-next-line no-undef
            axe.run(document, { resultTypes: ['violations'] }),
          ),
          PAGE_TIMEOUT,
          `${tag}: axe.run`,
        );
        for (const v of result.violations) {
          const key = `${name}|${v.id}`;
          if (!violations.has(key)) {
            violations.set(key, {
              page: name,
              path,
              id: v.id,
              impact: v.impact || 'unknown',
              help: v.help,
              helpUrl: v.helpUrl,
              targets: new Map(),
              widths: new Set(),
            });
          }
          const e = violations.get(key);
          e.widths.add(width);
          for (const n of v.nodes) {
            const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' ');
            if (!e.targets.has(target)) e.targets.set(target, (n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim());
          }
        }

        // A layout break no validator sees: text squeezed into a sliver (a card's title beside
        // a photo once went one letter a line at 375 px when <picture> changed the grid).
        const squeezed = await page.evaluate(() =>
          [...document.querySelectorAll('h1, h2, h3, p, li, a')]
            // `.visually-hidden` text is 1 px wide on purpose (for screen readers only).
            .filter((el) => el.textContent.trim().length > 12 && !el.closest('.visually-hidden'))
            .map((el) => ({ text: el.textContent.trim().slice(0, 40), w: el.getBoundingClientRect().width }))
            .filter((el) => el.w > 0 && el.w < 48),
        );
        for (const el of squeezed.slice(0, 5)) {
          problems.push(`${tag}: text squeezed to ${el.w.toFixed(0)} px wide: "${el.text}"`);
        }
        const file = join(shots, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: PAGE_TIMEOUT });
        console.log(`  ok   ${tag}  (${Date.now() - t0} ms, ${result.violations.length} axe rule(s) violated) → ${file}`);
      } catch (err) {
        problems.push(`${tag}: ${String(err.message || err).split('\n')[0]}`);
        console.log(`  FAIL ${tag}: ${String(err.message || err).split('\n')[0]}`);
      } finally {
        await page.close().catch(() => {});
      }
    }
    await context.close();
  }
  // ==== Portal checks (issue 13 §3) ==========================================================
  // On a 375 px phone: links in the top bar, sidebar and footer are at least 44 px tall, and
  // the share/copy controls of an item too. The tally page printed to A4 (Chromium's PDF)
  // takes at most 2 pages, shows no download link, and carries its source line.
  // Requests off this server are blocked and counted as problems, as above.
  {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host !== originHost) {
        problems.push(`portal: a request to an outside server: ${u.href}`);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    context.setDefaultTimeout(PAGE_TIMEOUT);
    const page = await context.newPage();
    const TAP = 44;
    for (const name of ['home', 'item']) {
      const entry = pages.find((p) => p.name === name);
      if (!entry) continue;
      try {
        await page.goto(origin + entry.path, { waitUntil: 'load' });
        const small = await page.evaluate((min) => {
          const selector = '.topbar a, .sidebar a, .site-footer a, .share__link:not([hidden])';
          return [...document.querySelectorAll(selector)]
            .map((a) => ({ text: a.textContent.trim(), h: a.getBoundingClientRect().height }))
            .filter((a) => a.h > 0 && a.h < min - 0.5);
        }, TAP);
        for (const a of small) problems.push(`portal: ${name} @375px: tap target "${a.text}" is ${a.h.toFixed(1)} px tall (< ${TAP})`);
        console.log(`  ${small.length ? 'FAIL' : 'ok  '} tap targets ≥ ${TAP} px on ${name} @375px (${small.length} too small)`);
      } catch (err) {
        problems.push(`portal: ${name}: ${String(err.message || err).split('\n')[0]}`);
      }
    }
    const tally = pages.find((p) => p.name === 'tally');
    if (tally) {
      try {
        await page.goto(origin + tally.path, { waitUntil: 'load' });
        await page.emulateMedia({ media: 'print' });
        const printed = await page.evaluate(() => ({
          downloads: [...document.querySelectorAll('a[download]')].filter((a) => a.getClientRects().length > 0).length,
          source: [...document.querySelectorAll('.print-source')].some((p) => p.getClientRects().length > 0),
        }));
        const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: false });
        const file = join(shots, 'tally-print.pdf');
        writeFileSync(file, pdf);
        const pageCount = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
        if (pageCount < 1 || pageCount > 2) problems.push(`portal: the printed tally page takes ${pageCount} A4 pages (at most 2)`);
        if (printed.downloads) problems.push(`portal: ${printed.downloads} download link(s) printed on the tally page`);
        if (!printed.source) problems.push('portal: the printed tally page has no source and print date line');
        console.log(`  ${pageCount <= 2 && !printed.downloads && printed.source ? 'ok  ' : 'FAIL'} tally page printed: ${pageCount} A4 page(s), ${printed.downloads} download link(s), source line ${printed.source ? 'present' : 'missing'} → ${file}`);
        if (args.counts) appendFileSync(args.counts, `tally_print_pages=${pageCount}\n`);
      } catch (err) {
        problems.push(`portal: tally print: ${String(err.message || err).split('\n')[0]}`);
      }
    }
    await context.close();
  }
  // ==== end of portal checks ================================================================
} finally {
  await browser.close().catch(() => {});
}

// ---- report
const order = ['critical', 'serious', 'moderate', 'minor', 'unknown'];
const byImpact = Object.fromEntries(order.map((i) => [i, 0]));
const sorted = [...violations.values()].sort(
  (a, b) => order.indexOf(a.impact) - order.indexOf(b.impact) || a.page.localeCompare(b.page) || a.id.localeCompare(b.id),
);
if (sorted.length) console.log('\n  axe-core violations (per page and rule; both widths merged):');
for (const v of sorted) {
  byImpact[v.impact] = (byImpact[v.impact] || 0) + 1;
  const mark = FAIL_IMPACTS.has(v.impact) ? 'FAIL' : 'note';
  console.log(
    `  ${mark} [${v.impact}] ${v.id} on ${v.page} (${v.path}) at ${[...v.widths].join('/')}px: ${v.help} — ${v.targets.size} element(s)`,
  );
  console.log(`         ${v.helpUrl}`);
  for (const [t, why] of [...v.targets].slice(0, 5)) console.log(`         ${t}${why ? `  — ${why}` : ''}`);
  if (v.targets.size > 5) console.log(`         … and ${v.targets.size - 5} more`);
}
if (problems.length) {
  // the same failure is often reported twice (preload scanner + parser): print each once
  const seen = new Map();
  for (const p of problems) seen.set(p, (seen.get(p) || 0) + 1);
  console.log('\n  console errors / failed requests / load failures:');
  for (const [p, n] of seen) console.log(`  FAIL ${p}${n > 1 ? ` (×${n})` : ''}`);
}
const failing = sorted.filter((v) => FAIL_IMPACTS.has(v.impact)).length;
console.log(
  `  ${pages.length} page(s) × ${WIDTHS.length} widths: axe ${order.map((i) => `${i} ${byImpact[i]}`).join(', ')}; ` +
    `${problems.length} console/request problem(s)`,
);
if (args.counts) {
  appendFileSync(
    args.counts,
    order.map((i) => `axe_${i}=${byImpact[i]}\n`).join('') + `browser_problems=${problems.length}\nbrowser_pages=${pages.length}\n`,
  );
}
process.exit(failing || problems.length ? 1 : 0);
