// asof's HTTP API as the explorer uses it: the bearer token (kept in this tab's session only),
// problem+json turned into words, history pages followed to the end, and the change stream.

const TOKEN_KEY = 'asof.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

function headers(extra = {}) {
  const given = token();
  return given ? { ...extra, Authorization: `Bearer ${given}` } : extra;
}

/** A failed request, in words: the problem's title and detail, and each field error. */
export class ApiError extends Error {
  constructor(status, problem) {
    const errors = (problem.errors || []).map((e) => [e.field, e.message].filter(Boolean).join(': '));
    super([problem.title, problem.detail].filter(Boolean).join(': ') + (errors.length ? ` (${errors.join('; ')})` : ''));
    this.status = status;
    this.problem = problem;
  }
}

export async function get(path, { signal } = {}) {
  let response;
  try {
    response = await fetch(path, { headers: headers({ Accept: 'application/json' }), signal });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, { title: 'asof cannot be reached', detail: e.message });
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, body && typeof body === 'object' ? body : { title: `HTTP ${response.status}`, detail: text });
  }
  return body;
}

/** Every item of a paged list, following `next` cursors (1,000 a page). */
export async function all(path, { signal } = {}) {
  const items = [];
  let cursor = null;
  const join = path.includes('?') ? '&' : '?';
  do {
    const page = await get(`${path}${join}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal });
    items.push(...page.items);
    cursor = page.next || null;
  } while (cursor);
  return items;
}

export const paths = {
  price: (sku, query) => `/prices/${encodeURIComponent(sku)}${queryString(query)}`,
  priceHistory: (sku) => `/prices/${encodeURIComponent(sku)}/history`,
  customer: (id, query) => `/customers/${encodeURIComponent(id)}${queryString(query)}`,
  customerHistory: (id) => `/customers/${encodeURIComponent(id)}/history`,
  suggestions: (prefix) => `/prices?prefix=${encodeURIComponent(prefix)}&limit=20`,
  tx: (t) => `/tx/${t}`,
};

/** A query string of the given parameters, empty ones left out ('' when none). */
export function queryString(query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, value);
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Follows /changes/stream, calling onTx(tx) for each transaction, and reconnecting with
 * Last-Event-ID so that nothing is missed; onState(text, refused) tells how it goes (refused: a
 * 401, after which it stops). fetch rather than EventSource: EventSource cannot send
 * the Authorization header. Returns a function that stops it.
 */
export function follow(onTx, onState) {
  const controller = new AbortController();
  let lastId = null;
  let stopped = false;
  const run = async () => {
    while (!stopped) {
      try {
        const response = await fetch('/changes/stream', {
          headers: headers(lastId ? { Accept: 'text/event-stream', 'Last-Event-ID': lastId } : { Accept: 'text/event-stream' }),
          signal: controller.signal,
        });
        if (!response.ok) {
          throw new ApiError(response.status, await response.json().catch(() => ({ title: `HTTP ${response.status}` })));
        }
        onState('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          buffer += value;
          let end;
          while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
            const message = parse(block);
            if (message.id !== undefined) {
              lastId = message.id;
            }
            if (message.event === 'tx' && message.data) {
              onTx(JSON.parse(message.data));
            } else if (message.event === 'reset') {
              // The position resumed from is not this database's (it started again): the stream now
              // sends this database from its first transaction; what is shown is read again.
              onState('live');
            }
          }
        }
      } catch (e) {
        if (stopped) {
          return;
        }
        const refused = e.status === 401;
        onState(e instanceof ApiError ? `not live: ${e.message}` : 'reconnecting', refused);
        if (refused) {
          return; // until a token is given, which starts a new stream
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  run();
  return () => {
    stopped = true;
    controller.abort();
  };
}

/**
 * The change stream shared by every tab of this page in the browser: one tab (whichever holds the
 * Web Lock) reads /changes/stream and passes each transaction to the others over a
 * BroadcastChannel. A browser keeps six connections to a host, so a stream a tab would starve
 * the seventh tab's reads. When the reading tab goes, the next one takes the lock and reads from
 * the tail; its "live" tells every tab to read its entity again, so nothing in between is missed.
 * Where the browser lacks either API, each tab reads its own stream.
 */
export function followShared(onTx, onState) {
  if (typeof BroadcastChannel === 'undefined' || !navigator.locks) {
    return follow(onTx, onState);
  }
  const channel = new BroadcastChannel('asof-change-stream');
  const leaving = new AbortController();
  let state = null;
  let stopReading = null;
  channel.onmessage = (e) => {
    if (e.data.type === 'tx') {
      onTx(e.data.tx);
    } else if (e.data.type === 'state') {
      onState(e.data.state);
    } else if (e.data.type === 'hello' && state === 'live') {
      channel.postMessage({ type: 'state', state });
    }
  };
  navigator.locks.request('asof-change-stream', { signal: leaving.signal }, () => new Promise((release) => {
    stopReading = follow((tx) => {
      onTx(tx);
      channel.postMessage({ type: 'tx', tx });
    }, (next, refused) => {
      state = next;
      onState(next);
      if (refused) {
        release(); // this tab may not read the stream (no token): another tab may
      } else if (next === 'live' || next === 'reconnecting') {
        channel.postMessage({ type: 'state', state: next });
      }
    });
    leaving.signal.addEventListener('abort', () => release());
  })).catch(() => {});
  channel.postMessage({ type: 'hello' });
  return () => {
    leaving.abort();
    stopReading?.();
    channel.close();
  };
}

function parse(block) {
  const message = {};
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) {
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') {
      message.data = message.data === undefined ? value : `${message.data}\n${value}`;
    } else if (field === 'id' || field === 'event') {
      message[field] = value;
    }
  }
  return message;
}
