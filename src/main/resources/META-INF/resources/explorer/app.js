// The explorer page: finds an entity, draws its history in both times, travels through what was
// known, and follows the change stream. The URL holds what is shown (?sku= or ?customer=, asOf,
// validAt), so that a view can be shared and reloaded; the token never goes into it.

import * as api from './api.js';
import * as model from './model.js';
import * as priceList from './pricelist.js';
import {
  day, drawBitemporal, drawLanes, drawSteps, instant, money, stateWords, svgX, validScale, valueWords,
} from './chart.js';

const $ = (id) => document.getElementById(id);

/** "1 version", "2 versions". */
const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const state = {
  kind: 'sku', // 'sku' or 'customer'
  id: null,
  txs: [],
  versions: [], // prices: versions; customers: attribute spans
  shapes: null, // prices: each version's rectangles, which depend on the history alone
  paths: [], // the drawn shape of each version (or bar of each value), by index, for the selection
  shown: null, // which history is drawn (entity, items, last t): a live read that brings nothing new redraws nothing
  tableFilled: false,
  asOf: null, // what the known-at point was given as: a t (number) or an instant (string); null: the latest
  validAt: null, // an instant string, or null: the API's default
  selected: null,
  zoom: null, // the valid-time range zoomed to, {lo, hi}; 'every': fit every version; null: where the versions are
  scale: null,
  loadedAt: 0,
  answerRequest: 0,
  controller: null,
};

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function fail(e) {
  if (e.name === 'AbortError') {
    return;
  }
  if (e.status === 401) {
    $('access').open = true;
    showError(`${e.message}. Enter a token under "Access token".`);
  } else {
    showError(e.message);
  }
}

// ---- the URL -------------------------------------------------------------------------------

function readUrl() {
  const params = new URLSearchParams(location.search);
  const sku = params.get('sku');
  const customer = params.get('customer');
  state.kind = customer && !sku ? 'customer' : 'sku';
  state.id = sku || customer || null;
  const asOf = params.get('asOf');
  state.asOf = asOf === null ? null : /^\d+$/.test(asOf) ? Number(asOf) : asOf;
  state.validAt = params.get('validAt');
}

function writeUrl(push) {
  const params = new URLSearchParams();
  if (state.id) {
    params.set(state.kind, state.id);
  }
  if (state.asOf !== null) {
    params.set('asOf', state.asOf);
  }
  if (state.validAt && state.kind === 'sku') {
    params.set('validAt', state.validAt);
  }
  const url = `${location.pathname}${params.toString() ? `?${params}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) {
    (push ? history.pushState : history.replaceState).call(history, null, '', url);
  }
}

// ---- loading an entity -----------------------------------------------------------------------

/** The price list's form is wired once, the first time the page without a SKU shows. */
let priceListStarted = false;

