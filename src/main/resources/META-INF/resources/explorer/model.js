// The bitemporal model of one entity, built from its history as the API answers it (assertions and
// retractions in t order). Pure functions: no DOM, no fetch.

/** The entity's transactions, in t order: [{t, txInstant}]. */
export function transactions(items) {
  const txs = [];
  for (const item of items) {
    if (txs.length === 0 || txs[txs.length - 1].t !== item.t) {
      txs.push({ t: item.t, txInstant: item.txInstant });
    }
  }
  return txs;
}

/**
 * A SKU's versions: one per assertion, alive in system time from the transaction that recorded it
 * (`from`) to the one that replaced or withdrew it (`to`, null while it stands), valid from
 * `effectiveAt`. Its state is a price (`amount`, `currency`) or an end (`ended`: no price), and
 * either is a period when it has `until` (ms; `effectiveUntil`): it holds in [valid, until) only.
 * A `withdrawn` version was taken out of valid time at `to` (the history's "withdraw").
 *
 * Each has a `kind`:
 * - `correction`: it replaced a version with the same valid time;
 * - `scheduled`: its valid time was still in the future when it was recorded;
 * - `late`: it arrived after a version valid later than it, recorded in an earlier transaction (it
 *   fills in the past); for a period, a version valid from its end on (one starting inside it does not
 *   make it late);
 * - `plain`: a change that took effect as it was recorded.
 */
export function priceVersions(items) {
  const live = new Map(); // valid time (ms) -> version
  let replaced = new Map(); // versions retracted in the current transaction, by valid time
  let currentT = null;
  let latest = -Infinity; // the latest valid time standing (a correction keeps its valid time standing)
  let latestBefore = -Infinity; // latest, as it was before the current transaction
  const versions = [];
  for (const item of items) {
    if (item.t !== currentT) {
      currentT = item.t;
      replaced = new Map();
      latestBefore = latest;
    }
    const valid = Date.parse(item.effectiveAt);
    if (item.op === 'retract' || item.op === 'withdraw') {
      const old = retract(live, valid, item);
      if (old) {
        if (item.op === 'withdraw') {
          old.withdrawn = true;
        } else {
          replaced.set(valid, old);
        }
        if (valid === latest && !live.size) {
          latest = -Infinity;
        } else if (valid === latest) {
          latest = Math.max(...live.keys());
        }
      }
      continue;
    }
    const version = asserted(item, versions.length, {
      amount: item.amount ?? null,
      currency: item.currency ?? null,
      ended: item.ended === true,
      effectiveAt: item.effectiveAt,
      effectiveUntil: item.effectiveUntil ?? null,
      valid,
      until: item.effectiveUntil ? Date.parse(item.effectiveUntil) : null,
      withdrawn: false,
      replaces: replaced.get(valid) || null,
      kind: 'plain',
    });
    if (version.replaces) {
      version.kind = 'correction';
    } else if (valid > Date.parse(item.txInstant)) {
      version.kind = 'scheduled';
    } else if (latestBefore >= (version.until ?? valid + 1)) {
      version.kind = 'late';
    }
    live.set(valid, version);
    latest = Math.max(latest, valid);
    versions.push(version);
  }
  return versions;
}

/** Whether two versions hold the same state: the same price or end, over the same period (if any). */
export function sameState(a, b) {
  return a.amount === b.amount && a.currency === b.currency && a.ended === b.ended && a.until === b.until;
}

/** What an assertion put in place: standing from its transaction until a retraction ends it. */
function asserted(item, index, fields) {
  return { index, eventId: item.eventId, ...fields, from: item.t, fromInstant: item.txInstant, to: null, toInstant: null };
}

/** Ends what stands under key at the retraction's transaction; what it ended, if anything. */
function retract(standing, key, item) {
  const ended = standing.get(key);
  if (ended) {
    ended.to = item.t;
    ended.toInstant = item.txInstant;
    standing.delete(key);
  }
  return ended;
}

/** Whether a version was part of what was known at t. */
export function knownAt(version, t) {
  return version.from <= t && (version.to === null || version.to > t);
}

