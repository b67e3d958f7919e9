// Test-only: drives grant-advisor's HTML page (`grant-advisor tree --format html`) in headless
// Chromium with playwright-core and reports what it saw, as JSON on stdout.
//
// Reads on stdin: {
//   "chromium": "/usr/bin/chromium",
//   "axe": "path of axe.min.js",
//   "pages": {"shipped": "page.html", "escaping": "...", ...}      files written by the test
//   "walks": [{"answers": [[question, choice index], ...], "fragment": "q=c&..."}]  shipped tree
//   "hostile": ["escaping", "control"]                             pages to walk by clicking
// }
//
// Every page is served from https://grant-advisor.test/ through page.route(); any other request
// is refused and recorded. Two browser contexts:
//   strict  the page's own Content Security Policy applies; an init script records every
//           securitypolicyviolation event. Walks, deep links, history and the hostile pages.
//   axe     bypassCSP: true, only so that axe-core's source can be injected with
//           page.addScriptTag({content}) (the page's policy allows its own script alone, by
//           hash, as it should). Nothing else runs there.
//
// Driven by tests/test_html_page.py; install with `npm ci --prefix tests`.

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const ORIGIN = 'https://grant-advisor.test';
const STEP_TIMEOUT_MS = 30_000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

const request = JSON.parse(readFileSync(0, 'utf8'));
const pages = Object.fromEntries(
  Object.entries(request.pages).map(([name, file]) => [name, readFileSync(file, 'utf8')]),
);
const report = { requests: [], dialogs: [], errors: [], console: [], expectedConsole: [] };
let expectingViolation = false;

function errorText(error) {
  return String(error && error.message ? error.message : error);
}

async function newContext(browser, options) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const name = url.origin === ORIGIN ? url.pathname.replace(/^\/|\.html$/g, '') : null;
    if (name !== null && name in pages) {
      return route.fulfill({ body: pages[name], contentType: 'text/html; charset=utf-8' });
    }
    report.requests.push(route.request().url());
    return route.abort();
  });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    });
  });
  return context;
}

function watch(page, label) {
  page.on('dialog', (dialog) => {
    report.dialogs.push(`${label}: ${dialog.type()} ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => report.errors.push(`${label}: ${errorText(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      (expectingViolation ? report.expectedConsole : report.console)
        .push(`${label}: ${message.type()} ${message.text()}`);
    }
  });
}

// What the page shows now: the focused element, the step heading, the answers listed.
async function state(page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    const heading = document.querySelector('.ga-step h2');
    return {
      heading: heading ? heading.textContent : null,
      focusIsHeading: active === heading,
      progress: document.querySelector('.ga-progress')?.textContent ?? null,
      path: [...document.querySelectorAll('.ga-path-list .ga-path-a')].map((e) => e.textContent),
      notice: document.querySelector('.ga-notice[role="status"]')?.hidden === false
        ? document.querySelector('.ga-notice[role="status"]').textContent : null,
      hash: window.location.hash,
      live: document.querySelector('.ga-live')?.textContent ?? null,
    };
  });
}

async function focused(page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    return {
      tag: active?.localName,
      choice: active?.dataset?.choice ?? null,
      outline: active ? getComputedStyle(active).outlineStyle : null,
    };
  });
}

// Answer one question with the keyboard only: Tab to the first choice, arrow keys to the one
// wanted, then Enter or Space.
async function answerByKeyboard(page, index, key) {
  await page.keyboard.press('Tab');
  let now = await focused(page);
  if (now.choice === null) throw new Error(`Tab did not reach a choice (focus on ${now.tag})`);
  for (let i = 0; i < index; i += 1) await page.keyboard.press('ArrowDown');
  now = await focused(page);
  const target = await page.evaluate(
    (i) => document.querySelectorAll('.ga-step button.ga-choice')[i].dataset.choice, index,
  );
  if (now.choice !== target) throw new Error(`arrow keys reached ${now.choice}, not ${target}`);
  await page.keyboard.press(key);
  return now;
}