async function load({ onlyIfChanged = false } = {}) {
  if (!onlyIfChanged) {
    // A live read leaves alone what the person may be typing or reading.
    showError('');
    $('kind').value = state.kind;
    $('entity').value = state.id || '';
  }
  document.body.dataset.kind = state.kind;
  if (!state.id) {
    $('view').hidden = true;
    $('intro').hidden = false;
    showSomeSkus();
    if (!priceListStarted) {
      priceListStarted = true;
      priceList.start(fail);
    }
    return;
  }
  state.controller?.abort();
  state.controller = new AbortController();
  const started = performance.now();
  let items;
  try {
    const path = state.kind === 'sku' ? api.paths.priceHistory(state.id) : api.paths.customerHistory(state.id);
    items = await api.all(path, { signal: state.controller.signal });
  } catch (e) {
    $('view').hidden = true;
    fail(e);
    return;
  }
  state.loadedAt = Date.now();
  if (items.length === 0) {
    $('view').hidden = true;
    showError(state.kind === 'sku'
      ? `No price has ever been recorded for SKU ${state.id}. Check the spelling; suggestions appear as you type.`
      : `No customer ${state.id} has ever been recorded.`);
    return;
  }
  const fetched = performance.now();
  // Read again (live) with nothing new: the page stays as it is, and so do the elements people point at.
  const shown = `${state.kind}:${state.id}:${items.length}:${items[items.length - 1].t}`;
  if (onlyIfChanged && shown === state.shown && !$('view').hidden) {
    return;
  }
  state.shown = shown;
  state.txs = model.transactions(items);
  state.versions = state.kind === 'sku' ? model.priceVersions(items) : model.customerSpans(items);
  state.shapes = state.kind === 'sku' ? model.priceShapes(state.versions, state.txs) : null;
  if (state.selected !== null && state.selected >= state.versions.length) {
    state.selected = null;
  }
  $('intro').hidden = true;
  $('view').hidden = false;
  $('title').textContent = state.kind === 'sku'
    ? `SKU ${state.id}: ${count(state.versions.length, 'version')} in ${count(state.txs.length, 'transaction')}`
    : `Customer ${state.id}: ${count(state.versions.length, 'value')} in ${count(state.txs.length, 'transaction')}`;
  const modelled = performance.now();
  $('slider').max = String(state.txs.length - 1);
  fillDiffChoices();
  drawAll();
  const charted = performance.now();
  state.tableFilled = false;
  $('table-summary').textContent = state.kind === 'sku' ? `All ${state.versions.length} versions` : `All ${state.versions.length} values`;
  if ($('table-details').open) {
    fillTable();
  }
  const drawn = performance.now();
  const timing = $('render-time');
  timing.dataset.versions = String(state.versions.length);
  timing.dataset.readMs = String(Math.round(fetched - started));
  timing.dataset.phases = `model ${Math.round(modelled - fetched)} ms, charts ${Math.round(charted - modelled)} ms, `
    + `table ${Math.round(drawn - charted)} ms`;
  // Drawn is when the page's code is done; painted, when the browser has laid out and painted it.
  requestAnimationFrame(() => setTimeout(() => {
    const painted = performance.now();
    timing.dataset.ms = String(Math.round(painted - fetched));
    timing.dataset.sinceNavigationMs = String(Math.round(painted));
    timing.textContent = `${state.versions.length} versions: read in ${Math.round(fetched - started)} ms, `
      + `drawn and painted in ${Math.round(painted - fetched)} ms · `;
  }, 0));
  await answer();
}

/** A few SKUs to start from, on the page without one. */
async function showSomeSkus() {
  try {
    const page = await api.get(api.paths.suggestions(''));
    $('some-skus').replaceChildren(...page.items.map((p) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `?sku=${encodeURIComponent(p.sku)}`;
      link.textContent = p.sku;
      item.append(link, ` ${money(p.amount, p.currency)}`);
      return item;
    }));
  } catch (e) {
    fail(e);
  }
}

/** The index of the transaction the known-at point falls on (the latest when none is given). */
function knownIndex() {
  if (state.asOf === null) {
    return state.txs.length - 1;
  }
  return model.snap(state.txs, typeof state.asOf === 'number' ? { t: state.asOf } : { instant: state.asOf });
}

function knownT() {
  const index = knownIndex();
  return index >= 0 ? state.txs[index].t : 0;
}

function drawAll() {
  const index = knownIndex();
  const now = Date.now();
  const validAt = state.validAt ? Date.parse(state.validAt) : null;
  if (state.kind === 'sku') {
    const scale = validScale(state.versions, now, state.zoom);
    state.scale = scale;
    state.paths = drawBitemporal($('chart'), {
      versions: state.versions, txs: state.txs, shapes: state.shapes, scale, now, knownIndex: index, validAt,
    });
    const segments = index >= 0 ? model.priceLine(state.versions, state.txs[index].t) : [];
    drawSteps($('steps'), { segments, scale, now, validAt });
  } else {
    drawLanes($('chart'), {
      spans: state.versions, txs: state.txs, lanes: model.CUSTOMER_LANES,
      deletedAt: model.deletions(state.versions), knownIndex: index,
    });
    state.paths = [...$('chart').querySelectorAll('.span')];
  }
  $('chart').setAttribute('aria-label', state.kind === 'sku'
    ? `Bitemporal chart of ${state.versions.length} versions of SKU ${state.id}`
    : `Attribute lanes of customer ${state.id}`);
  $('slider').value = String(Math.max(index, 0));
  const tx = state.txs[Math.max(index, 0)];
  $('slider-label').textContent = index >= 0 ? `t ${tx.t} · ${tx.txInstant}` : 'before the first transaction';
  markSelection();
  showDiff();
}

