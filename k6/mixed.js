// The realistic day: steady ingestion (mostly single events, some batches) while readers ask as-of questions.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { BASE_URL, SEED, batch, checkWrite, random, readHeaders, sku, scaled, writeHeaders } from './lib/data.js';

const queueFull = new Counter('asof_429');

export const options = {
  scenarios: {
    writers: {
      executor: 'constant-arrival-rate', exec: 'write', rate: scaled(300), timeUnit: '1s', duration: '5m',
      preAllocatedVUs: 50, maxVUs: 300,
    },
    bulk: {
      executor: 'constant-arrival-rate', exec: 'bulk', rate: scaled(5), timeUnit: '1s', duration: '5m',
      preAllocatedVUs: 5, maxVUs: 50,
    },
    readers: {
      executor: 'constant-arrival-rate', exec: 'read', rate: scaled(1000), timeUnit: '1s', duration: '5m',
      preAllocatedVUs: 50, maxVUs: 300,
    },
  },
  thresholds: {
    'http_req_failed{expected_response:true}': ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{scenario:writers}': ['p(95)<200', 'p(99)<800'],
    'http_req_duration{scenario:readers}': ['p(95)<20', 'p(99)<100'],
  },
};

http.setResponseCallback(http.expectedStatuses(200, 201, 202, 404, 429));

function post(events) {
  const res = http.post(`${BASE_URL}/events`, JSON.stringify(events), { headers: writeHeaders() });
  if (res.status === 429) {
    queueFull.add(1);
  } else {
    checkWrite(res);
  }
}

export function write() {
  post(batch(random(SEED * 7 + __VU * 104729 + __ITER), 1)[0]);
}

export function bulk() {
  post(batch(random(SEED * 11 + __VU * 104723 + __ITER), 100));
}

export function read() {
  const rnd = random(SEED * 13 + __VU * 104717 + __ITER);
  const name = sku(rnd);
  const minutesAgo = Math.floor(rnd() * 5);
  const asOf = new Date(Date.now() - minutesAgo * 60000).toISOString();
  const res = http.get(`${BASE_URL}/prices/${name}?asOf=${asOf}`, { headers: readHeaders() });
  check(res, {
    'read answers 200 or 404': (r) => r.status === 200 || r.status === 404,
    'a 200 names its version': (r) => r.status !== 200 || (r.json('sku') === name && r.json('t') !== null),
  });
}
