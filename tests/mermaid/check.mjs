// Test-only: checks grant-advisor's Mermaid diagrams with the real Mermaid library.
//
// Reads {"diagrams": [{"name", "text"}], "chromium": "/usr/bin/chromium" | null} as JSON on
// stdin and writes one JSON report on stdout. All diagrams go through one process:
//
//   parse   in Node, with jsdom as the DOM Mermaid's sanitizer needs: mermaid.parse(), then the
//           flowchart database (vertices, their classes and text, edges and their labels), with
//           Mermaid's entity placeholders decoded to the characters a reader will see;
//   render  (when a Chromium path is given) in headless Chromium driven by playwright-core:
//           mermaid.render() to SVG from node_modules/mermaid/dist/mermaid.min.js loaded into a
//           blank page (every network request is refused), then the nodes, edge paths and edge
//           labels found in the SVG, the text each label shows, and any element a label should
//           never contain (script, img, b, ...).
//
// Install with `npm ci --prefix tests`; driven by tests/test_mermaid.py.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

const STEP_TIMEOUT_MS = 30_000;
const BUNDLE = fileURLToPath(new URL('../node_modules/mermaid/dist/mermaid.min.js', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(error) {
  return String(error && error.message ? error.message : error);
}

// -- parse in Node ------------------------------------------------------------------------------

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;

function decode(text) {
  // Mermaid hides `#name;` / `#123;` entity codes as placeholders while it parses and turns
  // them into HTML character references at the end; do the same, then let the DOM decode them.
  const html = String(text ?? '')
    .replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  const box = dom.window.document.createElement('textarea');
  box.innerHTML = html;
  return box.value;
}

async function parseAll(mermaid, diagrams) {
  const results = {};
  for (const { name, text } of diagrams) {
    try {
      const parsed = await withTimeout(mermaid.parse(text), `parse ${name}`);
      const diagram = await withTimeout(mermaid.mermaidAPI.getDiagramFromText(text), name);
      const db = diagram.db;
      if (parsed.diagramType === 'sequence') {
        results[name] = parseSequence(db, parsed.diagramType);
        continue;
      }
      const vertices = {};
      for (const [id, vertex] of db.getVertices()) {
        vertices[id] = { text: decode(vertex.text), classes: vertex.classes, shape: vertex.type };
      }
      const edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: decode(e.text) }));
      results[name] = {
        ok: true,
        type: parsed.diagramType,
        vertices,
        edges,
        accTitle: decode(db.getAccTitle()),
        accDescr: decode(db.getAccDescription()),
      };
    } catch (error) {
      results[name] = { ok: false, error: errorText(error) };
    }
  }
  return results;
}

// A sequence diagram: its participants (id, display name, actor or participant) in order, and
// its messages and notes in order. Mermaid's line types: 0 solid arrow, 1 dotted arrow, 2 note.
const SEQUENCE_KINDS = { 0: 'request', 1: 'response', 2: 'note' };

function parseSequence(db, type) {
  const participants = [...db.getActors().values()].map((a) => ({
    id: a.name, label: decode(a.description), kind: a.type,
  }));
  const messages = [];
  for (const m of db.getMessages()) {
    const kind = SEQUENCE_KINDS[m.type];
    if (kind === undefined) {
      if (m.type === db.LINETYPE.AUTONUMBER) continue;
      messages.push({ kind: `type ${m.type}` });
      continue;
    }
    messages.push({ kind, from: m.from, to: m.to, text: decode(m.message) });
  }
  return {
    ok: true, type, participants, messages,
    accTitle: decode(db.getAccTitle()), accDescr: decode(db.getAccDescription()),
  };
}

// -- render in Chromium -------------------------------------------------------------------------

