// grant-advisor page: walks the decision tree embedded in this page as JSON.
//
// Safety: every string from the tree (or from the URL) reaches the page through textContent,
// text nodes or setAttribute of non-URL attributes; links get an href only when it is an
// https URL. Nothing is parsed as HTML. No network requests are made.
// Answers live in the URL fragment: #question=choice&question=choice (in any order).
(() => {
  'use strict';

  const script = document.currentScript;
  const root = script && script.closest('.ga');
  if (!root) return;
  const data = JSON.parse(root.querySelector('script.ga-data').textContent);

  const questions = new Map(data.questions.map((q) => [q.id, q]));
  const outcomes = new Map(data.outcomes.map((o) => [o.id, o]));
  const flows = new Map(data.flows.map((f) => [f.id, f]));
  const participantNames = new Map(data.participants);
  const LANGUAGE_NAMES = { curl: 'curl (bash)', python: 'Python', javascript: 'JavaScript (Node)' };
  let uid = 0;

  const $ = (selector) => root.querySelector(selector);
  const stepBox = $('.ga-step');
  const pathBox = $('.ga-path');
  const pathList = $('.ga-path-list');
  const live = $('.ga-live');
  const notice = $('.ga-notice[role="status"]');

  // Standing alone the page is the main landmark; pasted into a page that has one, a region.
  if (root.parentElement === document.body && !document.querySelector('main, [role="main"]')) {
    root.setAttribute('role', 'main');
  } else {
    root.setAttribute('role', 'region');
    root.setAttribute('aria-label', data.title || 'Decision tree');
  }

  // -- building elements (text only) ----------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child); // a string becomes a text node
    }
    return node;
  }

  // Tree text with `code spans` as <code> elements; everything else stays text.
  function inline(text) {
    const out = document.createDocumentFragment();
    const pattern = /(`+)(.+?)\1/gs;
    let position = 0;
    for (const match of String(text).matchAll(pattern)) {
      out.append(String(text).slice(position, match.index));
      out.append(el('code', null, match[2]));
      position = match.index + match[0].length;
    }
    out.append(String(text).slice(position));
    return out;
  }

  function paragraphs(text, className) {
    const box = document.createDocumentFragment();
    for (const part of String(text || '').split(/\n\s*\n/)) {
      if (part.trim()) box.append(el('p', { class: className }, inline(part.replace(/\s+/g, ' ').trim())));
    }
    return box;
  }

  function safeUrl(url) {
    return typeof url === 'string' && /^https:\/\/[^\s]+$/.test(url) ? url : null;
  }

  function announce(text) {
    live.textContent = '';
    // A new text node in a cleared region is announced even when the text repeats.
    window.setTimeout(() => { live.textContent = text; }, 50);
  }

  function showNotice(text) {
    notice.textContent = text || '';
    notice.hidden = !text;
  }

  // -- the walk -----------------------------------------------------------------------------------

  let answers = []; // [{q, c}] from the start

  function nodeAfter(list) {
    let id = data.start;
    for (const { q, c } of list) {
      const question = questions.get(q);
      const choice = question && question.choices.find((ch) => ch.id === c);
      if (!choice) break;
      id = choice.next;
    }
    return id;
  }

  function fragment(list) {
    return list.map(({ q, c }) => `${encodeURIComponent(q)}=${encodeURIComponent(c)}`).join('&');
  }

  function short(text) {
    const value = String(text);
    return value.length > 60 ? `${value.slice(0, 59)}…` : value;
  }

  // Answers from a fragment: as many as lead, from the start, along the tree; problems for the
  // rest. A fragment without "=" is an ordinary anchor of a host page, not ours: ignored.
  function parseFragment(hash) {
    const text = String(hash || '').replace(/^#/, '');
    if (!text.includes('=')) return { answers: [], problems: [] };
    const wanted = new Map();
    const problems = [];
    let params;
    try {
      params = new URLSearchParams(text);
    } catch (error) {
      return { answers: [], problems: ['the link could not be read'] };
    }
    for (const [q, c] of params) {
      if (wanted.has(q) && wanted.get(q) !== c) problems.push(`“${short(q)}” is answered twice`);
      wanted.set(q, c);
    }
    const list = [];
    let id = data.start;
    while (questions.has(id) && wanted.has(id)) {
      const question = questions.get(id);
      const c = wanted.get(id);
      wanted.delete(id);
      const choice = question.choices.find((ch) => ch.id === c);
      if (!choice) {
        problems.push(`“${short(c)}” is not an answer to “${short(question.text)}”`);
        break;
      }
      list.push({ q: id, c });
      id = choice.next;
    }
    for (const q of wanted.keys()) {
      problems.push(questions.has(q)
        ? `the answer to “${short(questions.get(q).text)}” does not fit the answers before it`
        : `there is no question “${short(q)}”`);
    }
    return { answers: list, problems };
  }

  function updateUrl() {
    const text = fragment(answers);
    const url = text ? `#${text}` : `${window.location.pathname}${window.location.search}`;
    if (window.location.hash.replace(/^#/, '') === text) return;
    try {
      window.history.pushState(null, '', url);
    } catch (error) {
      // A sandboxed frame may refuse; the walk still works, without history entries.
    }
  }

  function go(list) {
    answers = list;
    showNotice('');
    updateUrl();
    render(true);
  }

  function answer(q, c) { go([...answers, { q, c }]); }
  function back() { if (answers.length) go(answers.slice(0, -1)); }
  function restart() { go([]); }

  function fromLocation(moveFocus) {
    const parsed = parseFragment(window.location.hash);
    answers = parsed.answers;
    showNotice(parsed.problems.length
      ? `Part of this link was ignored: ${parsed.problems.join('; ')}. ${
        answers.length ? 'Showing the answers that fit.' : 'Starting from the first question.'}`
      : '');
    render(moveFocus);
  }

  // -- rendering ----------------------------------------------------------------------------------

  function renderPath() {
    pathList.replaceChildren();
    pathBox.hidden = answers.length === 0;
    answers.forEach(({ q, c }, index) => {
      const question = questions.get(q);
      const choice = question.choices.find((ch) => ch.id === c);
      pathList.append(el('li', null, el('button', {
        type: 'button',
        onclick: () => go(answers.slice(0, index)),
      }, el('span', { class: 'ga-visually-hidden' }, 'Change your answer to: '),
      el('span', { class: 'ga-path-q' }, question.text),
      el('span', { class: 'ga-visually-hidden' }, ' You answered: '),
      el('span', { class: 'ga-path-a' }, choice.label))));
    });
  }

  function toolbar() {
    const bar = el('div', { class: 'ga-toolbar' });
    if (answers.length) {
      bar.append(el('button', { type: 'button', class: 'ga-button', onclick: back }, 'Back'));
      bar.append(el('button', { type: 'button', class: 'ga-button', onclick: restart }, 'Start again'));
    }
    return bar;
  }

  function renderQuestion(body, question) {
    const number = answers.length + 1;
    const headingId = `ga-h-${++uid}`;
    body.append(el('p', { class: 'ga-progress' }, `Question ${number} of at most ${answers.length + question.left}`));
    body.append(el('h2', { id: headingId, tabindex: '-1' }, question.text));
    body.append(el('div', { class: 'ga-help' }, paragraphs(question.help)));
    const list = el('ul', { class: 'ga-choices', 'aria-labelledby': headingId });
    for (const choice of question.choices) {
      const helpId = choice.help ? `ga-c-${++uid}` : null;
      list.append(el('li', null, el('button', {
        type: 'button',
        class: 'ga-choice',
        'data-choice': choice.id,
        onclick: () => answer(question.id, choice.id),
      }, el('span', { class: 'ga-choice-label' }, inline(choice.label)),
      choice.help ? el('span', { class: 'ga-choice-help', id: helpId }, inline(choice.help)) : null)));
    }
    list.addEventListener('keydown', arrowKeys);
    body.append(list);
    body.append(toolbar());
    return { heading: body.querySelector('h2'), label: `Question ${number}: ${question.text}` };
  }

  // Up and down (and Home and End) move between the choices; Tab works as usual.
  function arrowKeys(event) {
    const buttons = [...event.currentTarget.querySelectorAll('button.ga-choice')];
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowDown: index + 1, ArrowRight: index + 1, ArrowUp: index - 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    buttons[(moves[event.key] + buttons.length) % buttons.length].focus();
  }

  function section(body, title, ...content) {
    body.append(el('h3', null, title), ...content);
  }

  function renderOutcome(body, outcome) {
    const headingId = `ga-h-${++uid}`;
    body.append(el('p', { class: 'ga-progress' }, 'Recommendation'));
    body.append(el('h2', { id: headingId, tabindex: '-1' }, outcome.title));
    const flow = flows.get(outcome.flow);
    if (flow) {
      body.append(el('p', { class: 'ga-flow' }, el('strong', null, 'Flow: '), flow.name,
        flow.grant_type ? ' · ' : null, flow.grant_type ? el('code', null, `grant_type=${flow.grant_type}`) : null));
    } else {
      body.append(el('p', { class: 'ga-flow' }, el('strong', null, 'No OAuth flow is needed here.')));
    }
    for (const companion of outcome.companions) {
      body.append(el('p', { class: 'ga-flow' }, el('strong', null, 'Comes with: '), companion.name,
        companion.grant_type ? ' · ' : null, companion.grant_type ? el('code', null, `grant_type=${companion.grant_type}`) : null,
        ': ', companion.properties.join('; '), '. ', el('em', null, 'Why: '), inline(companion.why)));
    }
    if (outcome.instead_of) {
      const anti = flows.get(outcome.instead_of);
      body.append(el('p', { class: 'ga-instead' }, el('strong', null, 'Instead of: '),
        anti ? anti.name : outcome.instead_of, ', which should not be used.'));
    }
    body.append(paragraphs(outcome.summary));
    section(body, 'Why', paragraphs(outcome.rationale));
    if (flow && flow.sequence.length) {
      section(body, 'How the flow goes', sequenceFigure(flow));
    }
    for (const companion of outcome.companions) {
      const extra = flows.get(companion.flow);
      if (extra && extra.sequence.length) {
        section(body, `How ${extra.name} goes`, sequenceFigure(extra));
      }
    }
    section(body, 'Security checklist', el('ul', { class: 'ga-list ga-checklist' },
      ...outcome.security.map((item) => el('li', null, inline(item)))));
    if (outcome.avoid.length) {
      section(body, 'Avoid', el('ul', { class: 'ga-list' }, ...outcome.avoid.map((a) =>
        el('li', null, el('strong', null, inline(a.what)), ': ', inline(a.why)))));
    }
    const notes = [...new Set(answers.flatMap(({ q, c }) =>
      questions.get(q).choices.find((ch) => ch.id === c).notes))];
    if (notes.length) {
      section(body, 'Notes from your answers', el('ul', { class: 'ga-list' },
        ...notes.map((note) => el('li', null, inline(note)))));
    }
    if (outcome.alternatives.length) {
      section(body, 'Alternatives', el('ul', { class: 'ga-list' }, ...outcome.alternatives.map((a) =>
        el('li', null, el('strong', null, inline(a.title)), a.flow ? ` (${a.flow})` : null, ': ', inline(a.when)))));
    }
    section(body, 'References', el('ul', { class: 'ga-list' }, ...outcome.references.map((ref) => {
      const url = safeUrl(ref.url);
      const label = url
        ? el('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, ref.label)
        : el('span', null, ref.label);
      return el('li', null, label, ref.note ? ': ' : null, ref.note ? inline(ref.note) : null);
    })));
    if (outcome.samples.length) {
      const box = [];
      if (outcome.samples_note) box.push(paragraphs(outcome.samples_note));
      box.push(el('p', null, 'Rendered for placeholder values (issuer https://auth.example.com, client id YOUR_CLIENT_ID). ',
        'For your own values run ', el('code', null, `grant-advisor ask ${answers.map(({ q, c }) => `--answer ${q}=${c}`).join(' ')} --issuer … --client-id …`), '.'));
      for (const sample of outcome.samples) box.push(sampleBlock(sample));
      section(body, 'Sample code', ...box);
    }
    body.append(toolbar());
    return { heading: body.querySelector('h2'), label: `Recommendation: ${outcome.title}` };
  }

  function sampleBlock(sample) {
    const code = data.programs[sample.code];
    const name = LANGUAGE_NAMES[sample.language] || sample.language;
    const pre = el('pre', { tabindex: '0', 'aria-label': `${name} sample, ${sample.filename}` }, el('code', null, code));
    const button = el('button', { type: 'button', class: 'ga-button', 'aria-label': `Copy the ${name} sample` }, 'Copy');
    button.addEventListener('click', () => copy(code, pre, button));
    const assumptions = sample.assumptions.length
      ? el('ul', { class: 'ga-list ga-assumptions', 'aria-label': `Check before running the ${name} sample` },
        ...sample.assumptions.map((a) => el('li', null, a)))
      : null;
    return el('div', { class: 'ga-sample' },
      el('div', { class: 'ga-sample-bar' }, el('h4', null, `${name} · `, el('code', null, sample.filename)), button),
      assumptions, pre);
  }

  async function copy(text, pre, button) {
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(pre);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { done = document.execCommand('copy'); } catch (ignored) { done = false; }
    }
    button.textContent = done ? 'Copied' : 'Press Ctrl+C to copy';
    announce(done ? 'Copied to the clipboard.' : 'The code is selected: press Control+C (or Command+C) to copy it.');
    window.setTimeout(() => { button.textContent = 'Copy'; }, 2500);
  }

  // -- the sequence diagram, drawn as SVG -------------------------------------------------------

  const SVG = 'http://www.w3.org/2000/svg';
  const COLUMN = 170;
  const CHAR = 7.3; // width of a 12px monospace character
  const LINE = 15;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function wrap(text, width) {
    const lines = [];
    let line = '';
    for (const word of String(text).split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines.length ? lines : [''];
  }

  function textBlock(lines, x, y, anchor, className) {
    const text = svg('text', { x, y, 'text-anchor': anchor, class: className });
    lines.forEach((line, index) => {
      text.append(svg('tspan', { x, dy: index ? LINE : 0 }, line));
    });
    return text;
  }

  function sequenceFigure(flow) {
    const used = new Set(flow.sequence.flatMap((s) => [s.from, s.to]));
    const order = data.participants.map(([id]) => id).filter((id) => used.has(id));
    const column = new Map(order.map((id, index) => [id, index]));
    const selfRoom = flow.sequence.some((s) => s.from === s.to && column.get(s.from) === order.length - 1) ? 150 : 0;
    const width = order.length * COLUMN + selfRoom + 20;
    const x = (id) => 10 + column.get(id) * COLUMN + COLUMN / 2;
    const markerId = `ga-arrow-${++uid}`;
    const titleId = `ga-t-${++uid}`;
    const parts = [];
    let y = 56;
    flow.sequence.forEach((step, index) => {
      const x1 = x(step.from);
      const x2 = x(step.to);
      const label = `${index + 1}. ${step.message}`;
      if (step.from === step.to) {
        const lines = wrap(label, Math.floor((COLUMN - 30) / CHAR));
        parts.push(textBlock(lines, x1 + 12, y + 12, 'start', 'ga-seq-text'));
        y += lines.length * LINE + 6;
        parts.push(svg('path', { d: `M${x1},${y} h36 v18 h-34`, class: `ga-seq-arrow${step.response ? ' ga-seq-response' : ''}`, 'marker-end': `url(#${markerId})` }));
        y += 30;
      } else {
        const span = Math.max(Math.abs(x2 - x1) - 16, 320);
        const lines = wrap(label, Math.floor(span / CHAR));
        const half = Math.min(span, Math.max(...lines.map((l) => l.length)) * CHAR) / 2;
        const centre = Math.min(Math.max((x1 + x2) / 2, half + 6), width - half - 6);
        parts.push(textBlock(lines, centre, y + 12, 'middle', 'ga-seq-text'));
        y += lines.length * LINE + 6;
        const end = x2 > x1 ? x2 - 2 : x2 + 2;
        parts.push(svg('line', { x1, y1: y, x2: end, y2: y, class: `ga-seq-arrow${step.response ? ' ga-seq-response' : ''}`, 'marker-end': `url(#${markerId})` }));
        y += 16;
      }
      if (step.note) {
        const left = Math.min(x1, x2) - COLUMN / 2 + 12;
        const right = Math.max(x1, x2) + COLUMN / 2 - 12;
        const lines = wrap(step.note, Math.floor((right - left - 16) / CHAR));
        const height = lines.length * LINE + 12;
        parts.push(svg('g', { class: 'ga-seq-note' },
          svg('rect', { x: left, y, width: right - left, height, rx: 3 }),
          textBlock(lines, left + 8, y + 17, 'start', '')));
        y += height + 12;
      }
    });
    const height = y + 10;
    const lifelines = order.map((id) => svg('line', { x1: x(id), y1: 40, x2: x(id), y2: height - 4, class: 'ga-seq-life' }));
    const actors = order.map((id) => svg('g', { class: 'ga-seq-actor' },
      svg('rect', { x: x(id) - COLUMN / 2 + 8, y: 4, width: COLUMN - 16, height: 36, rx: 6 }),
      svg('text', { x: x(id), y: 27, 'text-anchor': 'middle' }, participantNames.get(id) || id)));
    const figure = svg('svg', {
      class: 'ga-seq', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId,
    },
    svg('title', { id: titleId }, `Sequence diagram of ${flow.name}: ${flow.sequence.length} messages between ${order.map((id) => participantNames.get(id) || id).join(', ')}. The same steps follow as a list.`),
    svg('defs', null, svg('marker', { id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'ga-seq-head' }))),
    ...lifelines, ...actors, ...parts);
    const list = el('ol', { class: 'ga-list' }, ...flow.sequence.map((step) => el('li', null,
      `${participantNames.get(step.from) || step.from} → ${participantNames.get(step.to) || step.to}${step.response ? ' (response)' : ''}: `,
      inline(step.message), step.note ? el('em', null, ` (${step.note})`) : null)));
    return el('div', null,
      el('div', { class: 'ga-seq-box', tabindex: '0', role: 'group', 'aria-label': `Sequence diagram of ${flow.name} (scrolls sideways)` }, figure),
      el('details', { class: 'ga-steps-text' }, el('summary', null, 'The same steps as text'), list));
  }

  // -- putting it on screen ---------------------------------------------------------------------

  function render(moveFocus) {
    const body = el('div', { class: 'ga-step-body' });
    const id = nodeAfter(answers);
    let shown;
    if (questions.has(id)) shown = renderQuestion(body, questions.get(id));
    else if (outcomes.has(id)) shown = renderOutcome(body, outcomes.get(id));
    else {
      body.append(el('h2', { tabindex: '-1' }, 'This tree has no step here'), toolbar());
      shown = { heading: body.querySelector('h2'), label: 'No step' };
    }
    stepBox.replaceChildren(body);
    stepBox.setAttribute('aria-labelledby', shown.heading.id || '');
    renderPath();
    if (moveFocus) {
      shown.heading.focus();
      announce(shown.label);
    }
  }

  const description = $('.ga-description');
  if (data.description) description.append(paragraphs(data.description));
  // Back, forward, or a new fragment typed or followed. A host page's own anchors (no "=")
  // leave the walk alone.
  function onNavigate() {
    const hash = window.location.hash.replace(/^#/, '');
    if (hash && !hash.includes('=')) return;
    if (fragment(answers) !== hash) fromLocation(true);
  }
  window.addEventListener('popstate', onNavigate);
  window.addEventListener('hashchange', onNavigate);
  fromLocation(false);
})();