async function walks(context) {
  const page = await context.newPage();
  watch(page, 'walk');
  const results = [];
  let n = 0;
  for (const walk of request.walks) {
    await page.goto(`${ORIGIN}/shipped.html`);
    const steps = [];
    try {
      for (const [, index] of walk.answers) {
        const key = (n += 1) % 2 ? 'Enter' : 'Space';
        const before = await answerByKeyboard(page, index, key);
        steps.push({ ...(await state(page)), chosen: before.choice, outline: before.outline });
      }
      results.push({ ok: true, steps, final: await state(page) });
    } catch (error) {
      results.push({ ok: false, error: errorText(error), steps });
    }
  }
  const violations = await page.evaluate(() => window.__violations);
  await page.close();
  return { results, violations };
}

// A new document each time (a goto that changes only the fragment stays in the document).
async function fresh(page, url) {
  await page.goto('about:blank');
  await page.goto(url);
}

async function deepLinksAndHistory(context) {
  const page = await context.newPage();
  watch(page, 'history');
  const out = {};
  const [walk] = request.walks.filter((w) => w.answers.length >= 2).slice(-1);
  await fresh(page, `${ORIGIN}/shipped.html#${walk.fragment}`);
  out.deepLink = await state(page);
  // The first sample's copy button puts exactly the program on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
  const copyButton = page.locator('.ga-sample-bar button').first();
  out.samples = await page.locator('.ga-sample').count();
  if (out.samples) {
    await copyButton.focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(150);
    out.copied = await page.evaluate(() => navigator.clipboard.readText());
    out.copyLabel = await copyButton.textContent();
    out.shownCode = await page.locator('.ga-sample pre').first().textContent();
  }
  await fresh(page, `${ORIGIN}/shipped.html#nonsense=1&${walk.answers[0][0]}=no_such_choice`);
  out.invalid = await state(page);
  await fresh(page, `${ORIGIN}/shipped.html#an-ordinary-anchor`);
  out.anchor = await state(page);
  await fresh(page, `${ORIGIN}/shipped.html#%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=%3Cb%3Ex%3C%2Fb%3E`);
  out.hostileFragment = await state(page);
  out.hostileFragmentTags = await page.evaluate(() => document.querySelectorAll('.ga img, .ga b').length);

  // Answer two questions, then browser back, back, forward; then the page's own buttons.
  await fresh(page, `${ORIGIN}/shipped.html`);
  await answerByKeyboard(page, walk.answers[0][1], 'Enter');
  out.first = await state(page);
  await answerByKeyboard(page, walk.answers[1][1], 'Enter');
  await page.waitForTimeout(150); // the live region is filled a moment after the change
  out.second = await state(page);
  await page.goBack();
  out.back1 = await state(page);
  await page.goBack();
  out.back2 = await state(page);
  await page.goForward();
  out.forward = await state(page);
  await page.goForward();
  out.forward2 = await state(page);
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  out.backButton = await state(page);
  await page.locator('.ga-path-list button').first().click();
  out.revisit = await state(page);
  await answerByKeyboard(page, walk.answers[0][1], 'Enter');
  await page.getByRole('button', { name: 'Start again' }).click();
  out.restart = await state(page);

  // The policy is in force: a script added to the page is refused (and reported).
  expectingViolation = true;
  out.injectedRan = await page.evaluate(() => {
    window.__violations = [];
    const element = document.createElement('script');
    element.textContent = 'window.__injected = true;';
    document.body.append(element);
    return window.__injected === true;
  });
  await page.waitForTimeout(100);
  out.injectedViolations = await page.evaluate(() => window.__violations.length);
  expectingViolation = false;
  await page.close();
  return out;
}

async function hostile(context, name) {
  const page = await context.newPage();
  watch(page, name);
  const seen = [];
  // Every path, by clicking: a queue of answer lists (choice indexes).
  const queue = [[]];
  let count = 0;
  while (queue.length && count < 200) {
    const path = queue.shift();
    count += 1;
    await page.goto(`${ORIGIN}/${name}.html`);
    for (const index of path) await page.locator('.ga-step button.ga-choice').nth(index).click();
    const step = await page.evaluate(() => ({
      heading: document.querySelector('.ga-step h2')?.textContent ?? null,
      tags: [...new Set([...document.querySelectorAll('.ga *')].map((e) => e.localName))].sort(),
      scripts: document.querySelectorAll('script').length,
      links: [...document.querySelectorAll('.ga a')].map((a) => a.getAttribute('href')),
      choices: document.querySelectorAll('.ga-step button.ga-choice').length,
      text: document.querySelector('.ga-step').textContent,
      pwned: window.__pwned === true,
    }));
    seen.push({ path, ...step });
    for (let i = 0; i < step.choices; i += 1) queue.push([...path, i]);
  }
  const violations = await page.evaluate(() => window.__violations);
  await page.close();
  return { steps: seen, violations };
}