/**
 * The shape of each version in the bitemporal plane: a list of rectangles
 * {fromTx, toTx (index into txs, exclusive; txs.length while it stands), validFrom, validTo (ms, or
 * null: open)}. An open-ended version (a price or an end) is valid until the next open-ended one
 * known beside it, which a late arrival, a correction or a withdrawal can change, so one version can
 * be several stacked rectangles. A period is one rectangle, [valid, until): it lies over the
 * open-ended versions there (inForce). A withdrawn version has one more rectangle, marked
 * `withdrawn`: where it was, from its withdrawal on.
 */
export function priceShapes(versions, txs) {
  const txIndex = new Map(txs.map((tx, i) => [tx.t, i]));
  const byTx = new Map();
  for (const v of versions) {
    if (v.until !== null) {
      continue;
    }
    push(byTx, v.from, { v, added: true });
    if (v.to !== null) {
      push(byTx, v.to, { v, added: false });
    }
  }
  const alive = []; // versions known now, sorted by valid time
  const open = new Map(); // version -> its current rectangle
  const shapes = new Map(versions.map((v) => [v, []]));
  const position = (v) => {
    const at = sortedIndex(alive, v.valid);
    return alive[at] === v ? at : -1;
  };
  const reconsider = (v, i) => {
    const at = position(v);
    const next = at >= 0 && at + 1 < alive.length ? alive[at + 1].valid : null;
    const current = open.get(v);
    if (at >= 0 && current && current.validTo === next) {
      return;
    }
    if (current) {
      current.toTx = i;
    }
    if (at >= 0) {
      const rect = { fromTx: i, toTx: txs.length, validFrom: v.valid, validTo: next };
      shapes.get(v).push(rect);
      open.set(v, rect);
    } else {
      open.delete(v);
    }
  };
  txs.forEach((tx, i) => {
    const changes = byTx.get(tx.t) || [];
    const touched = new Set();
    for (const { v, added } of changes) {
      const at = sortedIndex(alive, v.valid);
      if (added) {
        alive.splice(at, 0, v);
      } else {
        alive.splice(position(v), 1);
      }
      touched.add(v);
      const before = alive[Math.min(at, alive.length) - 1];
      if (before) {
        touched.add(before);
      }
    }
    for (const v of touched) {
      reconsider(v, i);
    }
  });
  for (const v of versions) {
    const rects = shapes.get(v);
    if (v.until !== null) {
      rects.push({ fromTx: txIndex.get(v.from), toTx: v.to === null ? txs.length : txIndex.get(v.to), validFrom: v.valid, validTo: v.until });
    }
    const last = rects[rects.length - 1];
    if (v.withdrawn && last) {
      rects.push({ fromTx: last.toTx, toTx: txs.length, validFrom: last.validFrom, validTo: last.validTo, withdrawn: true });
    }
  }
  return shapes;
}

