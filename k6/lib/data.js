// Deterministic test data for asof's k6 scripts: the same seed gives the same events, so runs compare.
import { check } from 'k6';

/** The service under test, and the write token (ASOF_WRITE_TOKENS) if it needs one. */
export const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
const TOKEN = __ENV.TOKEN || '';

/**
 * Multiplies every arrival rate of ingest.js, mixed.js and overload.js (-e SCALE=0.5 halves them):
 * the nominal rates assume a load generator on another machine and the service on 2 cores.
 */
export const SCALE = Number(__ENV.SCALE || 1);

/** A nominal arrival rate, scaled by SCALE (0 stays 0; anything else is at least 1). */
export function scaled(rate) {
  return rate === 0 ? 0 : Math.max(1, Math.round(rate * SCALE));
}

/** @returns {Record<string, string>} */
export function writeHeaders(contentType) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': contentType || 'application/json' };
  if (TOKEN) {
    headers.Authorization = `Bearer ${TOKEN}`;
  }
  return headers;
}

/** @returns {Record<string, string>} */
export function readHeaders() {
  return TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};
}

/**
 * mulberry32: a small seeded PRNG. Each virtual user seeds its own from SEED, its id and iteration.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function random(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SEED = Number(__ENV.SEED || 42);
export const SKUS = Number(__ENV.SKUS || 10000);
export const HOT_SKUS = 20;
export const CUSTOMERS = Number(__ENV.CUSTOMERS || 5000);

/**
 * A SKU: one request in five goes to one of 20 hot SKUs (promotions, price wars), the rest spread evenly.
 * @param {() => number} rnd
 */
export function sku(rnd) {
  return rnd() < 0.2 ? `HOT-${Math.floor(rnd() * HOT_SKUS)}` : `SKU-${Math.floor(rnd() * SKUS)}`;
}

/** A random version-4 UUID from the seeded generator, so that retries of a run reuse ids. */
export function uuid(rnd) {
  const hex = [];
  for (let i = 0; i < 32; i++) {
    hex.push(Math.floor(rnd() * 16).toString(16));
  }
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const CURRENCIES = ['EUR', 'USD', 'GBP'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'SE'];

/** @param {() => number} rnd */
export function priceEvent(rnd) {
  /** @type {Record<string, unknown>} */
  const event = {
    id: uuid(rnd),
    type: 'price',
    sku: sku(rnd),
    amount: Math.round(rnd() * 100000) / 100,
    currency: CURRENCIES[Math.floor(rnd() * CURRENCIES.length)],
    source: 'k6',
  };
  if (rnd() < 0.1) {
    // a correction or a late price for a past day, or a scheduled one
    const days = Math.floor(rnd() * 60) - 30;
    event.effectiveAt = new Date(Date.UTC(2026, 5, 1) + days * 86400000).toISOString();
  }
  return event;
}

/** @param {() => number} rnd */
export function customerEvent(rnd) {
  const id = `C-${Math.floor(rnd() * CUSTOMERS)}`;
  return {
    id: uuid(rnd),
    type: 'customer',
    customerId: id,
    name: `Customer ${id}`,
    email: `${id.toLowerCase()}@example.com`,
    tier: TIERS[Math.floor(rnd() * TIERS.length)],
    country: COUNTRIES[Math.floor(rnd() * COUNTRIES.length)],
  };
}

/** @param {() => number} rnd @param {number} n */
export function batch(rnd, n) {
  const events = [];
  for (let i = 0; i < n; i++) {
    events.push(rnd() < 0.9 ? priceEvent(rnd) : customerEvent(rnd));
  }
  return events;
}

/**
 * The checks every write shares: 201/200/202 are success; 429 is counted apart (backpressure, not an error).
 * @param {import('k6/http').RefinedResponse<any>} res
 */
export function checkWrite(res) {
  return check(res, {
    'write accepted (201/200/202)': (r) => r.status === 201 || r.status === 200 || r.status === 202,
    'answer names a t or is queued': (r) => r.status === 202 || r.status === 429 || (r.json('t') !== null),
  });
}