// ---- as known at -----------------------------------------------------------------------------

function moveTo(asOf) {
  state.asOf = asOf;
  writeUrl(false);
  drawAll();
  answer();
}

/** Asks the API exactly what the known-at point and valid time ask, and shows its answer. */
async function answer() {
  const box = $('answer');
  const request = ++state.answerRequest;
  const asOf = state.asOf === null ? knownT() : state.asOf;
  const path = state.kind === 'sku'
    ? api.paths.price(state.id, { asOf, validAt: state.validAt })
    : api.paths.customer(state.id, { asOf });
  box.dataset.state = 'loading';
  delete box.dataset.ended;
  $('as-of').value = state.asOf === null ? '' : String(state.asOf);
  $('valid-at').value = state.validAt || '';
  try {
    const body = await api.get(path);
    if (request !== state.answerRequest) {
      return;
    }
    box.replaceChildren();
    if (state.kind === 'sku') {
      line(box, 'strong', money(body.amount, body.currency), 'amount');
      const until = body.effectiveUntil ? ` until ${body.effectiveUntil}` : '';
      line(box, 'span', ` valid from ${body.effectiveAt}${until}, recorded at t ${body.t} (${body.txInstant}).`);
      line(box, 'span', ` Valid at ${body.validAt}, as known at t ${body.basisT}.`, 'where');
    } else {
      line(box, 'strong', body.name || body.customerId, 'amount');
      line(box, 'span', ` ${['email', 'tier', 'country', 'city'].filter((k) => body[k]).map((k) => `${k} ${body[k]}`).join(', ')}`);
      line(box, 'span', ` (as known at t ${body.basisT}).`, 'where');
    }
    box.dataset.state = 'found';
  } catch (e) {
    if (request !== state.answerRequest) {
      return;
    }
    box.replaceChildren();
    if (e.status === 410) {
      line(box, 'strong', 'Erased', 'amount');
      line(box, 'span', ` ${e.problem.detail || ''}`);
      box.dataset.state = 'erased';
    } else if (e.status === 404) {
      const ended = e.problem.title === 'Price ended';
      line(box, 'strong', state.kind === 'sku' ? (ended ? 'Price ended' : 'No price') : 'Not a customer', 'amount');
      box.dataset.ended = String(ended);
      line(box, 'span', ` ${e.problem.detail || ''}`);
      box.dataset.state = 'none';
    } else {
      line(box, 'strong', 'Error', 'amount');
      line(box, 'span', ` ${e.message}`);
      box.dataset.state = 'error';
    }
  }
  const link = document.createElement('a');
  link.href = path;
  link.className = 'request';
  link.textContent = `GET ${path}`;
  box.append(' ', link);
  box.dataset.asOf = String(asOf);
  box.dataset.validAt = state.validAt || '';
}

function line(parent, tag, text, cls) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (cls) {
    node.className = cls;
  }
  parent.appendChild(node);
  return node;
}

// ---- what changed ----------------------------------------------------------------------------

function fillDiffChoices() {
  for (const id of ['diff-from', 'diff-to']) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(new Option('before any', '0'),
      ...state.txs.map((tx) => new Option(`t ${tx.t} · ${tx.txInstant}`, String(tx.t))));
    select.value = keep && state.txs.some((tx) => String(tx.t) === keep) ? keep : '';
  }
}