async function renderAll(chromiumPath, diagrams) {
  const { chromium } = await import('playwright-core');
  const browser = await withTimeout(
    chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS }),
    'launch chromium',
  );
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: readFileSync(BUNDLE, 'utf8') });
    const results = {};
    for (const { name, text } of diagrams) {
      try {
        results[name] = await withTimeout(page.evaluate(renderInPage, text), `render ${name}`);
      } catch (error) {
        results[name] = { ok: false, error: errorText(error) };
      }
    }
    return results;
  } finally {
    await browser.close();
  }
}

// Runs inside the page.
async function renderInPage(text) {
  /* global mermaid */
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  const svgId = 'diagram';
  const { svg } = await mermaid.render(svgId, text);
  const holder = document.createElement('div');
  holder.innerHTML = svg;
  document.body.replaceChildren(holder);
  const scripts = holder.querySelectorAll('script, img, iframe, object, embed, a[href]').length;
  if (holder.querySelector('svg')?.getAttribute('aria-roledescription') === 'sequence') {
    // Each line of a message, note or participant name is a <text> (or <tspan>) of its own.
    const lines = (selector) => [...holder.querySelectorAll(selector)].map((t) => t.textContent);
    return {
      ok: true,
      svgBytes: svg.length,
      title: holder.querySelector('svg > title')?.textContent ?? null,
      messages: lines('text.messageText'),
      notes: lines('text.noteText'),
      actors: lines('text.actor > tspan'),
      arrows: holder.querySelectorAll('line.messageLine0, line.messageLine1, path.messageLine0, path.messageLine1').length,
      elements: [...new Set([...holder.querySelectorAll('svg *')].map((e) => e.localName))].sort(),
      scripts,
    };
  }
  const shown = (element) => {
    if (!element) return null;
    const copy = element.cloneNode(true);
    for (const br of copy.querySelectorAll('br')) br.replaceWith('\n');
    return copy.textContent;
  };
  const nodes = {};
  const prefix = `${svgId}-flowchart-`;
  for (const node of holder.querySelectorAll('g.node')) {
    const id = node.id.startsWith(prefix) ? node.id.slice(prefix.length).replace(/-\d+$/, '') : node.id;
    const box = node.getBoundingClientRect();
    nodes[id] = {
      text: shown(node.querySelector('.nodeLabel') || node.querySelector('.label')),
      classes: [...node.classList],
      visible: box.width > 0 && box.height > 0,
    };
  }
  const edgeLabels = {};
  for (const label of holder.querySelectorAll('g.edgeLabel g.label[data-id]')) {
    edgeLabels[label.dataset.id] = shown(label.querySelector('.edgeLabel') || label);
  }
  const edges = [...holder.querySelectorAll('path.flowchart-link')].map((path) => ({
    id: path.dataset.id,
    label: edgeLabels[path.dataset.id] ?? null,
  }));
  const allowed = new Set(['div', 'span', 'p', 'br']);
  const foreign = [];
  for (const element of holder.querySelectorAll('foreignObject *')) {
    const tag = element.localName;
    if (!allowed.has(tag)) foreign.push(tag);
  }
  return {
    ok: true,
    svgBytes: svg.length,
    title: holder.querySelector('svg > title')?.textContent ?? null,
    nodes,
    edges,
    foreign,
    scripts,
  };
}

// -- main ---------------------------------------------------------------------------------------

const request = JSON.parse(readFileSync(0, 'utf8'));
const report = { mermaid: null, parse: {}, render: null };
try {
  const { default: mermaid } = await import('mermaid');
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  report.mermaid = JSON.parse(
    readFileSync(fileURLToPath(new URL('../node_modules/mermaid/package.json', import.meta.url)), 'utf8'),
  ).version;
  report.parse = await parseAll(mermaid, request.diagrams);
  if (request.chromium) {
    try {
      report.render = await renderAll(request.chromium, request.diagrams);
    } catch (error) {
      report.render = { error: errorText(error) };
    }
  }
} catch (error) {
  report.error = errorText(error);
}
process.stdout.write(JSON.stringify(report));
