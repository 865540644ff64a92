// Time-travel reads against data the script loads first: as-of point reads, valid-at reads, history pages.
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, SEED, random, readHeaders, writeHeaders } from './lib/data.js';

const SKUS = 500;
const VERSIONS = 8;

export const options = {
  setupTimeout: '5m',
  scenarios: {
    reads: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 2000),
      timeUnit: '1s',
      duration: '2m',
      preAllocatedVUs: 64,
      maxVUs: 256,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{kind:asof}': ['p(95)<10', 'p(99)<25'],
    'http_req_duration{kind:validat}': ['p(95)<10', 'p(99)<25'],
    'http_req_duration{kind:history}': ['p(95)<50', 'p(99)<150'],
  },
};

/** Loads SKUS x VERSIONS prices (one NDJSON request per version) and returns the t of each version. */
export function setup() {
  const ts = [];
  const rnd = random(SEED);
  for (let v = 0; v < VERSIONS; v++) {
    const lines = [];
    const effectiveAt = new Date(Date.UTC(2026, 0, 1) + v * 7 * 86400000).toISOString();
    for (let s = 0; s < SKUS; s++) {
      lines.push(JSON.stringify({
        type: 'price', sku: `K6R-${SEED}-${s}`, amount: Math.round(rnd() * 10000) / 100, currency: 'EUR', effectiveAt,
      }));
    }
    const res = http.post(`${BASE_URL}/events`, `${lines.join('\n')}\n`, { headers: writeHeaders('application/x-ndjson') });
    check(res, { 'load committed': (r) => r.status === 201 });
    ts.push(Number(res.json('t')));
  }
  return { ts };
}

/** @param {{ ts: number[] }} data */
export default function (data) {
  const rnd = random(SEED * 31 + __VU * 131 + __ITER);
  const sku = `K6R-${SEED}-${Math.floor(rnd() * SKUS)}`;
  const t = data.ts[Math.floor(rnd() * data.ts.length)];
  const which = rnd();
  if (which < 0.6) {
    const res = http.get(`${BASE_URL}/prices/${sku}?asOf=${t}`, { headers: readHeaders(), tags: { kind: 'asof' } });
    check(res, {
      'as-of answers 200': (r) => r.status === 200,
      'as-of shape': (r) => r.json('sku') === sku && r.json('basisT') === t && r.json('amount') !== null,
      'settled answers are immutable': (r) => String(r.headers['Cache-Control'] || '').includes('immutable'),
    });
  } else if (which < 0.85) {
    const validAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * VERSIONS * 7) * 86400000).toISOString();
    const res = http.get(`${BASE_URL}/prices/${sku}?validAt=${validAt}`, { headers: readHeaders(), tags: { kind: 'validat' } });
    check(res, {
      'valid-at answers 200': (r) => r.status === 200,
      // Instants compare as instants: 2026-01-01T00:00:00.000Z and 2026-01-01T00:00:00Z are the same one.
      'valid-at shape': (r) => Date.parse(String(r.json('validAt'))) === Date.parse(validAt)
        && Date.parse(String(r.json('effectiveAt'))) <= Date.parse(validAt),
    });
  } else {
    const res = http.get(`${BASE_URL}/prices/${sku}/history?limit=5`, { headers: readHeaders(), tags: { kind: 'history' } });
    check(res, {
      'history answers 200': (r) => r.status === 200,
      'history page of 5 with a next cursor': (r) => {
        const items = /** @type {unknown[]} */ (r.json('items'));
        return Array.isArray(items) && items.length === 5 && typeof r.json('next') === 'string';
      },
    });
  }
}
