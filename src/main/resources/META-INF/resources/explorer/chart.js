// SVG drawings: the bitemporal chart of a SKU, the price over valid time as known at a point, and a
// customer's attribute lanes. Each function draws into an <svg> it is given, from the model.

import { shownValue } from './model.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const MARGIN = { top: 14, right: 18, bottom: 34, left: 72 };
const DAY = 86400000;

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) {
      node.setAttribute(key, value);
    }
  }
  if (parent) {
    parent.appendChild(node);
  }
  return node;
}

function clear(svg, height) {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'xMinYMin meet');
}

const FORMATS = new Map();

/** An amount as people read it (at least 2 decimals, as many as it has up to 4), and its currency. */
export function money(amount, currency) {
  const text = String(amount);
  const digits = text.includes('.') ? Math.min(4, Math.max(2, text.split('.')[1].length)) : 2;
  let format = FORMATS.get(digits);
  if (!format) {
    // One formatter per precision: toLocaleString builds a new one on every call.
    format = new Intl.NumberFormat('en', { minimumFractionDigits: digits, maximumFractionDigits: 4 });
    FORMATS.set(digits, format);
  }
  return `${format.format(Number(amount))} ${currency}`;
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

export function day(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function iso(ms) {
  return new Date(ms).toISOString();
}

/** An instant in words, written as the API writes it (java.time.Instant: no fraction when it is zero). */
export function instant(ms) {
  return iso(ms).replace('.000Z', 'Z');
}

/** A version's state without its start: "9.99 EUR", "period 9.99 EUR until …", "ended", "ended until …". */
export function valueWords(v) {
  const until = v.until === null ? '' : ` until ${instant(v.until)}`;
  if (v.ended) {
    return `ended${until}`;
  }
  return v.until === null ? money(v.amount, v.currency) : `period ${money(v.amount, v.currency)}${until}`;
}

/** A version's state with its start: "valid from … 9.99 EUR", "period 9.99 EUR from … until …", "ended from …". */
export function stateWords(v) {
  const until = v.until === null ? '' : ` until ${instant(v.until)}`;
  if (v.ended) {
    return `ended from ${instant(v.valid)}${until}`;
  }
  return v.until === null ? `valid from ${instant(v.valid)} ${money(v.amount, v.currency)}`
    : `period ${money(v.amount, v.currency)} from ${instant(v.valid)}${until}`;
}

// A version (or now) is far when the valid times before it (two at least) span less than a FAR-th of
// the gap to it (and FLOOR at least: versions a day apart do not make one a few months on far).
const FAR = 5;
const FLOOR = 60 * DAY;
const MIN_SPAN = 7 * DAY;

/**
 * The valid-time axis every price drawing shares. By default it opens on the span where the versions
 * are: versions far beyond the rest (a price scheduled for 2099, a mistyped year) are left out and
 * marked at the edge, so that they do not squash the others into a sliver; now is in it unless it is
 * far from them too (then "valid now" is marked at the edge). zoom 'every' fits every version; a
 * range {lo, hi} is what a person zoomed to.
 */
export function validScale(versions, now, zoom = null) {
  let lo;
  let hi;
  if (zoom && zoom !== 'every') {
    ({ lo, hi } = zoom);
  } else {
    const points = [...new Set(versions.flatMap((v) => (v.until === null ? [v.valid] : [v.valid, v.until])))]
      .sort((a, b) => a - b);
    const near = zoom === 'every' ? points.length : nearCount(points);
    lo = points[0];
    hi = points[near - 1];
    const reach = FAR * Math.max(hi - lo, FLOOR);
    if (now < lo && lo - now <= reach) {
      lo = now;
    } else if (now > hi && now - hi <= reach) {
      hi = now;
    }
    // A week at least (one version alone spans nothing), its ticks days apart.
    const padded = Math.max(hi - lo, MIN_SPAN);
    const extra = padded - (hi - lo);
    lo -= padded * 0.04 + extra * 0.25;
    hi += padded * 0.12 + extra * 0.75;
  }
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (ms) => MARGIN.left + ((Math.min(Math.max(ms, lo), hi) - lo) / (hi - lo)) * plotWidth;
  return { lo, hi, x, invert: (px) => lo + ((px - MARGIN.left) / plotWidth) * (hi - lo) };
}

/** How many of the sorted valid times are near: those before the first far one. */
function nearCount(points) {
  for (let i = 2; i < points.length; i++) {
    if (points[i] - points[i - 1] > FAR * Math.max(points[i - 1] - points[0], FLOOR)) {
      return i;
    }
  }
  return points.length;
}

/** Where a point of an svg drawn by this module lies in its own units (for zooming under the pointer). */
export function svgX(svg, clientX) {
  const box = svg.getBoundingClientRect();
  return ((clientX - box.left) / box.width) * WIDTH;
}

/**
 * A tick's label: its date while ticks are a day apart or more; closer (zoomed in), its time of day,
 * with the date where it changes from the tick before.
 */
function tickWords(ms, step, before) {
  const text = new Date(ms).toISOString();
  if (step >= DAY) {
    return text.slice(0, 10);
  }
  const time = text.slice(11, step >= 60000 ? 16 : 19);
  return before !== null && day(before) === text.slice(0, 10) ? time : `${text.slice(0, 10)} ${time}`;
}

function timeTicks(scale, y, parent, height) {
  const count = 6;
  const step = (scale.hi - scale.lo) / count;
  for (let i = 0; i <= count; i++) {
    const ms = scale.lo + ((scale.hi - scale.lo) * i) / count;
    const x = scale.x(ms);
    el('line', { x1: x, x2: x, y1: MARGIN.top, y2: y, class: 'grid' }, parent);
    const anchor = i === 0 ? 'start' : i === count ? 'end' : 'middle';
    const label = el('text', { x, y: height - 12, class: 'tick', 'text-anchor': anchor }, parent);
    label.textContent = tickWords(ms, step, i === 0 ? null : ms - step);
  }
}

/**
 * The bitemporal chart: valid time across, the SKU's transactions up. Each version is one <path>
 * made of its rectangles (model.priceShapes), styled by its kind, with its amount written in it.
 * Returns the paths by version index, so that a selection can be shown.
 */
export function drawBitemporal(svg, { versions, txs, shapes, scale, now, knownIndex, validAt }) {
  const rows = txs.length;
  const plotHeight = Math.max(180, Math.min(520, rows * 30));
  const height = MARGIN.top + plotHeight + MARGIN.bottom;
  clear(svg, height);
  const bottom = MARGIN.top + plotHeight;
  const y = (index) => bottom - (index / rows) * plotHeight;
  const axes = el('g', { class: 'axes' }, svg);
  timeTicks(scale, bottom, axes, height);
  const every = Math.max(1, Math.ceil(rows / 16));
  txs.forEach((tx, i) => {
    if (i % every === 0 || i === rows - 1) {
      const label = el('text', { x: MARGIN.left - 8, y: (y(i) + y(i + 1)) / 2 + 4, class: 'tick', 'text-anchor': 'end' }, axes);
      label.textContent = `t ${tx.t}`;
    }
  });
  el('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: bottom, y2: bottom, class: 'axis' }, axes);
  el('line', { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: bottom, class: 'axis' }, axes);

  // Thousands of versions: the shapes are written as markup and parsed once, which is several times
  // faster than creating each node and attribute through the DOM.
  const openMarkup = [];
  const periodMarkup = [];
  const withdrawnMarkup = [];
  const labelsMarkup = [];
  const right = WIDTH - MARGIN.right;
  // Labels never overlap one another, and an open-ended version's label is not written on a period
  // lying over it: each placed label, and each period's bar, is an obstacle for those placed after.
  const taken = [];
  const free = (b) => b.x1 >= MARGIN.left && b.x2 <= right
    && !taken.some((o) => b.x1 < o.x2 && o.x1 < b.x2 && b.y1 < o.y2 && o.y1 < b.y2);
  const place = (x, y, width, anchor, text, cls) => {
    const x1 = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
    const b = { x1, x2: x1 + width, y1: y - 7, y2: y + 7 };
    if (!free(b)) {
      return false;
    }
    taken.push(b);
    labelsMarkup.push(`<text x="${x.toFixed(1)}" y="${(y + 4).toFixed(1)}" class="${cls}" `
      + `text-anchor="${anchor}">${escape(text)}</text>`);
    return true;
  };
  // A label goes inside one of its shape's rectangles (the widest first) where it fits and is free.
  const label = (boxes, text, cls) => {
    const width = text.length * 7 + 6;
    for (const box of boxes.filter((b) => b.h > 13 && b.w > width)) {
      const spots = [box.x, box.x1 + width / 2 + 4, box.x2 - width / 2 - 4];
      if (spots.some((x) => place(x, box.y, width, 'middle', text, cls))) {
        return;
      }
    }
  };
  // One that must be read (a withdrawal's t) goes in its box, or beside it (right first), or over it.
  const mustLabel = (box, text, cls) => {
    if (!box) {
      return;
    }
    const width = text.length * 7 + 6;
    const inside = box.w > width && place(box.x, box.y, width, 'middle', text, cls);
    if (!inside && !place(box.x2 + 4, box.y, width, 'start', text, cls) && !place(box.x1 - 4, box.y, width, 'end', text, cls)) {
      const x = Math.min(Math.max(box.x, MARGIN.left + width / 2), right - width / 2);
      labelsMarkup.push(`<text x="${x.toFixed(1)}" y="${(box.y + 4).toFixed(1)}" class="${cls}" `
        + `text-anchor="middle">${escape(text)}</text>`);
    }
  };
  // Periods lie over the open-ended versions, and of two overlapping ones the later start over the other.
  const periodLabels = [];
  const openLabels = [];
  const bars = [];
  const periodsByStart = versions.filter((v) => v.until !== null).sort((a, b) => a.valid - b.valid);
  for (const v of [...versions.filter((o) => o.until === null), ...periodsByStart]) {
    const period = v.until !== null;
    const rects = shapes.get(v);
    const standing = outline(rects.filter((r) => !r.withdrawn), scale, y, right, period);
    const text = v.ended ? 'ended' : money(v.amount, v.currency);
    // A sliver (an hour in a year) would be all outline: it is drawn without one.
    const cls = `version kind-${v.kind}${v.to === null ? '' : ' superseded'}${standing.widest && standing.widest.w < 4 ? ' thin' : ''}`
      + `${v.index % 2 ? ' alt' : ''}${period ? ' period' : ''}${v.ended ? ' ended' : ''}`;
    const gone = v.to === null ? '' : v.withdrawn ? ` · withdrawn t=${v.to}` : ` · replaced t=${v.to}`;
    const title = `${stateWords(v)} · ${v.kind} · recorded t=${v.from}${gone} · event ${v.eventId} (select for its source)`;
    (period ? periodMarkup : openMarkup).push(`<path d="${standing.d}" class="${cls}" data-index="${v.index}" `
      + `data-event-id="${escape(v.eventId)}" data-kind="${v.kind}" data-valid="${iso(v.valid)}" `
      + `data-until="${v.until === null ? '' : iso(v.until)}" data-ended="${v.ended}" data-from-t="${v.from}" `
      + `data-to-t="${v.to ?? ''}" data-withdrawn="${v.withdrawn}"><title>${escape(title)}</title></path>`);
    if (period) {
      // The period's end, drawn across its bar: where the versions beneath it come back.
      for (const r of rects.filter((p) => !p.withdrawn)) {
        const ex = scale.x(r.validTo).toFixed(1);
        periodMarkup.push(`<path d="M${ex},${(y(r.toTx) + 1).toFixed(1)}V${(y(r.fromTx) - 1).toFixed(1)}" class="period-end"/>`);
      }
    }
    (period ? periodLabels : openLabels).push([standing.boxes, text, v.ended ? 'amount on-gap' : 'amount']);
    if (period) {
      bars.push(...standing.boxes);
    }
    if (v.withdrawn) {
      const ghost = outline(rects.filter((r) => r.withdrawn), scale, y, right, period, true);
      withdrawnMarkup.push(`<path d="${ghost.d}" class="withdrawn" data-index="${v.index}" data-withdrawn-t="${v.to}" `
        + `data-valid="${iso(v.valid)}"><title>${escape(`${stateWords(v)} · withdrawn t=${v.to} (as known before, it stands)`)}`
        + '</title></path>');
      mustLabel(ghost.widest, `withdrawn t=${v.to}`, 'amount on-gap withdrawn-label');
    }
  }
  // The periods' labels before the open-ended versions', which must keep off the periods' bars; the
  // period that starts latest (drawn on top) first.
  periodLabels.reverse().forEach((args) => label(...args));
  taken.push(...bars);
  openLabels.forEach((args) => label(...args));
  gapPattern(svg, 'no-price');
  const layer = el('g', { class: 'versions' }, svg);
  layer.innerHTML = openMarkup.join('');
  const periods = el('g', { class: 'periods' }, svg);
  periods.innerHTML = periodMarkup.join('');
  el('g', { class: 'withdrawals' }, svg).innerHTML = withdrawnMarkup.join('');
  el('g', { class: 'labels' }, svg).innerHTML = labelsMarkup.join('');
  const paths = [];
  for (const path of [...layer.children, ...periods.querySelectorAll('path.version')]) {
    paths[Number(path.dataset.index)] = path;
  }

  const marks = el('g', { class: 'marks' }, svg);
  markNow(marks, scale, now, bottom);
  if (validAt !== null) {
    const vx = scale.x(validAt);
    el('line', { x1: vx, x2: vx, y1: MARGIN.top, y2: bottom, class: 'valid-at' }, marks);
  }
  markFar(marks, scale, versions.filter((v) => v.valid > scale.hi).map((v) => {
    const first = shapes.get(v)[0];
    // In its row, below the "valid now" label at the top.
    return { v, from: v.valid, y: Math.max(first ? (y(first.fromTx) + y(first.toTx)) / 2 : 0, MARGIN.top + 22) };
  }));
  if (knownIndex >= 0) {
    const ky = (y(knownIndex) + y(knownIndex + 1)) / 2;
    el('line', { x1: MARGIN.left, x2: right, y1: ky, y2: ky, class: 'known-at' }, marks);
  }
  return paths;
}

/**
 * The path of a version's rectangles, and their boxes, the widest first (where its label goes). A period's bar
 * is inset from its rows, so that what lies beneath it shows; a withdrawn one is struck through.
 */
function outline(rects, scale, y, right, period, struck = false) {
  let d = '';
  const boxes = [];
  for (const r of rects) {
    const x1 = scale.x(r.validFrom);
    const x2 = r.validTo === null ? right : scale.x(r.validTo);
    const inset = period ? Math.min(3, (y(r.fromTx) - y(r.toTx)) / 4) : 0;
    const y1 = y(r.toTx) + inset;
    const y2 = y(r.fromTx) - inset;
    d += `M${x1.toFixed(1)},${y1.toFixed(1)}H${x2.toFixed(1)}V${y2.toFixed(1)}H${x1.toFixed(1)}Z`;
    if (struck) {
      d += `M${x1.toFixed(1)},${y2.toFixed(1)}L${x2.toFixed(1)},${y1.toFixed(1)}`;
    }
    boxes.push({ area: (x2 - x1) * (y2 - y1), x: (x1 + x2) / 2, y: (y1 + y2) / 2, w: x2 - x1, h: y2 - y1, x1, x2, y1, y2 });
  }
  boxes.sort((a, b) => b.area - a.area);
  return { d, boxes, widest: boxes[0] || null };
}

/** What lies beyond the axis (far in the future), each named at the right edge: [{v, from, y}]. */
function markFar(marks, scale, far) {
  const x = scale.x(scale.hi) - 4;
  for (const { v, from, y } of far) {
    el('text', { x, y: y + 4, class: 'mark-label far', 'text-anchor': 'end', 'data-valid': iso(from), 'data-index': v.index }, marks)
      .textContent = `${valueWords(v)} from ${day(from)} →`;
  }
}

/** The "valid now" line, or an arrow at the edge when now lies outside the axis. */
function markNow(marks, scale, now, bottom) {
  const x = scale.x(now);
  const outside = now > scale.hi ? ' →' : now < scale.lo ? '← ' : '';
  el('line', { x1: x, x2: x, y1: MARGIN.top, y2: bottom, class: 'now' }, marks);
  const anchor = now > scale.hi ? 'end' : 'start';
  el('text', { x: now > scale.hi ? x - 4 : x + 4, y: MARGIN.top + 10, class: 'mark-label', 'text-anchor': anchor }, marks)
    .textContent = now < scale.lo ? `${outside}valid now` : `valid now${outside}`;
}

/**
 * The price over valid time as known at one point (model.priceLine): a step line that follows
 * periods, with a gap where an end holds (hatched, "ended") and no line where nothing is in force;
 * "valid now" and validAt marked.
 */
export function drawSteps(svg, { segments, scale, now, validAt }) {
  const height = 200;
  clear(svg, height);
  gapPattern(svg, 'no-price-steps');
  const bottom = height - MARGIN.bottom;
  const prices = segments.filter((s) => !s.version.ended);
  const top = Math.max(...prices.map((s) => Number(s.version.amount)), 1) * 1.15;
  const y = (amount) => bottom - (amount / top) * (bottom - MARGIN.top);
  const axes = el('g', { class: 'axes' }, svg);
  timeTicks(scale, bottom, axes, height);
  for (const fraction of [0, 0.5, 1]) {
    const amount = (top / 1.15) * fraction;
    el('text', { x: MARGIN.left - 8, y: y(amount) + 4, class: 'tick', 'text-anchor': 'end' }, axes).textContent = amount.toFixed(2);
  }
  el('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: bottom, y2: bottom, class: 'axis' }, axes);
  if (segments.length === 0) {
    el('text', { x: WIDTH / 2, y: height / 2, class: 'empty', 'text-anchor': 'middle' }, svg).textContent = 'No price was known then';
    return;
  }
  // A step (or gap) each, with what it shows in data-*: as markup parsed once, like the chart's shapes.
  const f = (n) => n.toFixed(1);
  const markup = segments.map((s, i) => {
    const x1 = scale.x(s.from);
    const x2 = s.to === null ? WIDTH - MARGIN.right : scale.x(s.to);
    const data = `data-from="${iso(s.from)}" data-to="${s.to === null ? '' : iso(s.to)}" data-index="${s.version.index}"`;
    if (s.version.ended) {
      const label = x2 - x1 > 44 ? `<text x="${f((x1 + x2) / 2)}" y="${bottom - 8}" class="mark-label gap-label" `
        + 'text-anchor="middle">ended</text>' : '';
      return `<rect x="${f(x1)}" y="${MARGIN.top}" width="${f(x2 - x1)}" height="${bottom - MARGIN.top}" class="gap" `
        + `fill="url(#no-price-steps)" ${data}/>${label}`;
    }
    const yy = y(Number(s.version.amount));
    const before = segments[i - 1];
    const riser = before && !before.version.ended && before.to === s.from
      ? `<line x1="${f(x1)}" x2="${f(x1)}" y1="${f(y(Number(before.version.amount)))}" y2="${f(yy)}" class="riser"/>` : '';
    return `${riser}<line x1="${f(x1)}" x2="${f(x2)}" y1="${f(yy)}" y2="${f(yy)}" `
      + `class="step${s.version.until === null ? '' : ' period'}" data-amount="${escape(s.version.amount)}" `
      + `data-currency="${escape(s.version.currency)}" ${data}/>`;
  });
  el('g', { class: 'line' }, svg).innerHTML = markup.join('');
  const marks = el('g', { class: 'marks' }, svg);
  const mark = (ms, cls, text) => {
    const x = scale.x(ms);
    if (cls === 'now') {
      markNow(marks, scale, ms, bottom);
    } else {
      el('line', { x1: x, x2: x, y1: MARGIN.top, y2: bottom, class: cls }, marks);
      // A line below "valid now" (the two are often close), and inside the plot at its right edge.
      const end = x > WIDTH - MARGIN.right - 60;
      el('text', { x: end ? x - 4 : x + 4, y: MARGIN.top + 22, class: 'mark-label', 'text-anchor': end ? 'end' : 'start' }, marks)
        .textContent = text;
    }
    const there = segments.find((s) => s.from <= ms && (s.to === null || ms < s.to));
    if (there && !there.version.ended) {
      el('circle', { cx: x, cy: y(Number(there.version.amount)), r: 5, class: `${cls}-dot` }, marks);
    }
  };
  mark(now, 'now', 'valid now');
  if (validAt !== null) {
    mark(validAt, 'valid-at', 'valid at');
  }
  markFar(marks, scale, segments.filter((s) => s.from > scale.hi)
    .map((s, i) => ({ v: s.version, from: s.from, y: MARGIN.top + 34 + i * 14 })));
}

/** The hatching of a gap in valid time (no price), as an SVG pattern with this id. */
function gapPattern(svg, id) {
  el('defs', {}, svg).innerHTML = `<pattern id="${id}" patternUnits="userSpaceOnUse" width="7" height="7" `
    + 'patternTransform="rotate(45)"><rect width="7" height="7" class="gap-paper"/>'
    + '<line x1="0" y1="0" x2="0" y2="7" class="gap-hatch"/></pattern>';
}

/** A customer's lanes: one per attribute across its transactions, deletions marked. */
export function drawLanes(svg, { spans, txs, lanes, deletedAt, knownIndex }) {
  const laneHeight = 34;
  const height = MARGIN.top + lanes.length * laneHeight + MARGIN.bottom;
  clear(svg, height);
  const left = MARGIN.left + 10;
  const plotWidth = WIDTH - left - MARGIN.right;
  const columns = txs.length;
  const x = (index) => left + (index / columns) * plotWidth;
  const txIndex = new Map(txs.map((tx, i) => [tx.t, i]));
  const bottom = MARGIN.top + lanes.length * laneHeight;
  const axes = el('g', { class: 'axes' }, svg);
  lanes.forEach((lane, i) => {
    el('text', { x: left - 8, y: MARGIN.top + i * laneHeight + laneHeight / 2 + 4, class: 'tick', 'text-anchor': 'end' }, axes)
      .textContent = lane === 'id' ? 'exists' : lane;
  });
  const every = Math.max(1, Math.ceil(columns / 12));
  txs.forEach((tx, i) => {
    if (i % every === 0) {
      el('text', { x: (x(i) + x(i + 1)) / 2, y: height - 12, class: 'tick', 'text-anchor': 'middle' }, axes).textContent = `t ${tx.t}`;
    }
  });
  const layer = el('g', { class: 'spans' }, svg);
  for (const span of spans) {
    const lane = lanes.indexOf(span.attribute);
    if (lane < 0) {
      continue;
    }
    const x1 = x(txIndex.get(span.from));
    const x2 = span.to === null ? x(columns) : x(txIndex.get(span.to));
    const y1 = MARGIN.top + lane * laneHeight + 5;
    const rect = el('rect', {
      x: x1, y: y1, width: Math.max(2, x2 - x1 - 1), height: laneHeight - 10,
      class: `span lane-${span.attribute}${span.to === null ? '' : ' superseded'}`,
      'data-index': span.index, 'data-attribute': span.attribute, 'data-from-t': span.from,
    }, layer);
    el('title', {}, rect).textContent = `${span.attribute} = ${shownValue(span)} · t=${span.from}${span.to === null ? '' : ` to t=${span.to}`}`;
    if (x2 - x1 > 40 && span.attribute !== 'id') {
      const label = el('text', { x: x1 + 6, y: y1 + laneHeight / 2, class: 'value' }, layer);
      label.textContent = shownValue(span).slice(0, Math.floor((x2 - x1) / 8));
    }
  }
  const marks = el('g', { class: 'marks' }, svg);
  for (const t of deletedAt) {
    const dx = x(txIndex.get(t));
    el('line', { x1: dx, x2: dx, y1: MARGIN.top, y2: bottom, class: 'deletion', 'data-t': t }, marks);
    el('text', { x: dx + 4, y: bottom - 4, class: 'mark-label deletion-label' }, marks).textContent = `deleted t=${t}`;
  }
  if (knownIndex >= 0) {
    const kx = (x(knownIndex) + x(knownIndex + 1)) / 2;
    el('line', { x1: kx, x2: kx, y1: MARGIN.top, y2: bottom, class: 'known-at' }, marks);
  }
}
