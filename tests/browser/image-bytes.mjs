// node image-bytes.mjs URL [WIDTH] [DPR]: loads URL in headless Chromium as a phone (375 px,
// 2× by default), scrolls to the bottom so that lazy images load, and prints the bytes of
// every image fetched and their total (SPEC §10: a phone loads small files). Not a test.
import { chromium } from 'playwright-core';

const [url, width = '375', dpr = '2'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const context = await browser.newContext({
  viewport: { width: Number(width), height: 812 },
  deviceScaleFactor: Number(dpr),
  isMobile: true,
});
const page = await context.newPage();
const images = new Map();
page.on('response', async (response) => {
  if (response.request().resourceType() !== 'image') return;
  try {
    images.set(response.url(), (await response.body()).length);
  } catch {}
});
await page.goto(url, { waitUntil: 'networkidle' });
for (let y = 0; y < 40; y++) {
  await page.mouse.wheel(0, 800);
  await page.waitForTimeout(100);
}
await page.waitForLoadState('networkidle');
let total = 0;
for (const [u, n] of images) {
  total += n;
  console.log(`${n}\t${u}`);
}
console.log(`${total}\ttotal (${images.size} images)`);
await browser.close();