// The page's contents pasted into another site's page (as MkDocs does with a pasted file): it
// must still work, leave the host's styles alone and ignore the host's own anchors.
async function pasted(context) {
  const page = await context.newPage();
  watch(page, 'pasted');
  await page.goto(`${ORIGIN}/pasted.html`);
  const hostStyle = () => page.evaluate(() => {
    const h1 = document.querySelector('#host-title');
    const style = getComputedStyle(h1);
    return `${style.color} ${style.fontSize} ${getComputedStyle(document.body).margin}`;
  });
  const out = { before: await hostStyle(), role: await page.evaluate(() => document.querySelector('.ga').getAttribute('role')) };
  await page.locator('.ga-step button.ga-choice').first().click();
  out.answered = await state(page);
  await page.locator('#host-anchor').click();
  out.afterAnchor = await state(page);
  out.after = await hostStyle();
  await page.close();
  return out;
}

async function layout(context) {
  const page = await context.newPage();
  watch(page, 'layout');
  const [walk] = request.walks.slice(-1);
  const out = {};
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [name, hash] of [['question', ''], ['recommendation', `#${walk.fragment}`]]) {
      await page.goto(`${ORIGIN}/shipped.html${hash}`);
      out[`${name}-${width}`] = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
    }
  }
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.goto(`${ORIGIN}/shipped.html`);
  out.dark = await page.evaluate(() => ({
    background: getComputedStyle(document.querySelector('.ga')).backgroundColor,
    animation: getComputedStyle(document.querySelector('.ga-step-body')).animationName,
  }));
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  await page.goto(`${ORIGIN}/shipped.html`);
  out.light = await page.evaluate(() => ({
    background: getComputedStyle(document.querySelector('.ga')).backgroundColor,
    animation: getComputedStyle(document.querySelector('.ga-step-body')).animationName,
  }));
  await page.close();
  return out;
}

async function axe(browser) {
  const source = readFileSync(request.axe, 'utf8');
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  watch(page, 'axe');
  const [walk] = request.walks.slice(-1);
  const results = {};
  const runs = [
    ['question-light', '', 'light'],
    ['recommendation-light', `#${walk.fragment}`, 'light'],
    ['recommendation-dark', `#${walk.fragment}`, 'dark'],
    ['question-dark', `#${request.walks[0].fragment.split('&')[0]}`, 'dark'],
  ];
  for (const [name, hash, scheme] of runs) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${ORIGIN}/shipped.html${hash}`);
    await page.evaluate(() => document.querySelector('.ga-steps-text')?.setAttribute('open', ''));
    await page.waitForTimeout(400); // let the step's entry animation (opacity) finish
    await page.addScriptTag({ content: source });
    results[name] = await page.evaluate(async () => {
      /* global axe */
      const run = await axe.run(document, { resultTypes: ['violations'] });
      return run.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
      }));
    });
  }
  await context.close();
  return results;
}

try {
  const browser = await chromium.launch({
    executablePath: request.chromium, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS,
  });
  try {
    const strict = await newContext(browser, {});
    report.walks = await walks(strict);
    report.history = await deepLinksAndHistory(strict);
    report.hostile = {};
    for (const name of request.hostile) report.hostile[name] = await hostile(strict, name);
    report.layout = await layout(strict);
    if ('pasted' in pages) report.pasted = await pasted(strict);
    await strict.close();
    report.axe = await axe(browser);
  } finally {
    await browser.close();
  }
} catch (error) {
  report.error = errorText(error);
}
process.stdout.write(JSON.stringify(report));
