// The price list on the page without a SKU: what changed across every SKU between two points
// (GET /prices?since=&asOf=&validSince=&validAt=), a page at a time, and links to the whole list at
// the later point as CSV and NDJSON (GET /prices?format=). The URL holds the points, so a view can
// be linked to.

import * as api from './api.js';
import { money } from './chart.js';

const $ = (id) => document.getElementById(id);

const FIELDS = { since: 'list-since', asOf: 'list-as-of', validSince: 'list-valid-since', validAt: 'list-valid-at', prefix: 'list-prefix' };

let next = null;
/** The points the first page was read at (t's and instants): the next pages and the export links keep to them. */
let pinned = null;

/** The points as the form holds them (empty fields left out). */
function points() {
  const query = {};
  for (const [param, id] of Object.entries(FIELDS)) {
    const value = $(id).value.trim();
    if (value) {
      query[param] = value;
    }
  }
  return query;
}

/** A price, an end, or none, in words. */
function words(state) {
  if (!state) {
    return 'no price';
  }
  const until = state.effectiveUntil ? ` until ${state.effectiveUntil}` : '';
  if (state.ended) {
    return `ended from ${state.effectiveAt}${until} (t=${state.t})`;
  }
  return `${money(state.amount, state.currency)} from ${state.effectiveAt}${until} (t=${state.t})`;
}

function exportLinks(query) {
  const point = { asOf: query.asOf, validAt: query.validAt, prefix: query.prefix };
  $('export-csv').href = `/prices${api.queryString({ ...point, format: 'csv' })}`;
  $('export-ndjson').href = `/prices${api.queryString({ ...point, format: 'ndjson' })}`;
}

async function show(query, cursor, fail) {
  try {
    const page = await api.get(`/prices${api.queryString({ ...query, limit: 100, cursor })}`);
    const body = $('list-diff').tBodies[0];
    if (!cursor) {
      pinned = { since: page.sinceT, asOf: page.basisT, validSince: page.validSince, validAt: page.validAt, prefix: query.prefix };
      exportLinks(pinned);
      body.replaceChildren();
      $('list-points').textContent = `Known at t=${page.sinceT} and at t=${page.basisT}; valid at ${page.validSince}`
        + ` and at ${page.validAt}: ${page.items.length ? '' : 'no SKU changed'}`;
    }
    for (const item of page.items) {
      const row = body.insertRow();
      const link = document.createElement('a');
      link.href = `?sku=${encodeURIComponent(item.sku)}&asOf=${page.basisT}&validAt=${encodeURIComponent(page.validAt)}`;
      link.textContent = item.sku;
      row.insertCell().append(link);
      row.insertCell().textContent = words(item.before);
      row.insertCell().textContent = words(item.after);
    }
    $('list-diff').hidden = body.rows.length === 0;
    if (body.rows.length) {
      $('list-points').textContent = $('list-points').textContent.replace(/: .*$/, `: ${body.rows.length}`
        + ` SKU${body.rows.length === 1 ? '' : 's'} changed${page.next ? ' so far' : ''}`);
    }
    next = page.next || null;
    $('list-more').hidden = !next;
  } catch (e) {
    fail(e);
  }
}

function compare(fail) {
  const query = points();
  const params = new URLSearchParams(api.queryString(query));
  history.replaceState(null, '', `${location.pathname}${params.toString() ? `?${params}` : ''}`);
  exportLinks(query);
  if (!query.since && !query.validSince) {
    $('list-points').textContent = 'Give a second point (known at, or valid at) to compare with.';
    $('list-diff').hidden = true;
    $('list-more').hidden = true;
    return;
  }
  show(query, null, fail);
}

/** Wires the form; fills it from the URL (a linked view) and compares at once when it names a point. */
export function start(fail) {
  const params = new URLSearchParams(location.search);
  for (const [param, id] of Object.entries(FIELDS)) {
    $(id).value = params.get(param) || '';
  }
  $('list-form').addEventListener('submit', (e) => {
    e.preventDefault();
    compare(fail);
  });
  $('list-more').addEventListener('click', () => next && pinned && show(pinned, next, fail));
  exportLinks(points());
  if (params.get('since') || params.get('validSince')) {
    compare(fail);
  }
}
