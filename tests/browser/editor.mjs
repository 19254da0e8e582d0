// The browser editor (/_datto/, SPEC §14) end to end in headless Chromium, on a copy of a site:
// write an item through the form, watch the live preview, save, add a photo, save again, find
// the item on its page, its unit's page and in the tally; edit its title; import a .docx made
// by LibreOffice (skipped, with a SKIPPED line, when soffice is missing); screenshots of the
// editor at 375 and 1280 px.
//
//   node editor.mjs --datto BIN --site DIR --shots DIR
//
// DIR is a throwaway copy: the test writes content into it. The server is started here, on a
// free loopback port, and stopped at the end. Exit status 0 when every step passed.

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const shots = args.shots;
mkdirSync(shots, { recursive: true });
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(message) {
  console.error(`  FAIL: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

// `datto serve --port 0`, its address from what it prints.
const server = spawn(args.datto, ['serve', '--port', '0', '--root', args.site], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let log = '';
const origin = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`datto serve printed no editor address:\n${log}`)), 120000);
  const read = (chunk) => {
    log += chunk;
    const m = log.match(/Trình soạn bài: (http:\/\/127\.0\.0\.1:\d+)\/_datto\//);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  };
  server.stdout.on('data', read);
  server.stderr.on('data', read);
  server.on('exit', (code) => reject(new Error(`datto serve exited (${code}):\n${log}`)));
});
console.log(`  editor at ${origin}/_datto/`);

async function get(path) {
  const r = await fetch(origin + path);
  return { status: r.status, text: await r.text() };
}

// Polls until `accept` holds: the preview server rebuilds after each save.
async function until(what, path, accept, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await get(path);
    if (accept(r)) return r;
    if (Date.now() > deadline) fail(`${what}: ${path} answered ${r.status} without it`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

const year = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
const UNIT = 'thanh-ba';
const tally = async () => {
  const r = await get(`/thong-ke/${year}.json`);
  return JSON.parse(r.text).units.find((u) => u.slug === UNIT).count;
};

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const page = await context.newPage();
  // Failed requests are judged by their response below (a 422 from the live preview is an
  // answer the page shows, not a fault).
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (r.status() >= 400 && !(url.pathname === '/_datto/api/preview' && r.status() === 422)) {
      problems.push(`${r.status()} ${url.pathname}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.setDefaultTimeout(20000);

  const before = await tally();
  await page.goto(`${origin}/_datto/`);
  await page.locator('#ds-trang-thai', { hasText: 'mục' }).waitFor();

  // 1. A new item through the form; the live preview follows the typing.
  const title = `Chi hội ${UNIT} ra mắt tổ phụ nữ tự quản ${Date.now() % 100000}`;
  await page.getByRole('button', { name: 'Viết tin mới' }).click();
  await page.fill('#f-title', title);
  await page.selectOption('#f-unit', UNIT);
  // The chosen unit's progress this year (count / target), from the preview's own tally.
  const progress = page.locator('#f-unit ~ .tien-do');
  await progress.filter({ hasText: new RegExp(`: ${before}/\\d+ tin bài năm \\d{4}`) }).waitFor({ timeout: 10000 });
  console.log(`  the form shows the unit's progress: ${await progress.textContent()}`);
  await page.fill('#f-tags', 'Tự quản, Thử nghiệm');
  await page.fill('#f-body', 'Sáng nay, **40 hội viên** dự lễ ra mắt.\n\n## Hoạt động\n\n- Vệ sinh đường làng\n- Thăm hỏi hội viên');
  const preview = page.frameLocator('#xem-truoc');
  await preview.locator('h1', { hasText: title }).waitFor();
  await preview.locator('strong', { hasText: '40 hội viên' }).waitFor();
  console.log('  live preview shows the unsaved item');
  // An error shown before saving: a link to a file that does not exist.
  await page.fill('#f-body', 'Xem [bài cũ](khong-co.md).');
  await page.locator('.truong[data-key="body"] .loi', { hasText: 'khong-co.md' }).waitFor();
  console.log('  a broken link is reported at the body before saving');
  await page.fill('#f-body', 'Sáng nay, **40 hội viên** dự lễ ra mắt.\n\n## Hoạt động\n\n- Vệ sinh đường làng\n- Thăm hỏi hội viên');
  await preview.locator('strong', { hasText: '40 hội viên' }).waitFor();

  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.locator('#soan-trang-thai', { hasText: 'Đã lưu' }).waitFor();
  console.log(`  saved: ${await page.locator('#soan-trang-thai').textContent()}`);

  // 2. A photo (a JPEG drawn by the browser), uploaded into the item's bundle.
  const jpeg = Buffer.from(
    (await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 640;
      c.height = 480;
      const g = c.getContext('2d');
      g.fillStyle = '#7a1f3d';
      g.fillRect(0, 0, 640, 480);
      g.fillStyle = '#f6c';
      g.fillRect(120, 90, 400, 300);
      return c.toDataURL('image/jpeg', 0.8);
    })).split(',')[1],
    'base64',
  );
  await page.setInputFiles('#f-anh', { name: 'Ảnh lễ ra mắt.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.locator('#soan-trang-thai', { hasText: 'Đã thêm ảnh' }).waitFor();
  const body = await page.inputValue('#f-body');
  if (!body.includes('](anh-le-ra-mat.jpg)')) fail(`the photo is not in the body: ${body}`);
  await page.fill('#f-body', body.replace('Mô tả ảnh', 'Hội viên dự lễ ra mắt'));
  await preview.locator('img[alt="Hội viên dự lễ ra mắt"]').waitFor({ timeout: 30000 });
  console.log('  the photo shows in the live preview');
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.locator('#soan-trang-thai', { hasText: 'Đã lưu' }).waitFor();

  // 3. Published in the preview server: its page (at the URL the API gives), its unit, the tally.
  const entries = await page.evaluate(async () => {
    const r = await fetch('/_datto/api/entries?section=tin-bai');
    return r.json();
  });
  const entry = entries.find((e) => e.title === title);
  if (!entry || !entry.url) fail(`the entries API has no URL for the new item: ${JSON.stringify(entry)}`);
  await until('the item page with its photo', entry.url, (r) => r.status === 200 && r.text.includes(title) && /<img[^>]+alt="Hội viên dự lễ ra mắt"/.test(r.text));
  await until('the unit page', `/don-vi/${UNIT}/`, (r) => r.text.includes(title));
  const deadline = Date.now() + 30000;
  while ((await tally()) !== before + 1) {
    if (Date.now() > deadline) fail(`the tally of ${UNIT} did not go from ${before} to ${before + 1}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  await until('the tally page', `/thong-ke/${year}/`, (r) => r.status === 200);
  await preview.locator('h1', { hasText: title }).waitFor();
  console.log(`  on ${entry.url}, /don-vi/${UNIT}/ and the tally (${UNIT}: ${before} → ${before + 1})`);

  // 4. Edit the title: the preview, then the saved page.
  const edited = `${title} (đã sửa)`;
  await page.fill('#f-title', edited);
  await preview.locator('h1', { hasText: edited }).waitFor();
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.locator('#soan-trang-thai', { hasText: 'Đã lưu' }).waitFor();
  await until('the edited title', entry.url, (r) => r.text.includes(edited));
  const file = readFileSync(join(args.site, 'content', entry.path), 'utf8');
  if (!file.includes('(đã sửa)') || !file.includes('tags:')) fail(`the saved file:\n${file}`);
  console.log('  edited title saved and rebuilt');

  // 5. A Word document made by LibreOffice becomes a draft.
  const soffice = ['soffice', 'libreoffice'].find((c) => spawnSync('which', [c]).status === 0);
  if (!soffice) {
    console.log('  SKIPPED: Word import (soffice is not installed)');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'datto-docx-'));
    writeFileSync(
      join(dir, 'bao-cao.html'),
      '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo hội nghị</title></head><body>' +
        '<h1>Hội nghị sơ kết công tác Hội quý IV</h1><p>Chiều nay, <b>Hội LHPN huyện</b> tổ chức hội nghị.</p>' +
        '<ul><li>Tổng kết phong trào</li><li>Trao giấy khen</li></ul></body></html>',
    );
    const made = spawnSync(soffice, ['--headless', '--convert-to', 'docx:MS Word 2007 XML', '--outdir', dir, join(dir, 'bao-cao.html')], {
      timeout: 120000,
      env: { ...process.env, HOME: dir },
    });
    const docx = join(dir, 'bao-cao.docx');
    if (!existsSync(docx)) fail(`soffice made no .docx: ${made.stderr}`);
    await page.locator('summary', { hasText: 'Nhập từ tệp Word' }).click();
    await page.setInputFiles('#nhap input[type=file]', docx);
    await page.selectOption('#nhap select[name=unit]', UNIT);
    await page.getByRole('button', { name: 'Nhập thành bài nháp' }).click();
    // The title is the document's (its properties, else its first heading).
    await page.waitForFunction(
      () => /Báo cáo hội nghị|Hội nghị sơ kết/.test(document.getElementById('f-title').value) || document.getElementById('nhap-loi').textContent,
    );
    const refused = await page.locator('#nhap-loi').textContent();
    if (refused) fail(`the import was refused: ${refused}`);
    if (!(await page.isChecked('#f-draft'))) fail('the imported item is not a draft');
    await preview.locator('strong', { hasText: 'Hội LHPN huyện' }).waitFor();
    console.log(`  imported ${docx.split('/').pop()} (LibreOffice) as a draft: ${await page.inputValue('#f-title')}`);
  }

  // 6. Screenshots of the editor, list and form, at both widths.
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300);
    await page.locator('#soan').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, `editor-${width}.png`) });
    await page.screenshot({ path: join(shots, `editor-${width}-full.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) fail(`the editor scrolls sideways by ${overflow} px at ${width} px`);
  }
  console.log(`  screenshots: ${join(shots, 'editor-1280.png')}, editor-375.png`);
  if (problems.length) fail(`browser problems:\n    ${problems.join('\n    ')}`);
  console.log('  editor: all steps passed');
} catch (e) {
  if (!process.exitCode) {
    console.error(`  FAIL: ${e.message}`);
    process.exitCode = 1;
  }
  console.error(log.split('\n').slice(-15).join('\n'));
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