function showDiff() {
  const index = knownIndex();
  const from = $('diff-from');
  const to = $('diff-to');
  if (!to.value) {
    to.value = String(index >= 0 ? state.txs[index].t : 0);
  }
  if (!from.value) {
    from.value = String(index > 0 ? state.txs[index - 1].t : 0);
  }
  const a = Number(from.value);
  const b = Number(to.value);
  const list = $('diff-list');
  list.replaceChildren();
  const known = (t) => state.versions.filter((v) => model.knownAt(v, t));
  const changes = state.kind === 'sku'
    ? model.difference(known(a), known(b), (v) => v.valid, model.sameState)
    : model.difference(known(a), known(b), (s) => s.attribute, model.sameCustomerValue);
  if (changes.length === 0) {
    line(list, 'li', 'Nothing changed between these two points.', 'nothing');
    return;
  }
  for (const c of changes) {
    const change = c.change === 'retracted' && c.was.withdrawn && c.was.to <= b ? 'withdrawn' : c.change;
    const text = state.kind === 'sku' ? priceChangeWords(change, c) : customerChangeWords(change, c);
    const item = line(list, 'li', text, `change-${change}`);
    item.dataset.change = change;
  }
}

/** A change of a SKU's versions in words: periods, ends and withdrawals named as such. */
function priceChangeWords(change, { was, now }) {
  if (change === 'added') {
    return `added: ${stateWords(now)}`;
  }
  if (change === 'corrected') {
    // A price corrected to another price says the new amount; any other correction says both states.
    const plain = (v) => !v.ended && v.until === null;
    return plain(was) && plain(now) ? `corrected: ${stateWords(was)} → ${valueWords(now)}`
      : `corrected: ${stateWords(was)} → ${stateWords(now)}`;
  }
  if (change === 'withdrawn') {
    return `withdrew the version of ${instant(was.valid)} (${valueWords(was)}) at t ${was.to}`;
  }
  return `retracted: ${stateWords(was)}`;
}

function customerChangeWords(change, { key, was, now }) {
  return change === 'added' ? `added: ${key} ${model.shownValue(now)}`
    : change === 'corrected' ? `corrected: ${key} ${model.shownValue(was)} → ${model.shownValue(now)}`
      : `retracted: ${key} ${model.shownValue(was)}`;
}

// ---- selection -------------------------------------------------------------------------------

function select(index) {
  state.selected = index;
  markSelection();
  showSelection();
}

function markSelection() {
  for (const node of $('chart').querySelectorAll('.selected')) {
    node.classList.remove('selected');
  }
  const node = state.selected === null ? null : state.paths?.[state.selected];
  if (node) {
    node.classList.add('selected');
  }
}

async function showSelection() {
  const box = $('selection');
  const v = state.versions[state.selected];
  if (!v) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.replaceChildren();
  const heading = document.createElement('h3');
  heading.textContent = state.kind === 'sku' ? stateWords(v) : `${v.attribute} = ${model.shownValue(v)}`;
  box.appendChild(heading);
  const facts = document.createElement('dl');
  const fact = (term, value) => {
    line(facts, 'dt', term);
    const dd = document.createElement('dd');
    if (value instanceof Node) {
      dd.appendChild(value);
    } else {
      dd.textContent = value;
    }
    facts.appendChild(dd);
    return dd;
  };
  const txLink = (t, instant) => {
    const a = document.createElement('a');
    a.href = api.paths.tx(t);
    a.textContent = `t ${t} (${instant})`;
    return a;
  };
  if (state.kind === 'sku') {
    fact('kind', {
      plain: 'a change', correction: `a correction of ${v.replaces ? valueWords(v.replaces) : 'an earlier amount'}`,
      scheduled: 'scheduled: valid in the future when recorded', late: 'a late arrival: valid before a version already known',
    }[v.kind]);
  }
  fact('event', v.eventId);
  const source = fact('source', '…');
  fact('recorded by', txLink(v.from, v.fromInstant));
  if (state.kind === 'sku' && v.withdrawn) {
    fact('withdrawn by', txLink(v.to, v.toInstant)).append(' (out of valid time from then on; as known before, it stands)');
  } else {
    fact(state.kind === 'sku' ? 'replaced by' : 'until', v.to === null ? 'still stands' : txLink(v.to, v.toInstant));
  }
  box.appendChild(facts);
  const travel = document.createElement('button');
  travel.type = 'button';
  travel.textContent = 'Known at this transaction';
  travel.addEventListener('click', () => moveTo(v.from));
  box.appendChild(travel);
  try {
    const tx = await api.get(api.paths.tx(v.from));
    const event = (tx.events || []).find((e) => e.id === v.eventId);
    source.textContent = event?.source || '(none given)';
  } catch (e) {
    source.textContent = `unknown (${e.message})`;
  }
}

