// Unit tests of the browser client's logic (node --test). The browser tests are browser.test.mjs.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffDelay, SendQueue, MessageStore, TypingDebounce, Conversation, SessionClient, ParleyConnection, SessionChat,
  tokenRefreshDelayMs, messageNote, KeptMessages, linkParts, IdleAway,
} from '../../main/resources/META-INF/resources/client/v1/parley-client.js';
import { TEXTS, widgetTexts } from '../../main/resources/META-INF/resources/client/v1/widget.js';

test('backoff: full jitter between 0 and base * 2^attempt, capped at 30 s', () => {
  assert.equal(backoffDelay(0, {}, () => 0.999999), 999);
  assert.equal(backoffDelay(3, {}, () => 0.5), 4000);
  assert.equal(backoffDelay(20, {}, () => 0.999999), 29999);
  assert.equal(backoffDelay(4, {}, () => 0), 0);
  const samples = Array.from({ length: 1000 }, () => backoffDelay(2));
  assert.ok(samples.every((d) => d >= 0 && d < 4000));
  assert.ok(new Set(samples).size > 100, 'jittered, not fixed');
});

test('send queue: keeps order, refuses when full, removes acknowledged messages', () => {
  const q = new SendQueue(2);
  assert.ok(q.push({ client_message_id: 'a' }));
  assert.ok(q.push({ client_message_id: 'b' }));
  assert.equal(q.push({ client_message_id: 'c' }), false);
  assert.deepEqual(q.all().map((i) => i.client_message_id), ['a', 'b']);
  q.remove('a');
  assert.deepEqual(q.all().map((i) => i.client_message_id), ['b']);
  assert.ok(q.push({ client_message_id: 'c' }));
});

const msg = (seq, id, extra = {}) => ({ type: 'message_created', seq, message_id: id, content: `m${seq}`, ...extra });

test('store: each event once by seq and by message_id, in seq order', () => {
  const s = new MessageStore();
  assert.ok(s.apply(msg(2, 'x')));
  assert.ok(s.apply(msg(1, 'w')));
  assert.equal(s.apply(msg(2, 'x')), false, 'same seq twice');
  assert.equal(s.apply(msg(5, 'x')), false, 'same message under another seq');
  assert.deepEqual(s.messages.map((m) => m.seq), [1, 2]);
  assert.equal(s.resumeSeq, 2);
  assert.ok(s.apply(msg(4, 'z')));
  assert.equal(s.resumeSeq, 2, 'resume after the last seq without a gap');
  assert.ok(s.apply(msg(3, 'y')));
  assert.equal(s.resumeSeq, 4);
});

test('store: a pending message is replaced by the stored one with its client_message_id', () => {
  const s = new MessageStore();
  s.addPending('c1', 'hello');
  assert.deepEqual(s.messages.map((m) => m.state), ['pending']);
  s.apply(msg(1, 'm1', { client_message_id: 'c1', content: 'hello' }));
  assert.deepEqual(s.messages.map((m) => [m.state, m.content]), [['stored', 'hello']]);
  s.addPending('c2', 'x');
  s.failPending('c2', 'session closed');
  assert.equal(s.messages[1].state, 'failed');
});

test('store: resync skips what the stream will not replay; deletes blank the message', () => {
  const s = new MessageStore();
  s.apply(msg(1, 'a'));
  s.skipTo(50);
  assert.equal(s.resumeSeq, 50);
  assert.equal(s.apply(msg(30, 'old')), false);
  s.apply(msg(51, 'b'));
  s.apply({ type: 'message_deleted', seq: 52, message_id: 'b' });
  assert.deepEqual(s.messages.map((m) => [m.seq, m.state, m.content]), [[1, 'stored', 'm1'], [51, 'deleted', '']]);
});

test('typing: starts on the first keystroke, stops once after the idle time', () => {
  const sent = [];
  let pending = null;
  const timers = { setTimeout: (f) => { pending = f; return 1; }, clearTimeout: () => { pending = null; } };
  const t = new TypingDebounce((v) => sent.push(v), 3000, timers);
  t.keystroke();
  t.keystroke();
  t.keystroke();
  assert.deepEqual(sent, [true]);
  pending();
  assert.deepEqual(sent, [true, false]);
  t.stop();
  assert.deepEqual(sent, [true, false]);
});

test('typing: a reply typed for longer than the others remember a typist still shows as typing', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const customer = new Conversation(() => {}, () => {});
    const agent = new Conversation(() => {}, (isTyping) => customer.onTyping(
      { type: 'typing_indicator', user_id: 'sam', role: 'supporter', is_typing: isTyping }));
    for (let second = 0; second < 30; second++) { // a keystroke a second for half a minute
      agent.typingDebounce.keystroke();
      assert.deepEqual(customer.typists().map((t) => t.user_id), ['sam'], `typing at ${second} s`);
      mock.timers.tick(1000);
    }
    mock.timers.tick(3000); // then nothing: the stop goes out after the idle time
    assert.deepEqual(customer.typists(), []);
  } finally {
    mock.timers.reset();
  }
});

test('typing: a typist who leaves the chat stops showing as typing at once', () => {
  const customer = new Conversation(() => {}, () => {});
  const sam = { user_id: 'sam', role: 'supporter' };
  const alice = { user_id: 'alice', role: 'user' };
  customer.onSignal({ type: 'presence', participants: [alice, sam] });
  customer.onSignal({ type: 'typing_indicator', ...sam, is_typing: true });
  assert.deepEqual(customer.typists(), [sam]);
  customer.onSignal({ type: 'presence', participants: [alice, sam] }); // someone else came or went
  assert.deepEqual(customer.typists(), [sam]);
  customer.onSignal({ type: 'presence', participants: [alice] }); // sam closed the tab mid-sentence
  assert.deepEqual(customer.typists(), []);
});

test('names: a participant who left is still called by the name they had in the chat', () => {
  const customer = new Conversation(() => {}, () => {});
  customer.onSignal({ type: 'presence', participants: [{ user_id: 'sam', role: 'supporter', name: 'Sam Reyes' }] });
  assert.equal(customer.nameOf('sam'), 'Sam Reyes');
  customer.onSignal({ type: 'presence', participants: [] }); // sam reloads the dashboard, or goes home
  assert.equal(customer.nameOf('sam'), 'Sam Reyes');
  assert.equal(customer.nameOf('olivia'), 'olivia'); // never seen: the user id
});

test('seen: what the others read before the page opened comes from chat-api, the user\'s own reads never count', async () => {
  const events = [];
  const customer = new Conversation((type) => events.push(type), () => {});
  customer.me = 'alice';
  customer.readsOf = async () => [
    { user_id: 'alice', role: 'user', last_read_seq: 9 },
    { user_id: 'sam', role: 'supporter', last_read_seq: 4 },
  ];
  await customer.loadReads();
  assert.equal(customer.readUpTo(), 4, 'support read up to 4; alice\'s own 9 is not "seen"');
  assert.deepEqual(events, ['read']);
  // alice's other tab reads on: no receipt of hers marks her messages seen
  customer.onSignal({ type: 'read_receipt', user_id: 'alice', role: 'user', up_to_seq: 12 });
  assert.equal(customer.readUpTo(), 4);
  customer.onSignal({ type: 'read_receipt', user_id: 'sam', role: 'supporter', up_to_seq: 6 });
  assert.equal(customer.readUpTo(), 6);
  let asked = 0;
  customer.readsOf = async () => { asked += 1; return []; };
  await customer.loadReads(); // a reconnect: the receipts go on, chat-api is not asked again
  assert.equal(asked, 0);

  const later = new Conversation(() => {}, () => {});
  later.readsOf = async () => { throw new Error('chat-api away'); };
  await later.loadReads();
  assert.equal(later.readUpTo(), 0);
  later.onSignal({ type: 'read_receipt', user_id: 'sam', role: 'supporter', up_to_seq: 6 });
  later.readsOf = async () => [{ user_id: 'sam', role: 'supporter', last_read_seq: 5 }]; // older than the receipt
  await later.loadReads(); // asked again after a failure
  assert.equal(later.readUpTo(), 6, 'never backwards');
});

test('a message\'s note: when it was written (with the day when not today), and seen or on its way', () => {
  const now = new Date(2026, 11, 6, 15, 30);
  const at = (d) => d.toISOString();
  const today = { state: 'stored', created_at: at(new Date(2026, 11, 6, 9, 5)) };
  assert.equal(messageNote(today, { now }), '09:05');
  assert.equal(messageNote(today, { now, seen: true }), '09:05 · seen');
  const older = messageNote({ state: 'stored', created_at: at(new Date(2026, 10, 28, 17, 45)) }, { now });
  assert.match(older, /^28 Nov(ember)?,? 17:45$|^Nov(ember)? 28,? 17:45$/, older);
  assert.equal(messageNote({ state: 'pending' }, { now }), 'sending…');
  assert.equal(messageNote({ state: 'pending', retrying: true }, { now }), 'not sent yet, trying again…');
  assert.equal(messageNote({ state: 'pending', retrying: true }, { now, words: { sending: 'envoi…' } }), 'envoi…',
    'words of a page that has none for it');
  assert.equal(messageNote({ state: 'failed', reason: 'too long' }, { now }), 'not sent: too long');
  assert.equal(messageNote({ state: 'deleted', created_at: today.created_at }, { now }), '09:05');
  assert.equal(messageNote({ state: 'stored' }, { now }), '', 'no time known: nothing');
});

