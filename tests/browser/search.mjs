// Search in a real browser (issue 14): loads /tim-kiem/?q=… of a served build in headless
// Chromium and checks the results inside #ket-qua, the <mark>ed excerpts with their
// diacritics, the count announced in the live region, the empty state, the filters, the form
// on another page, axe-core with results shown, and screenshots at 375 and 1280 px.
//
//   node search.mjs --origin http://127.0.0.1:PORT --base /phunu/ --shots DIR
//   node search.mjs --origin http://127.0.0.1:PORT --base / --edit FILE   (against datto serve:
//       a word added to FILE becomes searchable after the rebuild)
// Exit status 0 when every check passed, 1 otherwise.

import { chromium } from 'playwright-core';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const origin = args.origin;
const base = args.base || '/';
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
});

// Results of one query: titles, hrefs, excerpts' HTML, the status line, bytes fetched.
async function results(page, q, extra = '', all = false) {
  let bytes = 0;
  const count = (res) => res.body().then((b) => { bytes += b.length; }).catch(() => {});
  const pending = [];
  const listener = (res) => { if (res.url().includes('/tim-kiem/') || res.url().endsWith('.js')) pending.push(count(res)); };
  page.on('response', listener);
  const t0 = Date.now();
  await page.goto(`${origin}${base}tim-kiem/?q=${encodeURIComponent(q)}${extra}`, { waitUntil: 'load' });
  await page.waitForFunction(() => {
    const s = document.getElementById('trang-thai');
    return s && s.textContent && !s.textContent.startsWith('Đang tìm');
  }, null, { timeout: 15000 });
  const ms = Date.now() - t0;
  await Promise.all(pending);
  page.off('response', listener);
  // All results, not only the first ten: "Xem thêm" until there is no more.
  // Each batch is done when the button's "(còn N)" changes or the button goes: results appear
  // one by one before that, so a count of results alone would let the loop click a button that
  // the batch then removes.
  for (let i = 0; all && i < 20 && (await page.$('#ket-qua .search-more')); i++) {
    const before = await page.$eval('#ket-qua .search-more', (b) => b.textContent);
    await page.click('#ket-qua .search-more');
    await page.waitForFunction((before) => {
      const b = document.querySelector('#ket-qua .search-more');
      return !b || b.textContent !== before;
    }, before);
  }
  return page.evaluate(() => ({
    status: document.getElementById('trang-thai').textContent,
    titles: [...document.querySelectorAll('#ket-qua .hit__title a')].map((a) => a.textContent),
    hrefs: [...document.querySelectorAll('#ket-qua .hit__title a')].map((a) => a.getAttribute('href')),
    marks: [...document.querySelectorAll('#ket-qua mark')].map((m) => m.textContent),
    empty: !!document.querySelector('#ket-qua .search-empty'),
    input: document.getElementById('q').value,
  })).then((r) => ({ ...r, ms, bytes }));
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    return u.origin === origin ? route.continue() : route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  if (args.edit) {
    // datto serve: a new word in an item is found after the rebuild and a reload.
    const word = 'tukhoamoi' + Date.now().toString(36);
    const before = await results(page, word);
    check(before.empty, `serve: "${word}" has no result before the edit`);
    writeFileSync(args.edit, readFileSync(args.edit, 'utf8') + `\n\nĐoạn thêm có từ ${word} và chữ Đường.\n`);
    let after = null;
    for (let i = 0; i < 60 && !(after && after.titles.length); i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = await results(page, word);
    }
    check(after && after.titles.length === 1 && after.marks.includes(word), `serve: "${word}" found after the edit (${after && after.titles.length} result)`);
  } else {
    const duong = await results(page, 'duong');
    check(duong.titles.length > 0 && duong.marks.some((m) => /^đường$/i.test(m)), `"duong" lists results with <mark>Đường/đường</mark> (${duong.titles.length} results, ${duong.ms} ms, ${duong.bytes} bytes)`);
    check(/Tìm thấy \d+ kết quả/.test(duong.status), `the live region announces the count: "${duong.status}"`);
    check(duong.hrefs.every((h) => h.startsWith(base) && h.endsWith('/')), `result links are under ${base}`);
    check(duong.input === 'duong', 'the query is kept in the input');

    const damDang = await results(page, 'dam dang', '', true);
    check(damDang.marks.some((m) => m === 'đảm') && damDang.marks.some((m) => m === 'đang'), `"dam dang" marks "đảm" and "đang" (${damDang.titles.length} results)`);
    const phuNu = await results(page, 'phu nu dat to', '', true);
    check(phuNu.titles.length > 0 && ['Phụ', 'nữ', 'Đất', 'Tổ'].every((w) => phuNu.marks.includes(w)), `"phu nu dat to" finds "Phụ nữ Đất Tổ" (${phuNu.titles.length} results)`);
    const withMarks = await results(page, 'Việt Trì', '', true);
    const without = await results(page, 'viet tri', '', true);
    check(withMarks.status === without.status.replace('viet tri', 'Việt Trì') && withMarks.titles.length > 0 &&
      [...withMarks.titles].sort().join('|') === [...without.titles].sort().join('|'), `"Việt Trì" and "viet tri" give the same results (${without.titles.length} shown)`);
    const prefix = await results(page, 'khoi ngh');
    check(prefix.titles.length > 0 && prefix.marks.some((m) => m.toLowerCase() === 'nghiệp'), `"khoi ngh" finds "khởi nghiệp" (${prefix.titles.length} results)`);
    const none = await results(page, 'zzkhongcotu qqq');
    check(none.empty && none.titles.length === 0 && /Không có kết quả/.test(none.status), 'a query with no match shows the empty state');
    const filtered = await results(page, 'viet tri', '&loai=mo-hinh', true);
    check(filtered.titles.length < without.titles.length || without.titles.length === 0, `the type filter narrows "viet tri" (${filtered.titles.length} profiles)`);

    // The form in the masthead of another page leads to the results.
    await page.goto(`${origin}${base}`, { waitUntil: 'load' });
    await page.fill('#q-dau-trang', 'duong');
    await page.press('#q-dau-trang', 'Enter');
    await page.waitForURL(/tim-kiem\/\?q=duong/);
    await page.waitForSelector('#ket-qua .hit');
    check(new URL(page.url()).pathname === `${base}tim-kiem/`, 'the masthead form goes to /tim-kiem/?q=…');

    // axe with results shown, at both widths; screenshots.
    const axePath = join(here, 'node_modules', 'axe-core', 'axe.min.js');
    const shots = args.shots || join(here, 'out');
    mkdirSync(shots, { recursive: true });
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await results(page, 'duong');
      await page.addScriptTag({ path: axePath });
      const axe = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
      const list = axe.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      check(axe.violations.length === 0, `axe at ${width}px with results shown: ${list.length ? list.join('; ') : '0 violations'}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      check(wide, `no sideways scrolling at ${width}px`);
      await page.screenshot({ path: join(shots, `search-${width}.png`), fullPage: true });
    }
    await results(page, 'zzkhongcotu');
    await page.screenshot({ path: join(shots, 'search-empty-375.png'), fullPage: true });
    const first = await results(page, 'phu nu dat to');
    console.log(`  "phu nu dat to": first results after ${first.ms} ms (page load included), ${first.bytes} bytes of script and index`);
    if (args.counts) appendFileSync(args.counts, `search_bytes=${first.bytes}\nsearch_ms=${first.ms}\n`);
  }
  check(errors.length === 0, `no console errors${errors.length ? ': ' + errors.join('; ') : ''}`);
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