/** The table of every version, built when it is first opened (10,000 rows take a second to build). */
function fillTable() {
  if (state.tableFilled) {
    return;
  }
  state.tableFilled = true;
  const table = $('versions');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  const columns = state.kind === 'sku'
    ? ['valid from', 'until', 'price', 'kind', 'recorded', 'replaced', 'event']
    : ['attribute', 'value', 'set', 'until', 'event'];
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const v of state.versions) {
    const row = body.insertRow();
    const cells = state.kind === 'sku'
      ? [v.effectiveAt, v.effectiveUntil || '', v.ended ? 'ended' : money(v.amount, v.currency), v.kind, `t ${v.from}`,
        v.to === null ? '' : `${v.withdrawn ? 'withdrawn ' : ''}t ${v.to}`, v.eventId]
      : [v.attribute, model.shownValue(v), `t ${v.from}`, v.to === null ? '' : `t ${v.to}`, v.eventId];
    for (const text of cells) {
      row.insertCell().textContent = text;
    }
    row.tabIndex = 0;
    row.addEventListener('click', () => select(v.index));
    row.addEventListener('keydown', (e) => e.key === 'Enter' && select(v.index));
  }
}

// ---- zooming the valid-time axis --------------------------------------------------------------

function zoom(how, around = null) {
  const { lo, hi } = state.scale;
  const span = hi - lo;
  const center = around ?? lo + span / 2;
  const ranges = {
    in: () => ({ lo: center - (center - lo) * 0.6, hi: center + (hi - center) * 0.6 }),
    out: () => ({ lo: center - (center - lo) / 0.6, hi: center + (hi - center) / 0.6 }),
    left: () => ({ lo: lo - span * 0.25, hi: hi - span * 0.25 }),
    right: () => ({ lo: lo + span * 0.25, hi: hi + span * 0.25 }),
    fit: () => 'every',
  };
  const next = ranges[how]();
  state.zoom = next !== 'every' && next.hi - next.lo < 1000 ? state.zoom : next;
  drawAll();
}

// ---- live ------------------------------------------------------------------------------------

function touches(tx) {
  return (tx.changes || []).some((c) => (state.kind === 'sku' ? c.entity?.sku === state.id : c.entity?.customerId === state.id));
}

function onTx(tx) {
  if (state.id && touches(tx)) {
    $('live').textContent = `New: transaction t ${tx.t} at ${tx.txInstant}`;
    reload();
  }
}

function onStreamState(text) {
  $('live').dataset.stream = text;
  if (text === 'live' && state.id && state.loadedAt) {
    // Connected after the history was read: read it again, so that nothing in between is missed.
    reload();
  }
}

/**
 * Reads the shown entity again after new transactions: one read at a time, and one more after it
 * if more arrived meanwhile, so that a burst (a hot SKU, a stream catching up) is not a read each.
 */
let reloading = null;
let reloadAgain = false;

function reload() {
  if (reloading) {
    reloadAgain = true;
    return;
  }
  reloading = new Promise((resolve) => setTimeout(resolve, 100)).then(() => load({ onlyIfChanged: true })).finally(() => {
    reloading = null;
    if (reloadAgain) {
      reloadAgain = false;
      reload();
    }
  });
}

// ---- wiring ----------------------------------------------------------------------------------

let suggestTimer = null;

