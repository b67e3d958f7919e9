// Screenshots of the HTML page for docs/embedding.md: the shipped tree's page showing a
// recommendation, at 360 and 1280 px wide, light scheme. Re-run after changing the page:
//
//   npm ci --prefix tests            # once
//   node tests/html/screenshots.mjs  # writes docs/images/html-360.png and html-1280.png
//
// The page is built with `python -m advisor tree --format html` from the repository root
// (set PYTHON to use another interpreter) and served to headless Chromium
// (GRANT_ADVISOR_CHROMIUM, default /usr/bin/chromium) from a fake origin; every other request
// is refused, as in check.mjs.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const ORIGIN = 'https://grant-advisor.test';
const FRAGMENT = '#situation=person_present&client_location=cli&cli_where=laptop';
const SHOTS = [
  { name: 'html-1280.png', width: 1280, height: 1000 },
  { name: 'html-360.png', width: 360, height: 1400 },
];

const html = execFileSync(process.env.PYTHON || 'python', ['-m', 'advisor', 'tree', '--format', 'html'], {
  cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
});
mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.GRANT_ADVISOR_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars'],
});
try {
  for (const shot of SHOTS) {
    const context = await browser.newContext({
      viewport: { width: shot.width, height: shot.height }, colorScheme: 'light', reducedMotion: 'reduce',
    });
    await context.route('**/*', (route) => (route.request().url().startsWith(`${ORIGIN}/`)
      ? route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' })
      : route.abort()));
    const page = await context.newPage();
    await page.goto(`${ORIGIN}/grant-advisor.html${FRAGMENT}`);
    // Start at the recommendation's heading, with the answers above it on narrow screens.
    await page.evaluate(() => {
      const target = window.innerWidth < 700 ? document.querySelector('.ga-path') : document.querySelector('.ga-header');
      target.scrollIntoView();
    });
    await page.screenshot({ path: `${OUT}${shot.name}` });
    await context.close();
    console.log(`wrote docs/images/${shot.name}`);
  }
} finally {
  await browser.close();
}
