// Past capacity: the service must shed load with fast 429s (Retry-After), keep serving reads, and recover.
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { BASE_URL, SEED, batch, random, readHeaders, sku, scaled, writeHeaders } from './lib/data.js';

const rejected = new Rate('asof_rejected_429');
const rejectLatency = new Trend('asof_429_latency', true);
const acceptLatency = new Trend('asof_accepted_latency', true);
const errors = new Counter('asof_unexpected_status');

export const options = {
  scenarios: {
    flood: {
      executor: 'ramping-arrival-rate', exec: 'flood', startRate: scaled(10), timeUnit: '1s',
      preAllocatedVUs: 200, maxVUs: 1500,
      stages: [
        { target: scaled(100), duration: '20s' },   // within capacity
        { target: scaled(600), duration: '30s' },   // 100-event batches: far past it
        { target: scaled(600), duration: '1m' },
        { target: scaled(20), duration: '10s' },    // the load drops
        { target: scaled(20), duration: '40s' },    // it must recover: no more 429s
      ],
    },
    readers: {
      executor: 'constant-arrival-rate', exec: 'read', rate: scaled(200), timeUnit: '1s', duration: '2m40s',
      preAllocatedVUs: 20, maxVUs: 200,
    },
  },
  thresholds: {
    asof_unexpected_status: ['count==0'],
    asof_429_latency: ['p(99)<100'],          // shedding is fast
    asof_accepted_latency: ['p(99)<5000'],    // the queue bound, not the heap, bounds waiting
    'http_req_duration{scenario:readers}': ['p(99)<200'],
    'checks{phase:recovered}': ['rate>0.99'],
  },
};

http.setResponseCallback(http.expectedStatuses(200, 201, 202, 404, 429));

/** The test's start, so that the last phase (after the load drops) can be told apart. */
export function setup() {
  return { start: Date.now() };
}

/** @param {{ start: number }} data */
export function flood(data) {
  const res = http.post(`${BASE_URL}/events`, JSON.stringify(batch(random(SEED * 17 + __VU * 7001 + __ITER), 100)),
    { headers: writeHeaders() });
  rejected.add(res.status === 429);
  if (res.status === 429) {
    rejectLatency.add(res.timings.duration);
    check(res, { '429 carries Retry-After': (r) => Number(r.headers['Retry-After']) > 0 });
  } else if (res.status === 201 || res.status === 200) {
    acceptLatency.add(res.timings.duration);
  } else {
    errors.add(1);
  }
  // The last 30 s: the load has dropped well before, so every write must be accepted again.
  if (Date.now() - data.start > 140000) {
    check(res, { 'accepted after the load drops': (r) => r.status === 201 || r.status === 200 }, { phase: 'recovered' });
  }
}

export function read() {
  const rnd = random(SEED * 19 + __VU * 7013 + __ITER);
  const res = http.get(`${BASE_URL}/prices/${sku(rnd)}`, { headers: readHeaders() });
  check(res, { 'reads keep working under write overload': (r) => r.status === 200 || r.status === 404 });
}