function wire() {
  $('find').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = $('entity').value.trim();
    if (!id) {
      return;
    }
    state.kind = $('kind').value;
    state.id = id;
    state.asOf = null;
    state.validAt = null;
    state.selected = null;
    state.zoom = null;
    $('diff-from').value = '';
    $('diff-to').value = '';
    writeUrl(true);
    load();
  });
  $('kind').addEventListener('change', () => {
    $('entity').placeholder = $('kind').value === 'sku' ? 'a SKU, e.g. ABC-123' : 'a customer id, e.g. c-42';
  });
  $('entity').addEventListener('input', () => {
    clearTimeout(suggestTimer);
    if ($('kind').value !== 'sku') {
      return;
    }
    suggestTimer = setTimeout(suggest, 150);
  });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    api.setToken($('token').value.trim());
    $('token').value = '';
    $('access').open = false;
    restartStream();
    load();
  });
  $('forget-token').addEventListener('click', () => {
    api.setToken('');
    restartStream();
  });
  $('slider').addEventListener('input', () => {
    const index = Number($('slider').value);
    moveTo(index === state.txs.length - 1 && state.asOf === null ? null : state.txs[index].t);
  });
  $('point').addEventListener('submit', (e) => {
    e.preventDefault();
    const typed = $('as-of').value.trim();
    const point = typed ? model.parseKnownAt(typed) : null;
    if (typed && !point) {
      showError(`"${typed}" is neither a t (a whole number) nor an RFC 3339 instant such as 2026-06-01T00:00:00Z (seconds required; Z or an offset) or a date.`);
      return;
    }
    const validText = $('valid-at').value.trim();
    const valid = validText ? model.parseKnownAt(validText) : null;
    if (validText && (!valid || !valid.instant)) {
      showError(`Valid at "${validText}" is not an RFC 3339 instant such as 2026-06-01T00:00:00Z (seconds required; Z or an offset) or a date.`);
      return;
    }
    showError('');
    state.validAt = valid ? valid.instant : null;
    moveTo(point ? (point.t !== undefined ? point.t : point.instant) : null);
  });
  $('latest').addEventListener('click', () => moveTo(null));
  $('table-details').addEventListener('toggle', () => $('table-details').open && fillTable());
  $('diff-from').addEventListener('change', showDiff);
  $('diff-to').addEventListener('change', showDiff);
  $('chart').addEventListener('click', (e) => {
    const index = e.target?.dataset?.index;
    if (index !== undefined) {
      select(Number(index));
    }
  });
  $('chart').addEventListener('keydown', (e) => {
    const count = state.versions.length;
    if (!count) {
      return;
    }
    const current = state.selected ?? -1;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -current, End: count - 1 - current };
    if (e.key in moves) {
      e.preventDefault();
      select(Math.min(count - 1, Math.max(0, current + moves[e.key])));
    } else if (e.key === 'Escape') {
      select(null);
    } else if (state.kind === 'sku' && (e.key === '+' || e.key === '-' || e.key === '0')) {
      zoom({ '+': 'in', '-': 'out', 0: 'fit' }[e.key]);
    }
  });
  $('zoom').addEventListener('click', (e) => {
    if (e.target.dataset.zoom && state.scale) {
      zoom(e.target.dataset.zoom);
    }
  });
  for (const id of ['chart', 'steps']) {
    $(id).addEventListener('wheel', (e) => {
      // Ctrl and the wheel (a trackpad's pinch too) zoom under the pointer; the wheel alone scrolls the page.
      if (!e.ctrlKey || state.kind !== 'sku' || !state.scale) {
        return;
      }
      e.preventDefault();
      zoom(e.deltaY < 0 ? 'in' : 'out', state.scale.invert(svgX($(id), e.clientX)));
    }, { passive: false });
  }
  window.addEventListener('popstate', () => {
    readUrl();
    load();
  });
}

async function suggest() {
  const prefix = $('entity').value.trim();
  if (!prefix) {
    return;
  }
  try {
    const page = await api.get(api.paths.suggestions(prefix));
    $('suggestions').replaceChildren(...page.items.map((p) => new Option(`${money(p.amount, p.currency)} from ${day(Date.parse(p.effectiveAt))}`, p.sku)));
  } catch (e) {
    // Suggestions are a convenience: a failure here shows when the SKU itself is asked for.
  }
}

let stopStream = null;

function restartStream() {
  stopStream?.();
  stopStream = api.followShared(onTx, onStreamState);
}

readUrl();
wire();
restartStream();
// A browser keeps only six connections to a host; a stream left open by a page being left would hold
// one, and the shared stream passes to another tab only when this one lets go.
window.addEventListener('pagehide', () => stopStream?.());
window.addEventListener('pageshow', (e) => e.persisted && restartStream());
load();