/** A WebSocket that the test drives: open(), receive(frame), close(code). */
class FakeSocket {
  static all = [];
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  open() { this.readyState = 1; this.onopen?.(); }
  receive(frame) { this.onmessage?.({ data: JSON.stringify(frame) }); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code = 1000) { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
}

/**
 * A session client on fake sockets. Its fetch (when a test gives one) answers the look-up of how far
 * the others read (GET …/reads, on every connect) with nobody, so a test sees only the calls it is about.
 */
function client(extra = {}) {
  FakeSocket.all = [];
  const fetch = extra.fetch && (async (url, init) => (new URL(url).pathname.endsWith('/reads')
    ? { ok: true, status: 200, json: async () => ({ reads: [] }) } : extra.fetch(url, init)));
  return new SessionClient({
    gateways: ['http://gw1.test', 'http://gw2.test'], apiUrl: 'http://api.test', tenantId: 't', sessionId: 's',
    token: 'tok', WebSocket: FakeSocket, random: () => 0, ...extra, ...(fetch ? { fetch } : {}),
  });
}

const tick = () => new Promise((r) => setTimeout(r, 25)); // lets the client's async steps run, even on a busy machine

/** EventSource stand-ins that remember every stream opened (its url) and whether it was closed. */
function fakeEventSources() {
  const sources = [];
  class FakeSource {
    constructor(url) { this.url = url; sources.push(this); this.listeners = {}; this.closed = false; }
    addEventListener(type, f) { this.listeners[type] = f; }
    close() { this.closed = true; }
  }
  return { sources, FakeSource };
}

/** Waits (a second at most) until done() says the client got there. */
async function until(done, tries = 40) {
  for (let i = 0; i < tries && !done(); i++) {
    await tick();
  }
}

/** Connects conn and lets its (first) socket open and say connected; returns that socket. */
async function connectedSocket(conn) {
  await conn.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected' });
  return FakeSocket.all[0];
}

/** The frames of one type the page sent on a socket. */
const framesOf = (ws, type) => ws.sent.filter((f) => f.type === type);

/** A SessionChat on session s of a connected ParleyConnection, subscribed unless told otherwise. */
async function openChat({ subscribed = true } = {}) {
  const conn = connection();
  const chat = new SessionChat(conn, { sessionId: 's' });
  await conn.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected' });
  if (subscribed) {
    ws.receive({ type: 'subscribed', channel: 'session:s', last_seq: 0 });
  }
  return { conn, chat, ws };
}

test('client: token in the subprotocol, not the URL; offline sends flushed once connected', async () => {
  const c = client();
  c.send('written offline');
  c.connect();
  const ws = FakeSocket.all[0];
  assert.equal(ws.url, 'ws://gw1.test/ws/t/session/s?last_seq=0');
  assert.deepEqual(ws.protocols, ['bearer-token-carrier', 'quarkus-http-upgrade#Authorization#Bearer%20tok']);
  ws.open();
  assert.equal(ws.sent.length, 0, 'nothing before the connected frame');
  ws.receive({ type: 'connected', last_seq: 0 });
  assert.deepEqual(ws.sent.map((f) => [f.type, f.content]), [['message', 'written offline']]);
  const id = ws.sent[0].client_message_id;
  ws.receive({ type: 'message_ack', client_message_id: id, seq: 1 });
  ws.receive(msg(1, 'm1', { client_message_id: id, content: 'written offline' }));
  assert.deepEqual(c.messages.map((m) => m.state), ['stored']);
  assert.equal(c.queue.size, 0);
  c.close();
});

test('client: a message chat-api stored shows as stored at its ack, before its event, and once after it', async () => {
  const c = client();
  c.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', user_id: 'alice', last_seq: 0 });
  ws.receive(msg(1, 'm1', { content: 'hello from support', sender_user_id: 'sam' }));
  const id = c.send('my question');
  const at = '2026-12-07T15:31:02Z';
  // stored by chat-api; its event is held up on the way (the broker slow or away)
  ws.receive({ type: 'message_ack', client_message_id: id, message_id: 'm3', seq: 3, created_at: at });
  const mine = c.messages.find((m) => m.client_message_id === id);
  assert.deepEqual([mine.state, mine.seq, mine.message_id, mine.created_at, mine.sender_user_id],
    ['stored', 3, 'm3', at, 'alice'], 'stored, with its time: not "sending…"');
  assert.notEqual(messageNote(mine), 'sending…');
  // the event of another message stored before it comes first, then its own: each once, in seq order
  ws.receive(msg(2, 'm2', { content: 'support again', sender_user_id: 'sam' }));
  assert.deepEqual(c.messages.map((m) => m.content), ['hello from support', 'support again', 'my question']);
  ws.receive(msg(3, 'm3', { client_message_id: id, content: 'my question', sender_user_id: 'alice' }));
  assert.deepEqual(c.messages.map((m) => [m.seq, m.state]), [[1, 'stored'], [2, 'stored'], [3, 'stored']]);
  c.close();
});

/** A Web Storage stand-in (sessionStorage's getItem / setItem / removeItem). */
class MemoryStorage {
  constructor() {
    this.values = new Map();
  }

  getItem(key) {
    return this.values.has(key) ? this.values.get(key) : null;
  }

  setItem(key, value) {
    this.values.set(key, String(value));
  }

