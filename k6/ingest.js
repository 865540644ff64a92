// Ingestion at a ramping arrival rate: single-event POSTs and 100-event batches, hot SKUs included.
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { BASE_URL, SEED, batch, checkWrite, random, scaled, writeHeaders } from './lib/data.js';

const queueFull = new Counter('asof_429');
const eventsSent = new Counter('asof_events_sent');
const commitLatency = new Trend('asof_commit_latency', true);

export const options = {
  scenarios: {
    single: {
      executor: 'ramping-arrival-rate',
      exec: 'single',
      startRate: scaled(50),
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 400,
      stages: [
        { target: scaled(500), duration: '30s' },
        { target: scaled(1500), duration: '1m' },
        { target: scaled(1500), duration: '1m' },
        { target: scaled(0), duration: '15s' },
      ],
    },
    batches: {
      executor: 'ramping-arrival-rate',
      exec: 'batched',
      startRate: scaled(5),
      timeUnit: '1s',
      preAllocatedVUs: 20,
      maxVUs: 200,
      stages: [
        { target: scaled(50), duration: '30s' },
        { target: scaled(100), duration: '2m' },
        { target: scaled(0), duration: '15s' },
      ],
    },
  },
  thresholds: {
    // 429 is the service protecting itself and is counted apart; anything else failing is an error.
    'http_req_failed{expected_response:true}': ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{scenario:single}': ['p(95)<250', 'p(99)<1000'],
    'http_req_duration{scenario:batches}': ['p(95)<1000', 'p(99)<3000'],
  },
};

http.setResponseCallback(http.expectedStatuses(200, 201, 202, 429));

function send(events) {
  const res = http.post(`${BASE_URL}/events`, JSON.stringify(events.length === 1 ? events[0] : events), {
    headers: writeHeaders(),
  });
  if (res.status === 429) {
    queueFull.add(1);
    return;
  }
  checkWrite(res);
  eventsSent.add(events.length);
  commitLatency.add(res.timings.duration);
}

export function single() {
  send(batch(random(SEED * 1000003 + __VU * 7919 + __ITER), 1));
}

export function batched() {
  send(batch(random(SEED * 1000033 + __VU * 7927 + __ITER), 100));
}