function push(map, key, value) {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

function sortedIndex(alive, valid) {
  let lo = 0;
  let hi = alive.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (alive[mid].valid < valid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Which version is in force at a valid time (ms), among the versions of a timeline (arrange): the
 * rule of the service's dev.asof.datomic.ValidTime. A period covering it lies over everything
 * open-ended, and of overlapping periods the one that starts latest holds; elsewhere the open-ended
 * version that starts latest at or before it (a price, or an end: no price); an open end that starts
 * after a period ends the period there. Null when none is.
 * Withdrawn versions are not in the timeline: they are not known from their withdrawal on.
 */
export function inForce(timeline, ms) {
  let found = null;
  for (const period of timeline.periods) {
    if (period.valid <= ms && ms < period.until && (!found || period.valid > found.valid)) {
      found = period;
    }
  }
  const after = sortedIndex(timeline.open, ms + 1); // the first that starts after ms
  const open = after > 0 ? timeline.open[after - 1] : null;
  if (found) {
    // An open end (a delisting) that starts after the period ends it there, for good.
    for (let i = after - 1; i >= 0 && timeline.open[i].valid > found.valid; i--) {
      if (timeline.open[i].ended) {
        return open;
      }
    }
    return found;
  }
  return open;
}

/** The versions known at t, arranged for inForce: open-ended ones by valid time, and the periods. */
export function timelineAt(versions, t) {
  const known = versions.filter((v) => knownAt(v, t));
  return {
    open: known.filter((v) => v.until === null).sort((a, b) => a.valid - b.valid),
    periods: known.filter((v) => v.until !== null),
  };
}

/**
 * The price over valid time as known at t: segments {from, to (ms; null: open), version} in valid
 * time order, each with the version in force there (inForce), an end included (a gap with no price).
 * Where nothing is in force (before the first version) there is no segment.
 */
export function priceLine(versions, t) {
  const timeline = timelineAt(versions, t);
  const bounds = [...new Set([...timeline.open, ...timeline.periods].flatMap((v) => (v.until === null ? [v.valid] : [v.valid, v.until])))]
    .sort((a, b) => a - b);
  const segments = [];
  bounds.forEach((from, i) => {
    const version = inForce(timeline, from);
    const to = i + 1 < bounds.length ? bounds[i + 1] : null;
    const last = segments[segments.length - 1];
    if (!version) {
      return;
    }
    if (last && last.version === version && last.to === from) {
      last.to = to;
    } else {
      segments.push({ from, to, version });
    }
  });
  return segments;
}

/**
 * What changed between two known-at points a < b: versions added, corrected (the same valid time,
 * another amount) and retracted, by valid time. Works for customers too, with attributes as keys.
 */
export function difference(before, after, keyOf, sameValue) {
  const old = new Map(before.map((v) => [keyOf(v), v]));
  const now = new Map(after.map((v) => [keyOf(v), v]));
  const changes = [];
  for (const [key, v] of now) {
    const was = old.get(key);
    if (!was) {
      changes.push({ change: 'added', key, now: v });
    } else if (was !== v && !sameValue(was, v)) {
      changes.push({ change: 'corrected', key, was, now: v });
    }
  }
  for (const [key, v] of old) {
    if (!now.has(key)) {
      changes.push({ change: 'retracted', key, was: v });
    }
  }
  return changes;
}

/**
 * A customer's attributes as lanes over system time: for each attribute, spans
 * {attribute, value, from, to, eventId} from the transaction that asserted a value to the one that
 * retracted it. The lane `id` is the customer's existence: its gaps are deletions.
 */
export const CUSTOMER_LANES = ['id', 'name', 'email', 'tier', 'country', 'city'];

export function customerSpans(items) {
  const open = new Map();
  const spans = [];
  for (const item of items) {
    if (item.op === 'retract') {
      retract(open, item.attribute, item);
      continue;
    }
    const span = asserted(item, spans.length, { attribute: item.attribute, value: item.value, erased: item.erased === true });
    open.set(item.attribute, span);
    spans.push(span);
  }
  return spans;
}

/**
 * A span's value as the page shows it: an erased customer's personal values (issue 24) have none,
 * and show as "erased".
 */
export function shownValue(span) {
  return span.erased ? 'erased' : String(span.value);
}

/**
 * Whether two spans of one attribute hold the same value. Erased values have none to compare: two
 * erased spans are the same only when they are the same span (a change starts a new one).
 */
export function sameCustomerValue(x, y) {
  return x.erased || y.erased ? x.erased === y.erased && x.from === y.from : x.value === y.value;
}

/** The transactions at which the customer was deleted: its `id` retracted and not asserted again in it. */
export function deletions(spans) {
  const reasserted = new Set(spans.filter((s) => s.attribute === 'id').map((s) => s.from));
  return spans.filter((s) => s.attribute === 'id' && s.to !== null && !reasserted.has(s.to)).map((s) => s.to);
}

/**
 * RFC 3339 date-time (seconds required, up to 9 fraction digits, Z or an offset) or a date alone
 * (midnight UTC): the one rule the service reads instants by (dev.asof.core.Instants), so that what
 * the page takes is what the API takes — no local times, no minutes without seconds, no 24:00 or :60.
 */
const INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))?$/;

/** Parses what a person types as a known-at point: a t (digits) or an RFC 3339 instant; null if neither. */
export function parseKnownAt(text) {
  const value = text.trim();
  if (/^\d{1,19}$/.test(value)) {
    return { t: Number(value) };
  }
  const ms = INSTANT.test(value) ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value.toUpperCase()) : NaN;
  if (Number.isNaN(ms)) {
    return null;
  }
  return { instant: new Date(ms).toISOString() };
}

/** The index of the last transaction at or before a known-at point, or -1 if it is before them all. */
export function snap(txs, point) {
  let found = -1;
  txs.forEach((tx, i) => {
    const before = point.t !== undefined ? tx.t <= point.t : Date.parse(tx.txInstant) <= Date.parse(point.instant);
    if (before) {
      found = i;
    }
  });
  return found;
}