  removeItem(key) {
    this.values.delete(key);
  }
}

test('client: a message written offline survives a reload of the page and is sent once by the next one', () => {
  const storage = new MemoryStorage();
  const first = client({ storage });
  first.send('written before the reload');
  assert.equal(JSON.parse(storage.getItem('parley:unsent:t:s')).items[0].content, 'written before the reload');
  first.close(); // the page goes away before it could connect

  const next = client({ storage });
  assert.deepEqual(next.messages.map((m) => [m.state, m.content]), [['pending', 'written before the reload']],
    'shown as on its way at once, before any connection');
  next.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', user_id: 'alice', last_seq: 0 });
  assert.deepEqual(ws.sent.map((f) => [f.type, f.content]), [['message', 'written before the reload']]);
  const id = ws.sent[0].client_message_id;
  assert.equal(id, JSON.parse(storage.getItem('parley:unsent:t:s')).items[0].client_message_id,
    'the same client_message_id: stored once even if the first page had sent it');
  ws.receive({ type: 'message_ack', client_message_id: id, seq: 1 });
  assert.equal(storage.getItem('parley:unsent:t:s'), null, 'nothing kept once stored');
  next.close();
});

test('client: messages another user of the tab left on their way are dropped, not sent in this user\'s name', () => {
  const storage = new MemoryStorage();
  storage.setItem('parley:unsent:t:s',
    JSON.stringify({ user: 'sam', items: [{ client_message_id: 'c1', content: 'sam wrote' }] }));
  const c = client({ storage });
  c.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', user_id: 'kim', last_seq: 0 });
  assert.deepEqual(ws.sent.filter((f) => f.type === 'message'), []);
  assert.deepEqual(c.messages, []);
  assert.equal(storage.getItem('parley:unsent:t:s'), null);
  c.close();
});

test('client: storage: null keeps nothing; a storage that refuses or holds junk loses nothing in the page', () => {
  const none = client({ storage: null });
  none.send('only in this page');
  assert.equal(none.queue.size, 1);
  none.close();
  const refusing = {
    getItem: () => '{not json', setItem: () => { throw new Error('QuotaExceededError'); }, removeItem() {},
  };
  const c = client({ storage: refusing });
  assert.deepEqual(c.messages, [], 'junk kept by someone else is ignored');
  c.send('still queued');
  assert.equal(c.queue.size, 1);
  c.close();
  assert.equal(KeptMessages.of({ tenantId: 't' }, 's'), null, 'no sessionStorage here: nothing kept');
});

test('client: chat-api\'s subscription token rides along, so that any gateway admits the widget alone', () => {
  const c = client({ subscriptionToken: 'sub.tok' });
  c.connect();
  assert.equal(FakeSocket.all[0].url, 'ws://gw1.test/ws/t/session/s?last_seq=0&subscription_token=sub.tok');
  c.close();
});

test('client: after a drop it resumes on the next gateway with its last seq; 1012 goes at once', async () => {
  const c = client();
  c.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected' });
  FakeSocket.all[0].receive(msg(1, 'a'));
  FakeSocket.all[0].receive(msg(2, 'b'));
  FakeSocket.all[0].close(1012);
  await tick();
  assert.equal(FakeSocket.all.length, 2);
  assert.equal(FakeSocket.all[1].url, 'ws://gw2.test/ws/t/session/s?last_seq=2');
  FakeSocket.all[1].open();
  FakeSocket.all[1].receive({ type: 'connected' });
  FakeSocket.all[1].receive(msg(2, 'b'));
  FakeSocket.all[1].receive(msg(3, 'c'));
  assert.deepEqual(c.messages.map((m) => m.seq), [1, 2, 3], 'the replayed seq 2 shows once');
  c.close();
});

test('client: a socket that opens but never says connected is dropped and tried again, not waited on', async () => {
  const c = client({ connectTimeoutMs: 40 });
  const states = [];
  c.addEventListener('state', (e) => states.push(e.detail.state));
  c.connect();
  FakeSocket.all[0].open();
  await tick();
  await tick();
  assert.equal(FakeSocket.all[0].readyState, 3, 'the silent socket is closed');
  assert.equal(FakeSocket.all.length, 2, 'and a new one opened');
  assert.equal(FakeSocket.all[1].url, 'ws://gw2.test/ws/t/session/s?last_seq=0', 'on the next gateway');
  assert.ok(states.includes('reconnecting'));
  FakeSocket.all[1].open();
  FakeSocket.all[1].receive({ type: 'connected', last_seq: 0 });
  await tick();
  await tick();
  assert.equal(FakeSocket.all.length, 2, 'a greeted socket stays');
  assert.equal(c.state, 'open');
  c.close();
});

test('client: a refused token (4401) is not retried; the page has to supply a new one', async () => {
  const c = client();
  const states = [];
  c.addEventListener('state', (e) => states.push(e.detail.state));
  c.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected' });
  FakeSocket.all[0].close(4401);
  await tick();
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(states.at(-1), 'failed');
});

test('client: WebSocket fails twice though the gateway admits the token: falls back to SSE, sends over REST', async () => {
  const { sources, FakeSource } = fakeEventSources();
  const posts = [];
  const fetch = async (url, init) => {
    if (url.includes('/admission/')) {
      return { ok: true, status: 204 }; // the token is fine: something between blocks WebSocket
    }
    posts.push([url, JSON.parse(init.body)]);
    return { ok: true, status: 201 };
  };
  const c = client({ EventSource: FakeSource, fetch });
  c.connect();
  FakeSocket.all[0].close(1006);
  await tick();
  FakeSocket.all[1].close(1006);
  await tick();
  assert.equal(sources.length, 1);
  assert.match(sources[0].url, /^http:\/\/gw1\.test\/sse\/t\/session\/s\?last_seq=0&token=tok$/);
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected' }) });
  assert.equal(c.state, 'open');
  c.send('over rest');
  await tick();
  assert.equal(posts.length, 1);
  assert.equal(posts[0][0], 'http://api.test/api/tenants/t/sessions/s/messages');
  assert.equal(posts[0][1].content, 'over rest');
  assert.ok(posts[0][1].client_message_id);
  c.close();
});

test('client: over REST the messages go one at a time, in the order written', async () => {
  // posted together, chat-api stored a burst in whatever order its requests committed
  const { sources, FakeSource } = fakeEventSources();
  const posts = [];
  const answers = [];
  const fetch = (url, init) => {
    posts.push(JSON.parse(init.body).content);
    return new Promise((resolve) => answers.push(() => resolve({ ok: true, status: 201 })));
  };
  const c = client({ transport: 'sse', EventSource: FakeSource, fetch });
  c.send('first, offline'); // queued: sent once connected
  c.connect();
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected', last_seq: 0 }) });
  c.send('second');
  c.send('third');
  await tick();
  assert.deepEqual(posts, ['first, offline'], 'the next waits for the answer to the one before');
  answers[0]();
  await until(() => posts.length === 2, 200);
  assert.deepEqual(posts, ['first, offline', 'second']);
  answers[1]();
  await until(() => posts.length === 3, 200);
  answers[2]();
  await until(() => c.queue.size === 0, 200);
  assert.deepEqual(posts, ['first, offline', 'second', 'third']);
  c.close();
});

test('client: over REST a post refused for now reads "not sent yet", and its answer shows it stored before its event', async () => {
  const { sources, FakeSource } = fakeEventSources();
  let tries = 0;
  let refusal = null;
  const fetch = (url, init) => {
    tries += 1;
    const { client_message_id: id, content } = JSON.parse(init.body);
    return Promise.resolve(refusal ?? (tries === 1
      ? { ok: false, status: 503, headers: { get: (name) => (name === 'Retry-After' ? '1' : null) }, json: async () => ({}) }
      : { ok: true, status: 201, json: async () => ({ id: 'm2', seq: 2, created_at: '2026-12-07T16:00:00Z',
        sender_user_id: 'alice', client_message_id: id, content }) }));
  };
  const c = client({ transport: 'sse', EventSource: FakeSource, fetch });
  c.connect();
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected', user_id: 'alice', last_seq: 0 }) });
  const id = c.send('the database is away');
  await until(() => c.messages.find((m) => m.client_message_id === id)?.retrying, 500);
  assert.equal(messageNote(c.messages.find((m) => m.client_message_id === id)), 'not sent yet, trying again…');
  await until(() => c.messages.find((m) => m.client_message_id === id)?.state === 'stored', 3000);
  const mine = c.messages.find((m) => m.client_message_id === id);
  assert.deepEqual([mine.seq, mine.message_id, mine.sender_user_id], [2, 'm2', 'alice'], 'from the answer, no event yet');
  sources[0].onmessage({ data: JSON.stringify(msg(2, 'm2', { client_message_id: id, content: 'the database is away' })) });
  assert.deepEqual(c.messages.map((m) => [m.seq, m.state]), [[2, 'stored']], 'its event takes its place: once');
  // refused for good: the chat ended as it went (chat-api's problem type says so)
  refusal = { ok: false, status: 409, json: async () => ({ type: 'https://parley.chat/problems/session-not-open',
    detail: 'The session is closed; it accepts no more changes.' }) };
  const late = c.send('too late');
  await until(() => c.messages.find((m) => m.client_message_id === late)?.state === 'failed', 1000);
  assert.equal(messageNote(c.messages.find((m) => m.client_message_id === late)), 'not sent: the chat has ended');
  c.close();
});

test('client: a REST post chat-api never answers is given up after postTimeoutMs; the next goes, it goes again', async () => {
  const { sources, FakeSource } = fakeEventSources();
  const posts = [];
  const fetch = (url, init) => {
    const content = JSON.parse(init.body).content;
    posts.push(content);
    if (content === 'held' && posts.length === 1) { // the first try: held by a proxy until the client gives up
      return new Promise((resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    }
    return Promise.resolve({ ok: true, status: 201 });
  };
  const c = client({ transport: 'sse', EventSource: FakeSource, fetch, postTimeoutMs: 50 });
  c.connect();
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected', last_seq: 0 }) });
  c.send('held');
  c.send('next');
  await until(() => posts.length === 3, 2000);
  assert.deepEqual(posts, ['held', 'next', 'held'], 'the next did not wait for ever; the held one went again');
  await until(() => c.queue.size === 0, 500);
  c.close();
});

test('client: the widget\'s token is refreshed before it expires, on the open socket and on the SSE stream', async () => {
  // it was refreshed only after the gateway closed the connection for it (4401): a reconnect, and the
  // customer leaving and joining again for staff, once per token lifetime
  const expiringIn = (ms, n) => `h.${btoa(JSON.stringify({ sub: 'alice', n, exp: Math.floor((Date.now() + ms) / 1000) }))}.s`;
  let asked = 0;
  const c = client({ token: expiringIn(61500, 0), getToken: async () => expiringIn(3600000, ++asked) });
  c.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', last_seq: 0 });
  await until(() => ws.sent.some((f) => f.type === 'auth'), 160);
  assert.equal(asked, 1);
  assert.deepEqual(ws.sent.filter((f) => f.type === 'auth').map((f) => f.token), [c.token], 'the fresh token');
  assert.equal(FakeSocket.all.length, 1, 'no reconnect');
  assert.equal(c.state, 'open');
  c.close();

  // SSE cannot send a frame: the stream is opened again with the fresh token, from its last seq
  const { sources, FakeSource } = fakeEventSources();
  asked = 0;
  const s = client({ transport: 'sse', EventSource: FakeSource, token: expiringIn(61500, 0),
    getToken: async () => expiringIn(3600000, ++asked) });
  s.connect();
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected', last_seq: 0 }) });
  sources[0].onmessage({ data: JSON.stringify(msg(1, 'a')) });
  await until(() => sources.length === 2, 160);
  assert.ok(sources[0].closed, 'the old stream is closed');
  assert.ok(sources[1].url.includes(`last_seq=1&token=${encodeURIComponent(s.token)}`), sources[1].url);
  sources[1].onmessage({ data: JSON.stringify({ type: 'connected', last_seq: 1 }) });
  assert.equal(s.state, 'open');
  s.close();
});

test('client: what the gateway skipped (resync_required) is read from chat-api\'s history: every event once, in order', async () => {
  // a session with more events than the gateway replays: it sent resync_required and went on live,
  // and the widget showed only what came after, as if the chat had begun there
  const event = (seq, type, extra = {}) => ({ seq, type, session_id: 's', tenant_id: 't', ...extra });
  const history = [
    event(1, 'SessionCreated', { status: 'open' }),
    event(2, 'MessageCreated', { message_id: 'm2', content: 'two' }),
    event(3, 'SessionClaimed', { claimed_by: 'sam' }),
    event(4, 'MessageCreated', { message_id: 'm4', content: '' }), // deleted since: history has it blank
    event(5, 'MessageDeleted', { message_id: 'm4' }),
    event(6, 'MessageCreated', { message_id: 'm6', content: 'six' }),
  ];
  const asked = [];
  const fetch = async (url, init) => {
    asked.push([new URL(url).pathname + new URL(url).search, init.headers.Authorization]);
    await tick(); // the live stream goes on meanwhile
    const after = Number(new URL(url).searchParams.get('after_seq'));
    const page = history.filter((e) => e.seq > after).slice(0, 2);
    return { ok: true, status: 200, json: async () => ({ events: page, has_more: page.at(-1).seq < 6,
      next_after_seq: page.at(-1).seq, last_seq: 7 }) };
  };
  const c = client({ fetch });
  const renders = [];
  c.addEventListener('messages', () => renders.push(c.messages.length));
  const resyncs = [];
  c.addEventListener('resync', (e) => resyncs.push(e.detail));
  c.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', last_seq: 7, resume_from: 0 });
  ws.receive({ type: 'resync_required', last_seq: 6 });
  ws.receive(msg(7, 'm7', { content: 'seven' })); // live, while history is read
  ws.receive({ type: 'message_deleted', seq: 8, message_id: 'm2' }); // live deletion of a message history brings
  await until(() => c.lastSeq === 8, 100);
  assert.deepEqual(c.messages.map((m) => [m.seq, m.state, m.content]),
    [[2, 'deleted', ''], [4, 'deleted', ''], [6, 'stored', 'six'], [7, 'stored', 'seven']]);
  assert.deepEqual(asked, [['/api/tenants/t/sessions/s/events?after_seq=0&limit=500', 'Bearer tok'],
    ['/api/tenants/t/sessions/s/events?after_seq=2&limit=500', 'Bearer tok'],
    ['/api/tenants/t/sessions/s/events?after_seq=4&limit=500', 'Bearer tok']]);
  assert.equal(c.store.claimedBy, 'sam');
  assert.deepEqual(resyncs, [], 'nothing was given up');
  assert.ok(renders.length <= 6, `one render a page, not one an event: ${renders.length}`);
  c.close();

  // without a way to chat-api (no apiUrl), or when it does not answer, they are given up and the page is told
  const alone = client({ apiUrl: undefined });
  const told = [];
  alone.addEventListener('resync', (e) => told.push(e.detail.last_seq));
  alone.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected', last_seq: 7 });
  FakeSocket.all[0].receive({ type: 'resync_required', last_seq: 6 });
  FakeSocket.all[0].receive(msg(7, 'm7'));
  await until(() => told.length > 0);
  assert.deepEqual(told, [6]);
  assert.equal(alone.lastSeq, 7, 'it resumes after what it was given');
  alone.close();
});

test('client: a second resync_required while history is being read extends the read', async () => {
  const history = [1, 2, 3, 4, 5, 6].map((seq) => ({ seq, type: 'MessageCreated', session_id: 's', tenant_id: 't',
    message_id: `m${seq}`, content: `h${seq}` }));
  let reads = 0;
  const fetch = async (url) => {
    reads += 1;
    await tick();
    const after = Number(new URL(url).searchParams.get('after_seq'));
    const page = history.filter((e) => e.seq > after).slice(0, 2);
    return { ok: true, status: 200, json: async () => ({ events: page, has_more: page.at(-1).seq < 6,
      next_after_seq: page.at(-1).seq }) };
  };
  const c = client({ fetch });
  c.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', last_seq: 4 });
  ws.receive({ type: 'resync_required', last_seq: 4 });
  ws.receive({ type: 'resync_required', last_seq: 6 }); // the live stream fell behind again meanwhile
  ws.receive(msg(7, 'm7'));
  await until(() => c.lastSeq === 7, 100);
  assert.deepEqual(c.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(reads, 3);
  c.close();
});

test('client: a resync_required that arrives while the last page of history is on its way is read too', async () => {
  const history = [1, 2].map((seq) => ({ seq, type: 'MessageCreated', session_id: 's', tenant_id: 't',
    message_id: `m${seq}`, content: `h${seq}` }));
  let ws;
  const fetch = async (url) => {
    const after = Number(new URL(url).searchParams.get('after_seq'));
    const page = history.filter((e) => e.seq > after);
    const answer = { events: page, has_more: false, next_after_seq: page.length ? page.at(-1).seq : after };
    if (history.length === 2) { // meanwhile two more are written and the gateway skips them too
      [3, 4].forEach((seq) => history.push({ ...history[0], seq, message_id: `m${seq}`, content: `h${seq}` }));
      ws.receive({ type: 'resync_required', last_seq: 4 });
    }
    await tick();
    return { ok: true, status: 200, json: async () => answer };
  };
  const c = client({ fetch });
  c.connect();
  ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected', last_seq: 2 });
  ws.receive({ type: 'resync_required', last_seq: 2 });
  ws.receive(msg(5, 'm5'));
  await until(() => c.lastSeq === 5, 100);
  assert.deepEqual(c.messages.map((m) => m.seq), [1, 2, 3, 4, 5]);
  c.close();
});

test('client: a session whose last seq went back (its database restored) is shown as it is now, and goes on', async () => {
  // the page held seqs 1-4; the database was restored to seq 2 and the gateway says so on the
  // reconnect (resync_required, last_seq 2): the events after it no longer exist, and the new ones
  // reuse their seqs, which the page dropped as repeats; it showed the lost messages and never the new
  const c = client({ apiUrl: undefined });
  c.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected', last_seq: 0 });
  [1, 2, 3, 4].forEach((seq) => FakeSocket.all[0].receive(msg(seq, `old-${seq}`)));
  FakeSocket.all[0].close(1012);
  await until(() => FakeSocket.all.length > 1);
  const ws = FakeSocket.all[1];
  assert.ok(ws.url.includes('last_seq=4'));
  ws.open();
  ws.receive({ type: 'connected', last_seq: 2, resume_from: 4 });
  ws.receive({ type: 'resync_required', last_seq: 2 });
  ws.receive(msg(3, 'new-3', { content: 'written after the restore' }));
  await until(() => c.messages.length === 3);
  assert.deepEqual(c.messages.map((m) => [m.seq, m.message_id]), [[1, 'old-1'], [2, 'old-2'], [3, 'new-3']]);
  assert.equal(c.lastSeq, 3);
  c.close();
});

test('connection: a channel whose session went back (database restored) takes its events from there', async () => {
  const { conn, chat, ws } = await openChat();
  [1, 2, 3, 4].forEach((seq) => ws.receive({ ...msg(seq, `old-${seq}`), channel: 'session:s' }));
  ws.receive({ type: 'resync_required', channel: 'session:s', session_id: 's', last_seq: 2 });
  ws.receive({ ...msg(3, 'new-3'), channel: 'session:s' });
  await until(() => chat.messages.some((m) => m.message_id === 'new-3'));
  assert.deepEqual(chat.messages.map((m) => m.message_id), ['old-1', 'old-2', 'new-3']);
  assert.equal(chat.channel.lastSeq, 3, 'a resubscription asks from there');
  conn.close();
});

test('client: a post over REST refused for its token (401) goes again with a fresh one, not failed', async () => {
  // on the SSE fallback the widget sends over REST; a token that lapsed (its source was away when it
  // was due) failed the customer's message for good with "refused (401)"
  const { sources, FakeSource } = fakeEventSources();
  const posts = [];
  const fetch = async (url, init) => {
    posts.push(init.headers.Authorization);
    return posts.length === 1 ? { ok: false, status: 401, json: async () => ({ detail: 'expired' }) }
      : { ok: true, status: 201 };
  };
  const c = client({ transport: 'sse', EventSource: FakeSource, fetch, getToken: async () => 'fresh' });
  c.connect();
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected', last_seq: 0 }) });
  c.send('still there?');
  await until(() => posts.length === 2, 200);
  assert.deepEqual(posts, ['Bearer tok', 'Bearer fresh']);
  await tick();
  assert.equal(c.queue.size, 0, 'stored: out of the queue');
  assert.deepEqual(c.messages.filter((m) => m.state === 'failed'), []);
  c.close();
});

test('client: on the SSE fallback markRead() stores the read over REST (a frame cannot go)', async () => {
  const { sources, FakeSource } = fakeEventSources();
  const calls = [];
  const fetch = async (url, init) => {
    calls.push([init.method, url, JSON.parse(init.body), init.headers.Authorization]);
    return { ok: true, status: 200, json: async () => ({}) };
  };
  const c = client({ transport: 'sse', EventSource: FakeSource, fetch });
  c.connect();
  sources[0].onmessage({ data: JSON.stringify({ type: 'connected', last_seq: 0 }) });
  sources[0].onmessage({ data: JSON.stringify(msg(1, 'a')) });
  sources[0].onmessage({ data: JSON.stringify(msg(2, 'b')) });
  c.markRead();
  await until(() => calls.length === 1);
  assert.deepEqual(calls, [['PUT', 'http://api.test/api/tenants/t/sessions/s/read', { up_to_seq: 2 }, 'Bearer tok']]);
  c.close();
});

test('client: an upgrade refused for its token is not taken for a network failure: no SSE, a fresh token once', async () => {
  const probes = [];
  const fetch = async (url, init) => { probes.push(init.headers.Authorization); return { ok: false, status: 401 }; };
  const tokens = ['fresh'];
  const c = client({ EventSource: class { constructor() { throw new Error('no SSE for a bad token'); } }, fetch,
    getToken: async () => tokens.shift() ?? 'still bad' });
  const states = [];
  c.addEventListener('state', (e) => states.push(e.detail.state));
  c.connect();
  FakeSocket.all[0].close(1006);
  await tick();
  assert.equal(FakeSocket.all.length, 2, 'tried again at once with a fresh token');
  assert.deepEqual(FakeSocket.all[1].protocols[1], 'quarkus-http-upgrade#Authorization#Bearer%20fresh');
  FakeSocket.all[1].close(1006);
  await tick();
  assert.equal(FakeSocket.all.length, 2, 'a refused fresh token stops it');
  assert.equal(states.at(-1), 'failed');
  assert.equal(c.transport, 'ws', 'never sent to SSE for a bad token');
  assert.deepEqual(probes, ['Bearer tok', 'Bearer fresh']);
});

/** A ParleyConnection on fake sockets. */
function connection(extra = {}) {
  FakeSocket.all = [];
  return new ParleyConnection({ gateways: ['http://gw1.test', 'http://gw2.test'], tenantId: 't', token: 'tok',
    WebSocket: FakeSocket, random: () => 0, ...extra });
}

test('connection: a chat on the shared socket keeps its messages on their way across a reload too', async () => {
  const storage = new MemoryStorage();
  const first = new SessionChat(connection({ storage }), { sessionId: 'a' });
  first.send('reply before the reload');
  const conn = connection({ storage });
  const chat = new SessionChat(conn, { sessionId: 'a' });
  assert.deepEqual(chat.messages.map((m) => [m.state, m.content]), [['pending', 'reply before the reload']]);
  const ws = await connectedSocket(conn);
  ws.receive({ type: 'subscribed', channel: 'session:a', last_seq: 0 });
  const sent = framesOf(ws, 'message');
  assert.deepEqual(sent.map((f) => [f.channel, f.content]), [['session:a', 'reply before the reload']]);
  ws.receive({ type: 'message_ack', channel: 'session:a', client_message_id: sent[0].client_message_id });
  assert.equal(storage.getItem('parley:unsent:t:a'), null);
  conn.close();
});

test('connection: one socket, channels subscribed after connected and again from their last seq after a drop', async () => {
  const conn = connection();
  const a = new SessionChat(conn, { sessionId: 'a', subscriptionToken: 'sub-a' });
  const b = new SessionChat(conn, { sessionId: 'b' });
  const dashboard = conn.subscribe('dashboard');
  const seen = [];
  dashboard.addEventListener('event', (e) => seen.push(`${e.detail.session_id}#${e.detail.seq}`));
  await conn.connect();
  const ws = FakeSocket.all[0];
  assert.equal(ws.url, 'ws://gw1.test/ws/t');
  ws.open();
  ws.receive({ type: 'connected', connection_id: 'c1' });
  assert.deepEqual(ws.sent.map((f) => [f.type, f.channel, f.last_seq, f.token]), [
    ['subscribe', 'session:a', 0, 'sub-a'], ['subscribe', 'session:b', 0, undefined], ['subscribe', 'dashboard', 0, undefined]]);
  ws.receive({ type: 'subscribed', channel: 'session:a', last_seq: 2 });
  ws.receive({ type: 'subscribed', channel: 'session:b', last_seq: 0 });
  ws.receive({ ...msg(1, 'a1'), channel: 'session:a', session_id: 'a' });
  ws.receive({ ...msg(2, 'a2'), channel: 'session:a', session_id: 'a' });
  ws.receive({ ...msg(2, 'a2'), channel: 'dashboard', session_id: 'a' });
  ws.receive({ ...msg(2, 'a2'), channel: 'dashboard', session_id: 'a' });
  assert.deepEqual(a.messages.map((m) => m.seq), [1, 2]);
  assert.deepEqual(b.messages, []);
  assert.deepEqual(seen, ['a#2'], 'the dashboard drops a seq it already has');

  ws.close(1012);
  await tick();
  const again = FakeSocket.all[1];
  assert.equal(again.url, 'ws://gw2.test/ws/t');
  again.open();
  again.receive({ type: 'connected', connection_id: 'c2' });
  assert.deepEqual(again.sent.filter((f) => f.type === 'subscribe').map((f) => [f.channel, f.last_seq]),
    [['session:a', 2], ['session:b', 0], ['dashboard', 0]]);
  assert.deepEqual(again.sent.find((f) => f.channel === 'dashboard').sessions, { a: 2 },
    'the dashboard asks to be replayed from the last seq of each session it shows');
  again.receive({ ...msg(2, 'a2'), channel: 'session:a', session_id: 'a' });
  again.receive({ ...msg(3, 'a3'), channel: 'session:a', session_id: 'a' });
  assert.deepEqual(a.messages.map((m) => m.seq), [1, 2, 3], 'the replayed seq shows once');
  b.send('hello b');
  assert.equal(again.sent.filter((f) => f.type === 'message').length, 0, 'held until b is subscribed again');
  again.receive({ type: 'subscribed', channel: 'session:b', last_seq: 0 });
  assert.deepEqual([again.sent.at(-1).type, again.sent.at(-1).channel], ['message', 'session:b']);
  conn.close();
});

test('connection: a socket that opens but never says connected is dropped and tried again', async () => {
  const conn = connection({ connectTimeoutMs: 40 });
  const chat = new SessionChat(conn, { sessionId: 'a' });
  await conn.connect();
  FakeSocket.all[0].open();
  await tick();
  await tick();
  assert.equal(FakeSocket.all[0].readyState, 3, 'the silent socket is closed');
  assert.equal(FakeSocket.all.length, 2, 'and a new one opened');
  FakeSocket.all[1].open();
  FakeSocket.all[1].receive({ type: 'connected', connection_id: 'c2' });
  assert.deepEqual(FakeSocket.all[1].sent.map((f) => [f.type, f.channel]), [['subscribe', 'session:a']]);
  await tick();
  await tick();
  assert.equal(FakeSocket.all.length, 2, 'a greeted socket stays');
  assert.equal(chat.messages.length, 0);
  conn.close();
});

test('connection: replaced by another tab (4409) stops and says why; an expired token (4401) comes back with a fresh one', async () => {
  const conn = connection();
  const states = [];
  conn.addEventListener('state', (e) => states.push(e.detail));
  await conn.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected' });
  FakeSocket.all[0].close(4409);
  await tick();
  assert.equal(FakeSocket.all.length, 1, 'not retried');
  assert.equal(states.at(-1).state, 'failed');
  assert.equal(states.at(-1).reason, 'opened in another tab');

  const tokens = ['t2'];
  const refreshed = connection({ getToken: async () => tokens.shift() ?? 't3' });
  await refreshed.connect();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'connected' });
  FakeSocket.all[0].close(4401);
  await tick();
  assert.equal(FakeSocket.all.length, 2);
  assert.equal(FakeSocket.all[1].protocols[1], 'quarkus-http-upgrade#Authorization#Bearer%20t3');
  refreshed.close();
});

test('connection: a token that lives for weeks is refreshed before it expires, not at once and over and over', async () => {
  // setTimeout fires at once for a delay beyond 2^31 - 1 ms (24.8 days): a month-long token was
  // refreshed in a loop of auth frames until the gateway closed the connection for flooding (1008)
  const inAMonth = (n) => `h.${btoa(JSON.stringify({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 30 * 86400 + n }))}.s`;
  let asked = 0;
  const conn = connection({ token: inAMonth(0), getToken: async () => inAMonth(++asked) });
  try {
    await connectedSocket(conn);
    for (let i = 0; i < 4; i++) {
      await tick();
    }
    assert.equal(asked, 1, 'a fresh token to connect, and none again for weeks');
    assert.deepEqual(FakeSocket.all[0].sent.filter((f) => f.type === 'auth'), []);
  } finally {
    conn.close();
  }
});

test('connection: a token about to expire is refreshed on the open socket, without a reconnect', async () => {
  const expiringIn = (ms, n) => `h.${btoa(JSON.stringify({ sub: 'alice', n, exp: Math.floor((Date.now() + ms) / 1000) }))}.s`;
  let asked = 0;
  const first = expiringIn(61500, 0);
  const conn = connection({ token: first, getToken: async () => (asked++ === 0 ? first : expiringIn(3600000, asked)) });
  try {
    await connectedSocket(conn);
    await until(() => FakeSocket.all[0].sent.some((f) => f.type === 'auth'), 160);
    assert.deepEqual(FakeSocket.all[0].sent.filter((f) => f.type === 'auth').map((f) => f.token), [conn.token]);
    assert.notEqual(conn.token, first);
    assert.equal(FakeSocket.all.length, 1, 'no reconnect');
  } finally {
    conn.close();
  }
});

test('connection: a page whose clock is wrong refreshes its token by the token\'s lifetime, not in a loop or too late', async () => {
  // visitor tokens that live 15 minutes, issued by a server whose clock differs from the page's:
  // by the page's clock a token 20 minutes ahead of it had expired on arrival, and a fresh one was
  // asked for every second; one 20 minutes behind looked valid for 35 minutes
  for (const pageAheadBy of [20 * 60, -20 * 60]) {
    const issued = (n) => {
      const iat = Math.floor(Date.now() / 1000) - pageAheadBy;
      return `h.${btoa(JSON.stringify({ sub: 'alice', n, iat, exp: iat + 900 }))}.s`;
    };
    let asked = 0;
    const conn = connection({ token: issued(0), getToken: async () => issued(++asked) });
    try {
      await connectedSocket(conn);
      await until(() => asked > 1, 100);
      assert.equal(asked, 1, `a fresh token to connect and none again at once (page ${pageAheadBy} s off)`);
      assert.deepEqual(FakeSocket.all[0].sent.filter((f) => f.type === 'auth'), []);
      const inMs = tokenRefreshDelayMs(conn.token, 60000);
      assert.ok(inMs > 13 * 60000 && inMs <= 14 * 60000, `refreshed a minute before its 15 minutes: ${inMs} ms`);
    } finally {
      conn.close();
    }
  }
});

test('connection: many channels subscribe again within the gateway\'s rate; a refusal for the rate asks again', async () => {
  const conn = connection();
  const names = Array.from({ length: 12 }, (_, i) => `session:s${i}`);
  names.forEach((name) => conn.subscribe(name));
  await conn.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  const subscribes = () => ws.sent.filter((f) => f.type === 'subscribe').map((f) => f.channel);
  ws.receive({ type: 'connected', limits: { subscriptions: 100, inbound_rate: 50, inbound_burst: 10 } });
  assert.deepEqual(subscribes(), names.slice(0, 5), 'the burst less a margin for the page\'s own frames, at once');
  await until(() => subscribes().length >= names.length);
  assert.deepEqual(subscribes(), names, 'the others at the rate, in order');
  names.slice(0, 10).forEach((name) => ws.receive({ type: 'subscribed', channel: name, last_seq: 0 }));
  ws.receive({ type: 'error', code: 'rate_limited', message: 'Too many frames; slow down.' });
  await new Promise((r) => setTimeout(r, 1300));
  assert.deepEqual(subscribes().slice(names.length), names.slice(10), 'only the unanswered ones are asked again');
  conn.close();
});

test('connection: an error about a claim, a read or typing leaves the channel subscribed; its messages still go', async () => {
  const { conn, chat, ws } = await openChat();
  const errors = [];
  chat.addEventListener('error', (e) => errors.push(e.detail.code));
  chat.claim();
  ws.receive({ type: 'error', code: 'session_claimed', message: 'Another staff member holds this session.',
    channel: 'session:s', claimed_by: 'sue' });
  ws.receive({ type: 'error', code: 'invalid_read', message: 'up_to_seq must be …', channel: 'session:s' });
  assert.deepEqual(errors, ['session_claimed', 'invalid_read'], 'the page hears of both');
  assert.equal(chat.channel.state, 'subscribed', 'a lost claim is no refused subscription');
  chat.send('still here');
  assert.deepEqual([ws.sent.at(-1).type, ws.sent.at(-1).content], ['message', 'still here']);
  conn.close();
});

test('connection: a subscription the gateway could not check right now (unavailable) is asked again', async () => {
  const { conn, chat, ws } = await openChat({ subscribed: false });
  ws.receive({ type: 'error', code: 'unavailable', message: 'Access could not be checked right now; subscribe again shortly.',
    channel: 'session:s' });
  assert.notEqual(chat.channel.state, 'refused', 'a passing outage of chat-api is not a refusal');
  await until(() => framesOf(ws, 'subscribe').length >= 2);
  assert.equal(framesOf(ws, 'subscribe').length, 2, 'subscribed again after a backoff');
  ws.receive({ type: 'subscribed', channel: 'session:s', last_seq: 0 });
  assert.equal(chat.channel.state, 'subscribed');
  conn.close();
});

test('connection: an event of a type the page does not know (other_event) keeps its seq; the chat goes on', async () => {
  const { conn, chat, ws } = await openChat();
  ws.receive({ ...msg(1, 'm1'), channel: 'session:s' });
  ws.receive({ type: 'other_event', event_type: 'SessionTagged', seq: 2, session_id: 's', channel: 'session:s' });
  ws.receive({ ...msg(3, 'm3'), channel: 'session:s' });
  assert.deepEqual(chat.messages.map((m) => m.seq), [1, 3], 'shown: the messages');
  assert.equal(chat.store.resumeSeq, 3, 'a reconnect resumes after all three, not from the one it did not know');
  assert.equal(chat.channel.lastSeq, 3);
  conn.close();
});

test('connection: a live channel the gateway ended for now (history unavailable) is subscribed again from its last seq', async () => {
  // it stayed "subscribed" and heard nothing more until the page was reloaded
  const { conn, chat, ws } = await openChat();
  ws.receive({ ...msg(1, 'm1'), channel: 'session:s' });
  ws.receive({ type: 'error', code: 'unavailable', channel: 'session:s', resubscribe: true,
    message: 'The session\'s history is unavailable right now; subscribe again with your last_seq.' });
  assert.equal(chat.channel.state, 'pending', 'no longer subscribed, as the gateway said');
  chat.send('written meanwhile');
  await until(() => framesOf(ws, 'subscribe').length >= 2);
  const again = framesOf(ws, 'subscribe');
  assert.equal(again.length, 2, 'subscribed again');
  assert.equal(again[1].last_seq, 1, 'from what it had');
  assert.equal(framesOf(ws, 'message').length, 0, 'nothing sent into the void');
  ws.receive({ type: 'subscribed', channel: 'session:s', last_seq: 2 });
  ws.receive({ ...msg(2, 'm2'), channel: 'session:s' });
  assert.deepEqual(framesOf(ws, 'message').map((f) => f.content), ['written meanwhile']);
  assert.deepEqual(chat.messages.filter((m) => m.seq).map((m) => m.seq), [1, 2]);
  conn.close();
});

test('connection: an error about a frame for a channel not subscribed yet does not refuse its subscription', async () => {
  const { conn, chat, ws } = await openChat({ subscribed: false });
  ws.receive({ type: 'error', code: 'not_subscribed', channel: 'session:s',
    message: 'Name the channel (session:<id>) of a session this connection is subscribed to.' });
  assert.equal(chat.channel.state, 'pending', 'a claim or read that went early is no answer to the subscribe');
  ws.receive({ type: 'subscribed', channel: 'session:s', last_seq: 0 });
  assert.equal(chat.channel.state, 'subscribed');
  conn.close();
});

test('connection: a message that could not be stored right now is sent again with its id; a refusal fails it', async () => {
  const { conn, chat, ws } = await openChat();
  const sent = () => ws.sent.filter((f) => f.type === 'message');
  const id = chat.send('hello');
  ws.receive({ type: 'error', code: 'unavailable', client_message_id: id, channel: 'session:s',
    message: 'The message could not be stored right now; send it again with the same client_message_id.' });
  assert.equal(chat.messages.find((m) => m.client_message_id === id).state, 'pending', 'not failed: it will go again');
  assert.equal(messageNote(chat.messages.find((m) => m.client_message_id === id)), 'not sent yet, trying again…',
    'and it says so under the message');
  await until(() => sent().length >= 2);
  assert.deepEqual(sent().map((f) => f.client_message_id), [id, id], 'sent again, with the same id');
  ws.receive({ type: 'error', code: 'session_busy', client_message_id: id, channel: 'session:s', retry_after: 0 });
  await until(() => sent().length >= 3);
  assert.equal(sent().length, 3, 'chat-api\'s session_busy says to retry too');
  ws.receive({ type: 'message_ack', client_message_id: id, message_id: 'm1', seq: 1, channel: 'session:s' });
  assert.equal(chat.queue.size, 0);
  const bad = chat.send('x'.repeat(10));
  ws.receive({ type: 'error', code: 'session_not_open', client_message_id: bad, channel: 'session:s',
    message: 'The session is resolved; it accepts no more changes.' });
  assert.equal(chat.messages.find((m) => m.client_message_id === bad).state, 'failed', 'a refusal is final');
  // the chat ended as it went: said in the page's words, not chat-api's
  assert.equal(messageNote(chat.messages.find((m) => m.client_message_id === bad)), 'not sent: the chat has ended');
  assert.equal(messageNote(chat.messages.find((m) => m.client_message_id === bad), { words: TEXTS.de }),
    'nicht gesendet: der Chat ist beendet');
  await tick();
  assert.equal(sent().filter((f) => f.client_message_id === bad).length, 1, 'and not sent again');
  conn.close();
});

test('connection: a dashboard that saw many sessions resubscribes in one frame the gateway takes, the latest first', async () => {
  const conn = connection();
  const dashboard = conn.subscribe('dashboard');
  await conn.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  const limits = { subscriptions: 100, inbound_rate: 10, inbound_burst: 120, max_frame_bytes: 16384 };
  ws.receive({ type: 'connected', limits });
  ws.receive({ type: 'subscribed', channel: 'dashboard' });
  const ids = Array.from({ length: 600 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  ids.forEach((id) => ws.receive({ ...msg(1, 'hi'), channel: 'dashboard', session_id: id }));
  ws.receive({ ...msg(2, 'again'), channel: 'dashboard', session_id: ids[0] }); // the oldest is active again
  ws.close(1012);
  await tick();
  const again = FakeSocket.all[1];
  again.open();
  again.receive({ type: 'connected', limits });
  const frame = again.sent.find((f) => f.type === 'subscribe' && f.channel === 'dashboard');
  assert.ok(JSON.stringify(frame).length <= limits.max_frame_bytes, `${JSON.stringify(frame).length} bytes`);
  const named = Object.keys(frame.sessions);
  assert.ok(named.length >= 300, `${named.length} sessions named`);
  assert.equal(frame.sessions[ids[0]], 2, 'the session active last is named, from its last seq');
  assert.ok(named.includes(ids[599]) && !named.includes(ids[1]), 'the latest sessions, not the first seen');
  conn.close();
});

test('connection: a dashboard told to resync a session names it from there next time, not from where it was', async () => {
  // the dashboard's resync_required is about one session: it moved the channel's seq instead, and
  // every reconnect named the session from its old seq, and was told to resync again
  const conn = connection();
  const dashboard = conn.subscribe('dashboard');
  const told = [];
  dashboard.addEventListener('resync', (e) => told.push([e.detail.session_id, e.detail.last_seq]));
  const ws = await connectedSocket(conn);
  ws.receive({ type: 'subscribed', channel: 'dashboard' });
  ws.receive({ ...msg(3, 'hi'), channel: 'dashboard', session_id: 'a' });
  ws.receive({ type: 'resync_required', channel: 'dashboard', session_id: 'a', last_seq: 9000 });
  ws.close(1012); // before the session's next event
  await tick();
  FakeSocket.all[1].open();
  FakeSocket.all[1].receive({ type: 'connected' });
  const frame = FakeSocket.all[1].sent.find((f) => f.type === 'subscribe' && f.channel === 'dashboard');
  assert.deepEqual(frame.sessions, { a: 9000 });
  assert.deepEqual(told, [['a', 9000]], 'the page is told, to reload that chat');
  conn.close();
});

test('connection: a refused subscription is the channel\'s error; the others go on', async () => {
  const conn = connection();
  const mine = new SessionChat(conn, { sessionId: 'mine' });
  const theirs = conn.subscribe('session:theirs');
  const errors = [];
  theirs.addEventListener('error', (e) => errors.push(e.detail.code));
  await conn.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.receive({ type: 'connected' });
  ws.receive({ type: 'error', code: 'not_found', channel: 'session:theirs' });
  ws.receive({ type: 'subscribed', channel: 'session:mine' });
  ws.receive({ ...msg(1, 'm1'), channel: 'session:mine' });
  assert.deepEqual(errors, ['not_found']);
  assert.equal(theirs.state, 'refused');
  assert.deepEqual(mine.messages.map((m) => m.seq), [1]);
  conn.close();
});

test('links in a message: http(s) URLs only, without the punctuation after them; the rest stays text', () => {
  const link = (text, href = text) => ({ text, href });
  assert.deepEqual(linkParts('no link here'), [{ text: 'no link here' }]);
  assert.deepEqual(linkParts(''), [{ text: '' }]);
  assert.deepEqual(linkParts('Track it: https://track.example.com/p?id=1&x=2.'),
    [{ text: 'Track it: ' }, link('https://track.example.com/p?id=1&x=2'), { text: '.' }]);
  assert.deepEqual(linkParts('(see https://en.wikipedia.org/wiki/Foo_(bar)), then'),
    [{ text: '(see ' }, link('https://en.wikipedia.org/wiki/Foo_(bar)'), { text: '), then' }]);
  assert.deepEqual(linkParts('http://a.example, http://b.example!'),
    [link('http://a.example', 'http://a.example/'), { text: ', ' }, link('http://b.example', 'http://b.example/'),
      { text: '!' }]);
  // the text shown is what was written; href is the URL as a browser reads it
  assert.deepEqual(linkParts('HTTPS://Shop.Example/Ä'), [link('HTTPS://Shop.Example/Ä', 'https://shop.example/%C3%84')]);
  // a quote or an angle bracket ends a link: nothing after it gets into the link
  assert.deepEqual(linkParts('https://a.example/"onmouseover=alert(1)'),
    [link('https://a.example/'), { text: '"onmouseover=alert(1)' }]);
  assert.deepEqual(linkParts('<https://a.example/x>'), [{ text: '<' }, link('https://a.example/x'), { text: '>' }]);
  // not links: other schemes, a scheme inside a word, a scheme without a host, a bare www
  for (const text of ['javascript:alert(1)', 'JavaScript://a.example/%0aalert(1)', 'data:text/html,<b>x</b>',
    'xhttps://a.example', 'http:// a.example', 'www.example.com', 'ftp://a.example/f']) {
    assert.deepEqual(linkParts(text), [{ text }], text);
  }
  assert.deepEqual(linkParts(null), [{ text: '' }]);
});

test('the widget\'s words: every language has every word, with the same {parts}; chosen by tag, page, browser', () => {
  const parts = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [lang, words] of Object.entries(TEXTS)) {
    assert.deepEqual(Object.keys(words).sort(), Object.keys(TEXTS.en).sort(), lang);
    for (const [key, text] of Object.entries(words)) {
      assert.ok(text.trim(), `${lang}.${key} is empty`);
      assert.deepEqual(parts(text), parts(TEXTS.en[key]), `${lang}.${key}`);
    }
  }
  const page = (lang) => ({ documentElement: { lang } });
  const english = { language: 'en-US' };
  assert.equal(widgetTexts({ lang: 'de-AT' }, page('fr'), english).words.send, 'Senden', 'the tag first');
  assert.equal(widgetTexts({}, page('fr-CA'), english).words.send, 'Envoyer', 'then the page');
  assert.equal(widgetTexts({}, page(''), { language: 'es-MX' }).words.send, 'Enviar', 'then the browser');
  assert.equal(widgetTexts({}, page('pt-BR'), english).words.send, 'Send', 'English for a language not built in');
  assert.equal(widgetTexts({}, page('pt-BR'), english).lang, 'pt-BR', 'times still in the page\'s format');
  const own = widgetTexts({ lang: 'pt', texts: '{"send": "Enviar", "title": "Fale conosco", "seen": 7}' }, null, english);
  assert.equal(own.words.send, 'Enviar');
  assert.equal(own.words.title, 'Fale conosco');
  assert.equal(own.words.seen, 'seen', 'only text replaces a word');
  assert.equal(widgetTexts({ lang: 'de', title: 'Hilfe', texts: '{"title": "x"}' }).words.title, 'Hilfe', 'data-title wins');
  const errors = mock.method(console, 'error', () => {});
  assert.equal(widgetTexts({ lang: 'de', texts: '{not json' }).words.send, 'Senden', 'a broken data-texts is ignored');
  assert.equal(errors.mock.callCount(), 1, 'and said on the console');
  errors.mock.restore();
  // the panel's direction is that of its words, not of the site
  assert.equal(widgetTexts({}, page('he'), english).dir, 'ltr', 'English words on a Hebrew page run left to right');
  assert.equal(widgetTexts({ texts: '{"send": "שליחה"}' }, page('he-IL'), english).dir, 'rtl', 'the site\'s Hebrew words');
  assert.equal(widgetTexts({ lang: 'ar', texts: '{"send": "إرسال"}' }, page('en'), english).dir, 'rtl');
  assert.equal(widgetTexts({ texts: '{"send": "Envoyer"}' }, page('fr'), english).dir, 'ltr');
  assert.equal(widgetTexts({ dir: 'rtl' }, page('he'), english).dir, 'rtl', 'data-dir decides');
  assert.equal(widgetTexts({ dir: 'sideways' }, page('de'), english).dir, 'ltr', 'only ltr or rtl');
  const note = messageNote({ state: 'stored', created_at: '2026-12-06T09:05:00Z' },
    { seen: true, now: new Date('2026-12-06T10:00:00Z'), locale: 'de', words: TEXTS.de });
  assert.match(note, /^\d{2}:\d{2} · gelesen$/);
  assert.equal(messageNote({ state: 'failed', reason: 'limit' }, { words: TEXTS.fr }), 'non envoyé : limit');
});

test('a deleted message loses the name it was signed with, live or read from history after the deletion', () => {
  const store = new MessageStore();
  store.apply(msg(1, 'a', { sender_name: 'Alice Doe' }));
  store.apply(msg(2, 'b', { sender_name: 'Sam Smith' }));
  store.apply({ type: 'message_deleted', seq: 3, message_id: 'a' });
  store.apply(msg(4, 'c', { sender_name: 'Bob' }));
  store.apply({ type: 'message_deleted', seq: 5, message_id: 'c' });
  const later = new MessageStore(); // the deletion seen first, the message then read from history
  later.apply({ type: 'message_deleted', seq: 2, message_id: 'x' });
  later.apply(msg(1, 'x', { sender_name: 'Carol' }));
  const names = (s) => s.messages.map((m) => [m.message_id, m.sender_name, m.state]);
  assert.deepEqual(names(store), [['a', undefined, 'deleted'], ['b', 'Sam Smith', 'stored'], ['c', undefined, 'deleted']]);
  assert.deepEqual(names(later), [['x', undefined, 'deleted']]);
});

/** An operator's tab for IdleAway: a connected ParleyConnection, its page and a clock the test moves. */
async function operatorTab(storage, clock, { user = 'sam', afterMs = 60000 } = {}) {
  const conn = new ParleyConnection({ gateways: ['http://gw1.test'], tenantId: 't', token: 'tok',
    WebSocket: FakeSocket, random: () => 0 });
  const before = FakeSocket.all.length;
  await conn.connect();
  const ws = FakeSocket.all[before];
  ws.open();
  ws.receive({ type: 'connected', user_id: user });
  const page = new EventTarget();
  const windowEvents = new EventTarget();
  let check = null;
  const timers = { setInterval: (f) => { check = f; return 1; }, clearInterval: () => {} };
  const idle = new IdleAway(conn, { afterMs, storage, target: page, storageEvents: windowEvents, timers,
    now: () => clock.now }).start();
  const states = [];
  idle.addEventListener('idle', (e) => states.push(e.detail.idle));
  return { conn, ws, page, windowEvents, idle, states, check: () => check(),
    statuses: () => framesOf(ws, 'status').map((f) => f.status) };
}

/** A tab's storage write as another tab of the same origin hears it (the window's storage event). */
function storageEvent(key, oldValue, newValue) {
  return Object.assign(new Event('storage'), { key, oldValue, newValue });
}

test('idle: an operator who leaves the dashboard alone is set away, and comes back at the first key', async () => {
  FakeSocket.all = [];
  const clock = { now: 1000 };
  const tab = await operatorTab(new MemoryStorage(), clock);
  clock.now += 59000;
  tab.check();
  assert.deepEqual(tab.statuses(), [], 'not before the minute is up');
  clock.now += 1000;
  tab.check();
  assert.deepEqual(tab.statuses(), ['away']);
  clock.now += 5000;
  tab.page.dispatchEvent(new Event('keydown'));
  assert.deepEqual(tab.statuses(), ['away', 'available']);
  assert.deepEqual(tab.states, [true, false]);
  clock.now += 30000;
  tab.page.dispatchEvent(new Event('pointermove'));
  clock.now += 59000;
  tab.check();
  assert.deepEqual(tab.statuses(), ['away', 'available'], 'the idle time starts again with each activity');
  tab.conn.setStatus('busy');
  clock.now += 60000;
  tab.check();
  tab.page.dispatchEvent(new Event('wheel'));
  assert.deepEqual(tab.statuses(), ['away', 'available', 'busy', 'away', 'busy'], 'back to what they chose');
  tab.idle.stop();
  tab.conn.close();
});

test('idle: an operator who chose away stays away; a hidden tab is not activity', async () => {
  FakeSocket.all = [];
  const clock = { now: 1000 };
  const tab = await operatorTab(new MemoryStorage(), clock);
  tab.ws.receive({ type: 'operator_status', channel: 'operators', user_id: 'sam', status: 'away' }); // chosen before a reload
  clock.now += 120000;
  tab.check();
  tab.page.dispatchEvent(new Event('keydown'));
  assert.deepEqual(tab.statuses(), [], 'nothing to come back from');
  assert.deepEqual(tab.states, []);
  tab.page.hidden = true;
  tab.ws.receive({ type: 'operator_status', channel: 'operators', user_id: 'sam', status: 'available' });
  clock.now += 120000;
  tab.page.dispatchEvent(new Event('visibilitychange')); // the tab went to the background
  tab.check();
  assert.deepEqual(tab.statuses(), ['away']);
  tab.idle.stop();
  tab.conn.close();
});

test('idle: activity in one tab keeps the others; any tab brings the operator back, and a reconnect says so', async () => {
  FakeSocket.all = [];
  const storage = new MemoryStorage();
  const clock = { now: 1000 };
  const a = await operatorTab(storage, clock);
  const b = await operatorTab(storage, clock);
  const other = await operatorTab(storage, clock, { user: 'ann' }); // another operator in the same browser
  clock.now += 40000;
  b.page.dispatchEvent(new Event('keydown'));
  clock.now += 30000;
  a.check();
  other.check();
  assert.deepEqual(a.statuses(), [], 'sam works in tab b');
  assert.deepEqual(other.statuses(), ['away'], 'ann does not');
  clock.now += 60000;
  a.check();
  b.check();
  assert.deepEqual([a.statuses(), b.statuses()], [['away'], []], 'one tab says it');
  assert.deepEqual([a.states, b.states], [[true], [true]]);
  const key = 't:sam';
  const from = storage.getItem(`parley:idle:${key}:from`);
  clock.now += 1000;
  b.page.dispatchEvent(new Event('pointerdown'));
  a.windowEvents.dispatchEvent(storageEvent(`parley:idle:${key}:from`, from, null));
  assert.deepEqual([a.statuses(), b.statuses()], [['away'], ['available']]);
  assert.deepEqual(a.states, [true, false]);
  a.ws.close(1012); // tab a reconnects: it must not say away again
  await until(() => FakeSocket.all.length === 4);
  const again = FakeSocket.all[3];
  again.open();
  again.receive({ type: 'connected', user_id: 'sam' });
  assert.deepEqual(framesOf(again, 'status').map((f) => f.status), ['available']);
  for (const tab of [a, b, other]) {
    tab.idle.stop();
    tab.conn.close();
  }
});

test('idle: a page closed while its operator was away by idleness: the next page brings them back', async () => {
  FakeSocket.all = [];
  const storage = new MemoryStorage();
  const clock = { now: 1000 };
  const first = await operatorTab(storage, clock);
  clock.now += 60000;
  first.check();
  first.idle.stop();
  first.conn.close();
  const next = await operatorTab(storage, clock);
  next.ws.receive({ type: 'operator_status', channel: 'operators', user_id: 'sam', status: 'away' }); // the gateways remember
  clock.now += 2000;
  next.page.dispatchEvent(new Event('keydown'));
  assert.deepEqual(next.statuses(), ['available']);
  next.idle.stop();
  next.conn.close();
});

test('idle: a page that may not store (localStorage throws) still sets its operator away and back', async () => {
  FakeSocket.all = [];
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
  Object.defineProperty(globalThis, 'localStorage', { configurable: true, get() { throw new Error('SecurityError'); } });
  try {
    const conn = connection();
    const ws = await connectedSocket(conn);
    ws.receive({ type: 'connected', user_id: 'sam' });
    const page = new EventTarget();
    let check = null;
    let now = 0;
    const idle = new IdleAway(conn, { afterMs: 1000, target: page, storageEvents: null, now: () => now,
      timers: { setInterval: (f) => { check = f; return 1; }, clearInterval: () => {} } }).start();
    now = 1000;
    check();
    page.dispatchEvent(new Event('keydown'));
    assert.deepEqual(framesOf(ws, 'status').map((f) => f.status), ['away', 'available']);
    idle.stop();
    conn.close();
  } finally {
    if (descriptor) {
      Object.defineProperty(globalThis, 'localStorage', descriptor);
    } else {
      delete globalThis.localStorage;
    }
  }
});
