// Parley browser client, protocol v1 (docs/client.md). An ES module without dependencies.
//
// One connection per tab, any number of channels on it:
//   import { ParleyConnection, SessionChat } from '/client/v1/parley-client.js';
//   const connection = new ParleyConnection({ gateways: ['https://chat.example.com'], tenantId,
//                                             getToken: async () => fetchTokenFromYourBackend() });
//   const chat = new SessionChat(connection, { sessionId, subscriptionToken });
//   chat.addEventListener('messages', () => render(chat.messages));
//   connection.connect();
//   chat.send('Hello');
//
// Or one session with an SSE fallback (the customer widget):
//   const chat = new SessionClient({ gateways, apiUrl, tenantId, sessionId, token });

export const VERSION = '1.0.0';

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt, { baseMs = 1000, maxMs = 30000 } = {}, random = Math.random) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** A fetch signal that gives up on a request after ms (none where the browser has no AbortSignal.timeout). */
export function answerWithin(ms) {
  return typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(ms)
    : undefined;
}

/** Random UUID (crypto.randomUUID where it exists). */
export function newId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === 'function') {
    return globalThis.crypto.randomUUID();
  }
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

/**
 * Messages written while offline, in order, bounded: when full, a new message is refused
 * (the caller shows it as failed) rather than silently dropping an older one.
 */
export class SendQueue {
  /** @param onChange called with the messages after each change (KeptMessages saves them) */
  constructor(limit = 100, onChange = () => {}) {
    this.limit = limit;
    this.items = [];
    this.onChange = onChange;
  }

  /** Adds a message; false when the queue is full. */
  push(item) {
    if (this.items.length >= this.limit) {
      return false;
    }
    this.items.push(item);
    this.onChange(this.items);
    return true;
  }

  /** Removes a message (it was acknowledged or failed for good). */
  remove(clientMessageId) {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.client_message_id !== clientMessageId);
    if (this.items.length !== before) {
      this.onChange(this.items);
    }
  }

  get size() {
    return this.items.length;
  }

  /** Every queued message, oldest first; they stay queued until acknowledged. */
  all() {
    return [...this.items];
  }
}

/**
 * The messages on their way, kept in the tab's storage (sessionStorage unless the page passes
 * another, or null for none) so that a reload or the next page of the site sends them instead of
 * losing them: a message written offline is not gone when the page is. Keyed by tenant and session,
 * with the user who wrote them; sending one again is harmless (its client_message_id stores it once).
 */
export class KeptMessages {
  constructor(storage, key) {
    this.storage = storage;
    this.key = key;
    this.user = null;
  }

  /** Where the options say to keep a session's messages, or null (no storage, or none reachable). */
  static of(options, sessionId) {
    let storage = options.storage;
    if (storage === undefined) {
      try {
        storage = globalThis.sessionStorage ?? null; // reading it throws where the page may not store
      } catch (e) {
        storage = null;
      }
    }
    return storage && sessionId ? new KeptMessages(storage, `parley:unsent:${options.tenantId}:${sessionId}`) : null;
  }

  /** The messages kept by an earlier page ({user, items}), or none. */
  load() {
    try {
      const kept = JSON.parse(this.storage.getItem(this.key) || 'null');
      if (kept && Array.isArray(kept.items)) {
        this.user = kept.user ?? null;
        return kept.items.filter((i) => typeof i?.client_message_id === 'string' && typeof i.content === 'string');
      }
    } catch (e) {
      // unreadable: nothing kept
    }
    return [];
  }

  save(items) {
    try {
      if (items.length === 0) {
        this.storage.removeItem(this.key);
      } else {
        this.storage.setItem(this.key, JSON.stringify({ user: this.user,
          items: items.map((i) => ({ client_message_id: i.client_message_id, content: i.content })) }));
      }
    } catch (e) {
      // storage full or refused: the messages stay queued in this page
    }
  }
}

/**
 * The conversation as the user sees it: stored messages in seq order, each once (by seq and by
 * message_id), plus the user's own pending messages keyed by client_message_id until the stored
 * message replaces them.
 */
export class MessageStore {
  constructor() {
    this.bySeq = new Map(); // seq -> event frame
    this.messageIds = new Set();
    this.deletedIds = new Set();
    this.pending = new Map(); // client_message_id -> {client_message_id, content, state}
    this.cursor = 0; // every seq up to here is in hand (or was skipped by a resync)
    this.status = null;
  }

  /** A session event frame; returns true when it changed what the user sees. */
  apply(frame) {
    const seq = Number(frame.seq);
    if (!Number.isInteger(seq) || seq <= 0 || seq <= this.cursor || this.bySeq.has(seq)) {
      return false;
    }
    if (frame.type === 'message_created' && this.messageIds.has(frame.message_id)) {
      return false;
    }
    this.bySeq.set(seq, frame);
    while (this.bySeq.has(this.cursor + 1)) {
      this.cursor += 1;
    }
    if (frame.type === 'message_created') {
      this.messageIds.add(frame.message_id);
      if (this.deletedIds.has(frame.message_id)) { // history read after the live deletion
        frame.deleted = true;
        frame.content = '';
        delete frame.sender_name;
      }
      if (frame.client_message_id) {
        this.pending.delete(frame.client_message_id);
      }
    } else if (frame.type === 'message_deleted') {
      this.deletedIds.add(frame.message_id);
      for (const event of this.bySeq.values()) {
        if (event.type === 'message_created' && event.message_id === frame.message_id) {
          event.deleted = true; // gone as history has it: the words and the name they were signed with
          event.content = '';
          delete event.sender_name;
        }
      }
    } else if (frame.type === 'session_status') {
      this.status = frame.status;
    } else if (frame.type === 'session_claimed') {
      this.claimedBy = frame.claimed_by ?? null;
    } else if (frame.type === 'session_rated') {
      this.rating = frame.rating; // the customer's, once the chat ended: good or bad
    } else if (frame.type === 'session_created' && !this.status) {
      this.status = frame.status || 'open';
    }
    return true;
  }

  /** What a resume asks to continue after: the highest seq with nothing missing below it. */
  get resumeSeq() {
    return this.cursor;
  }

  /**
   * After resync_required the stream continues after seq: what lies between is read from history
   * (Conversation.backfill) or, when that cannot be, given up here (the page reloads it).
   */
  skipTo(seq) {
    this.cursor = Math.max(this.cursor, seq);
    while (this.bySeq.has(this.cursor + 1)) {
      this.cursor += 1;
    }
  }

  /**
   * The session's last seq is behind what this store holds (its database was restored to an
   * earlier point): the events after seq no longer exist, and new ones will reuse their seqs.
   */
  rewindTo(seq) {
    for (const [held, event] of this.bySeq) {
      if (held > seq) {
        this.bySeq.delete(held);
        this.messageIds.delete(event.message_id);
      }
    }
    this.cursor = Math.min(this.cursor, seq);
  }

  addPending(clientMessageId, content) {
    this.pending.set(clientMessageId, { client_message_id: clientMessageId, content, state: 'pending' });
  }

  /** A pending message that could not be stored right now and goes again by itself; true when news. */
  retryPending(clientMessageId) {
    const p = this.pending.get(clientMessageId);
    if (!p || p.retrying) {
      return false;
    }
    p.retrying = true;
    return true;
  }

  /**
   * chat-api stored a pending message (its ack, or the answer to its post): it shows as stored, with
   * its time, where it stands (after every stored message: its event comes after theirs) until its
   * event, which may be held up on its way (the broker slow or away), takes its place.
   */
  storedPending(clientMessageId, { message_id: messageId, seq, created_at: createdAt, sender_user_id: sender }) {
    const p = this.pending.get(clientMessageId);
    if (!p || p.state === 'stored' || !messageId || this.messageIds.has(messageId)) {
      return false;
    }
    Object.assign(p, { state: 'stored', message_id: messageId, seq: Number(seq), created_at: createdAt,
      sender_user_id: sender, retrying: false });
    return true;
  }

  failPending(clientMessageId, reason, code = null) {
    const p = this.pending.get(clientMessageId);
    if (p) {
      p.state = 'failed';
      p.reason = reason;
      p.code = code; // the refusal's code (session_not_open, …): a page says it in its own words
    }
  }

  /** Stored messages in seq order, then pending ones (and stored ones whose event is on its way) as written. */
  get messages() {
    const stored = [...this.bySeq.values()]
      .filter((e) => e.type === 'message_created')
      .sort((a, b) => a.seq - b.seq)
      .map((e) => ({ ...e, state: e.deleted ? 'deleted' : 'stored' }));
    return [...stored, ...this.pending.values()];
  }
}

/** How long the others show a typist whose last word was "typing" (a stop can get lost with its connection). */
export const TYPIST_FORGOTTEN_MS = 10000;

/**
 * Start typing at once, stop after idleMs without keystrokes; a stop is sent once. While the typing
 * goes on, "typing" is said again every refreshMs, well within TYPIST_FORGOTTEN_MS: a long reply
 * takes longer than that (until 2026-12-06 the others stopped showing it after 10 s).
 */
export class TypingDebounce {
  constructor(send, idleMs = 3000, timers = globalThis, refreshMs = TYPIST_FORGOTTEN_MS / 2) {
    this.send = send;
    this.idleMs = idleMs;
    this.timers = timers;
    this.refreshMs = refreshMs;
    this.typing = false;
    this.saidAt = 0;
    this.timer = null;
  }

  keystroke() {
    const now = Date.now();
    if (!this.typing || now - this.saidAt >= this.refreshMs) {
      this.typing = true;
      this.saidAt = now;
      this.send(true);
    }
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.stop(), this.idleMs);
  }

  stop() {
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.typing) {
      this.typing = false;
      this.send(false);
    }
  }
}

const RECONNECT_NOW = new Set([1012]); // the instance is going away: go elsewhere at once
const DO_NOT_RETRY = new Set([1008, 4401, 4403, 4409]); // refused: a fresh token or a change is needed
const TOKEN_EXPIRED = 4401;
/** Why the connection stopped for good, as the page can say it. */
const FINAL_REASONS = {
  1008: 'refused by policy',
  4401: 'the sign-in expired',
  4403: 'not allowed',
  4409: 'opened in another tab',
};

/** The longest delay setTimeout keeps (2^31 - 1 ms, 24.8 days): beyond it, it fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The token's claims, or null; read only to refresh it in time (the gateway verifies it). */
function tokenClaims(token) {
  try {
    const part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part));
    return claims && typeof claims === 'object' ? claims : null;
  } catch (e) {
    return null;
  }
}

/** The token's expiry (seconds since the epoch), or null. */
export function tokenExpiry(token) {
  const claims = tokenClaims(token);
  return claims && Number.isFinite(claims.exp) ? claims.exp : null;
}

/**
 * In how many ms a token just handed over is to be refreshed: refreshBeforeMs before it expires,
 * by the page's clock; or null for a token without expiry. A page's clock may be minutes or hours
 * off the issuer's: when it says that the token was issued in the future, or that it is already due,
 * the token's own lifetime (exp - iat) counts from now instead, so a page whose clock is ahead does
 * not ask for a fresh token every second and one whose clock is behind does not wait past expiry.
 */
export function tokenRefreshDelayMs(token, refreshBeforeMs, now = Date.now()) {
  const claims = tokenClaims(token);
  if (!claims || !Number.isFinite(claims.exp)) {
    return null;
  }
  let validMs = claims.exp * 1000 - now;
  if (Number.isFinite(claims.iat) && claims.exp > claims.iat
      && (claims.iat * 1000 > now + 60000 || validMs - refreshBeforeMs < 1000)) {
    validMs = (claims.exp - claims.iat) * 1000;
  }
  return Math.max(1000, validMs - refreshBeforeMs);
}

/**
 * Asks the gateway what its WebSocket upgrade would answer (a browser never sees why one was
 * refused): 'ok', 'token' (401: get a fresh token), 'forbidden' (403: stop), or 'unreachable'.
 */
export async function probeAdmission(gateway, tenantId, token, fetchImpl = globalThis.fetch?.bind(globalThis)) {
  if (!fetchImpl) {
    return 'unreachable';
  }
  try {
    const response = await fetchImpl(httpUrl(gateway, `/admission/${encodeURIComponent(tenantId)}`),
      { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (response.status === 204 || response.ok) {
      return 'ok';
    }
    if (response.status === 401) {
      return 'token';
    }
    if (response.status === 403) {
      return 'forbidden';
    }
    return 'unreachable';
  } catch (e) {
    return 'unreachable';
  }
}

/** The socket's frame type of each event type of chat-api's history (as on Kafka). */
const FRAME_TYPES = {
  SessionCreated: 'session_created', MessageCreated: 'message_created', MessageDeleted: 'message_deleted',
  SessionStatusChanged: 'session_status', SessionClaimed: 'session_claimed', SessionReleased: 'session_claimed',
  SessionRated: 'session_rated',
};

/** An event of chat-api's history as the gateway would have framed it; null for a type it does not frame. */
export function historyFrame(event) {
  const type = FRAME_TYPES[event?.type];
  if (!type) {
    return null;
  }
  const frame = { ...event, type, channel: `session:${event.session_id}` };
  if (event.type === 'SessionReleased') {
    frame.claimed_by = null;
  }
  return frame;
}

/**
 * A call to chat-api about one session ({apiUrl, tenantId, sessionId}) with the caller's current
 * token (options.token(), a function) and the page's fetch, if it gave one.
 */
function sessionCall({ apiUrl, tenantId, sessionId, token, fetch: fetchImpl }, method, path, body, signal) {
  const call = fetchImpl || globalThis.fetch.bind(globalThis);
  const session = `${apiUrl}/api/tenants/${encodeURIComponent(tenantId)}/sessions/${encodeURIComponent(sessionId)}`;
  return call(`${session}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** A GET on the session at chat-api with the caller's current token: its JSON. Null without chat-api's URL. */
function sessionGetter(options) {
  if (!options.apiUrl) {
    return null;
  }
  return async (path) => {
    const response = await sessionCall(options, 'GET', path);
    if (!response.ok) {
      throw new Error(`${path} answered ${response.status}`);
    }
    return response.json();
  };
}

/**
 * Reads a session's history from chat-api (GET …/events after a seq, a page at a time): what a
 * client reads when the gateway skipped events (resync_required).
 */
function historyReader(options) {
  const get = sessionGetter(options);
  return get && ((afterSeq) => get(`/events?after_seq=${afterSeq}&limit=500`));
}

/**
 * Reads how far each participant has read the session (GET …/reads), so that a page opening later
 * shows what the others had seen before it opened.
 */
function readsReader(options) {
  const get = sessionGetter(options);
  return get && (async () => (await get('/reads')).reads || []);
}

/** A message refused for one of these was not stored now and may be later: sent again, same id. */
const RETRY_LATER = new Set(['unavailable', 'service_unavailable', 'session_busy', 'too_many_writes']);

/**
 * The small line under a message: when it was written (the time, and the day too when not today, in
 * the format of locale, the browser's by default), then "seen" when the others read it (seen: the
 * page's say); or that it is on its way, or why it was not sent; in words (NOTE_WORDS by default).
 */
export function messageNote(message, { seen = false, now = new Date(), locale = undefined, words = NOTE_WORDS } = {}) {
  if (message.state === 'pending') {
    // refused for now (the database did not answer, a limit): it goes again by itself
    return message.retrying ? words.notSentYet || words.sending : words.sending;
  }
  if (message.state === 'failed') {
    if (message.code === 'session_not_open' && words.notSentEnded) {
      return words.notSentEnded; // the chat ended as it went: in the page's words, not chat-api's
    }
    return words.notSent.replace('{reason}', message.reason || 'error');
  }
  const at = message.created_at ? new Date(message.created_at) : null;
  let when = '';
  if (at && !Number.isNaN(at.getTime())) {
    when = at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (at.toDateString() !== now.toDateString()) {
      when = `${at.toLocaleDateString(locale, { day: 'numeric', month: 'short' })}, ${when}`;
    }
  }
  return [when, seen ? words.seen : ''].filter(Boolean).join(' · ');
}

/** The words of messageNote, in English; a page in another language passes its own (locale: its time format). */
export const NOTE_WORDS = Object.freeze({
  sending: 'sending…', notSentYet: 'not sent yet, trying again…', notSent: 'not sent: {reason}',
  notSentEnded: 'not sent: the chat has ended', seen: 'seen',
});

/** Closing brackets a link keeps at its end only when it opened them (a Wikipedia URL), by their opener. */
const LINK_CLOSERS = { ')': '(', ']': '[', '}': '{' };

/**
 * A message's text as pieces for a page to show: [{text}] with [{text, href}] for every http(s) URL
 * in it, so that a page makes those links and everything else stays text (no markup is read from a
 * message). A link ends before whitespace, <, >, " and `; punctuation that closes a sentence after
 * it (". , ; : ! ? '" and brackets it did not open) stays text. href is the URL as the browser
 * parses it; text is what was written. Nothing else is a link: no other scheme, no "www." alone.
 */
export function linkParts(content) {
  const text = String(content ?? '');
  const parts = [];
  let shown = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"`]+/gi)) {
    if (match.index > 0 && /[\p{L}\p{N}_]/u.test(text[match.index - 1])) {
      continue; // inside a word ("xhttps://…"): not a link
    }
    let url = match[0];
    for (;;) {
      const last = url[url.length - 1];
      const opener = LINK_CLOSERS[last];
      if (".,;:!?'".includes(last)
        || (opener && url.split(opener).length - 1 < url.split(last).length - 1)) {
        url = url.slice(0, -1);
      } else {
        break;
      }
    }
    let href;
    try {
      href = new URL(url);
    } catch (e) {
      continue;
    }
    if (!href.hostname || !/^https?:$/.test(href.protocol)) {
      continue;
    }
    if (match.index > shown) {
      parts.push({ text: text.slice(shown, match.index) });
    }
    parts.push({ text: url, href: href.href });
    shown = match.index + url.length;
  }
  if (shown < text.length || parts.length === 0) {
    parts.push({ text: text.slice(shown) });
  }
  return parts;
}

/** A message's identity on a page: its client_message_id while pending and after, else its id. */
export function messageKey(message) {
  return message.client_message_id ? `c:${message.client_message_id}` : `m:${message.message_id}`;
}

/** list element → what it shows: item key → its node and the look it was drawn with. */
const drawnLists = new WeakMap();

/**
 * Brings a list element (a live region of messages) up to date in place, for pages: an item keeps
 * its <li> while it is shown, a new one is added, one whose look changed is drawn again, the rest
 * leave. Rebuilding the list instead made a screen reader read all of it again at every message.
 * @param items [{key, look (a string that changes when the item must be drawn again), draw(li)}], in order
 */
export function patchList(list, items) {
  const before = drawnLists.get(list) || new Map();
  const now = new Map();
  let at = list.firstChild;
  for (const { key, look, draw } of items) {
    const known = before.get(key);
    const li = known?.li || list.ownerDocument.createElement('li');
    if (known?.look !== look) {
      draw(li);
    }
    now.set(key, { li, look });
    if (li === at) {
      at = at.nextSibling;
    } else {
      list.insertBefore(li, at);
    }
  }
  while (at) {
    const next = at.nextSibling;
    at.remove();
    at = next;
  }
  drawnLists.set(list, now);
}

/**
 * What a conversation view holds, whatever carries it: the stored messages (MessageStore), the
 * user's messages on their way (SendQueue), who is typing and who is present. Its owner (a
 * SessionClient or a SessionChat) hands it frames and gets events back through emit.
 */
export class Conversation {
  constructor(emit, sendTyping, { queueLimit = 100, typingIdleMs = 3000, random = Math.random, kept = null } = {}) {
    this.emit = emit;
    this.random = random;
    this.resend = null; // the owner's flushOne: sends a queued message again
    this.history = null; // the owner's reader of chat-api's history, when it can reach chat-api
    this.readsOf = null; // the owner's reader of how far each participant read, when it can reach chat-api
    this.me = null; // the user id of the page's own user, once the gateway said it (connected)
    this.readsLoaded = false; // chat-api answered how far the others read (asked once a page)
    this.backfilling = false;
    this.store = new MessageStore();
    this.kept = kept;
    this.queue = new SendQueue(queueLimit, kept ? (items) => kept.save(items) : undefined);
    this.restored = new Set(); // client_message_ids of messages an earlier page of this tab kept
    for (const item of kept ? kept.load() : []) {
      if (this.queue.push(item)) {
        this.store.addPending(item.client_message_id, item.content);
        this.restored.add(item.client_message_id);
      }
    }
    this.presence = [];
    this.reads = new Map(); // user_id -> {role, upTo}: how far each other participant read (read_receipt)
    this.typingUsers = new Map();
    this.typingDebounce = new TypingDebounce(sendTyping, typingIdleMs);
    this.names = new Map(); // user_id -> the name presence gave them last
  }

  /**
   * The gateway said who this page's user is: messages an earlier page kept for another user of the
   * tab are dropped, never sent in this one's name; the rest are kept under this user from now on.
   */
  knowMe(userId) {
    this.me = userId;
    if (this.kept && this.kept.user !== userId) {
      if (this.kept.user !== null) {
        for (const id of this.restored) {
          this.store.pending.delete(id);
          this.queue.remove(id);
        }
        this.emit('messages');
      }
      this.kept.user = userId;
      this.kept.save(this.queue.all());
    }
    this.restored.clear();
  }

  /**
   * What a participant is called: the name their token gave while they were in the chat (kept after
   * they leave, so "Sam from support joined" does not turn into "sam" when Sam reloads), else their
   * user id.
   */
  nameOf(userId) {
    return this.names.get(userId) || userId;
  }

  /** A message the user wrote: pending at once, queued until acknowledged; the item to send, or null. */
  compose(content) {
    const text = String(content ?? '').trim();
    if (!text) {
      return null;
    }
    const item = { client_message_id: newId(), content: text };
    this.store.addPending(item.client_message_id, text);
    if (!this.queue.push(item)) {
      this.store.failPending(item.client_message_id, 'offline queue full');
      this.emit('messages');
      return { item, queued: false };
    }
    this.typingDebounce.stop();
    this.emit('messages');
    return { item, queued: true };
  }

  /**
   * The highest seq that another participant matching {@code who} ({role, upTo}) has read, from
   * their read receipts since this page opened: what a page marks "seen".
   */
  readUpTo(who = () => true) {
    let upTo = 0;
    for (const read of this.reads.values()) {
      if (who(read)) {
        upTo = Math.max(upTo, read.upTo);
      }
    }
    return upTo;
  }

  /** An event frame (with seq); true when it changed what the user sees ('messages' unless quiet). */
  onEvent(frame, { quiet = false } = {}) {
    if (!this.store.apply(frame)) {
      return false;
    }
    if (frame.type === 'message_created') {
      this.typingUsers.delete(frame.sender_user_id);
      this.emit('typing', { users: this.typists() });
    }
    if (frame.type === 'session_status' || frame.type === 'session_created') {
      this.emit('status', { status: this.store.status });
    }
    if (frame.type === 'session_claimed') {
      // an operator joined (claimed_by) or left (null) the chat; previous held it before
      this.emit('claim', { claimedBy: frame.claimed_by ?? null, previous: frame.previous ?? null, seq: frame.seq });
    }
    if (frame.type === 'session_rated') {
      this.emit('rating', { rating: frame.rating, by: frame.by, seq: frame.seq });
    }
    if (!quiet) {
      this.emit('messages');
    }
    return true;
  }

  /**
   * The gateway skipped the events up to frame.last_seq (the client was further behind than it
   * replays) and goes on after it: they are read from chat-api's history, a page at a time and in
   * order, so the page still shows every event once. Without a way to chat-api, or when it fails,
   * they are given up and 'resync' tells the page.
   */
  async backfill(frame) {
    const upTo = Number(frame.last_seq) || 0;
    if (upTo < this.store.resumeSeq) { // the session went back (restored): what came after is gone
      this.store.rewindTo(upTo);
      this.emit('messages');
      this.emit('resync', frame);
      return;
    }
    this.backfillTo = Math.max(this.backfillTo || 0, upTo);
    if (this.backfilling) {
      return; // the one under way reads them too
    }
    this.backfilling = true;
    try {
      if (!this.history) {
        throw new Error('no way to chat-api\'s history');
      }
      let after = this.store.resumeSeq;
      while (after < this.backfillTo) {
        const page = await this.history(after);
        for (const event of page.events || []) {
          const historic = historyFrame(event);
          if (historic) {
            this.onEvent(historic, { quiet: true });
          }
        }
        this.emit('messages');
        const next = Number(page.next_after_seq);
        if (!(next > after)) {
          break; // history has nothing after it
        }
        after = next; // and on while a later resync_required asks for more than this page reached
      }
      this.store.skipTo(this.backfillTo); // anything history no longer has
    } catch (e) {
      this.store.skipTo(this.backfillTo);
      this.emit('messages');
      this.emit('resync', { ...frame, last_seq: this.backfillTo });
    } finally {
      this.backfilling = false;
    }
  }

  /** Frames outside the sequence: acks, presence, read receipts, typing, support's status, resyncs, errors. */
  onSignal(frame) {
    switch (frame.type) {
      case 'message_ack':
        this.queue.remove(frame.client_message_id);
        if (this.store.storedPending(frame.client_message_id, { ...frame, sender_user_id: this.me })) {
          this.emit('messages');
        }
        break;
      case 'presence':
        this.presence = frame.participants || [];
        for (const p of this.presence) {
          if (p.name) {
            this.names.set(p.user_id, p.name);
          }
        }
        this.emit('presence', { participants: this.presence });
        this.forgetTypistsWhoLeft();
        break;
      case 'read_receipt':
        if (this.noteRead(frame.user_id, frame.role, frame.up_to_seq)) {
          this.emit('read', frame);
        }
        break;
      case 'typing_indicator':
        this.onTyping(frame);
        break;
      case 'resync_required':
        this.backfill(frame);
        break;
      case 'support_status': // a customer's: whether the tenant's support is available, busy or away
        this.support = frame.status;
        this.emit('support', { status: frame.status });
        break;
      case 'error':
        if (frame.client_message_id) {
          const item = this.queue.all().find((i) => i.client_message_id === frame.client_message_id);
          if (item && RETRY_LATER.has(frame.code)) {
            this.retryLater(item, frame.retry_after);
          } else {
            this.queue.remove(frame.client_message_id);
            this.store.failPending(frame.client_message_id, frame.message, frame.code);
            this.emit('messages');
          }
        }
        this.emit('error', frame);
        break;
      default:
        break;
    }
  }

  /**
   * A queued message that could not be stored right now stays pending and goes again with the
   * same client_message_id (chat-api stores it once): after retry_after seconds when the refusal
   * gives them, else after a jittered backoff that grows with each attempt.
   */
  retryLater(item, retryAfterSeconds, { refused = true } = {}) {
    if (refused && this.store.retryPending(item.client_message_id)) {
      this.emit('messages'); // "not sent yet": the note under it says so until it is stored
    }
    const given = retryAfterSeconds == null ? NaN : Number(retryAfterSeconds);
    const delay = Number.isFinite(given) ? given * 1000 : backoffDelay(item.attempts || 0, {}, this.random);
    item.attempts = (item.attempts || 0) + 1;
    clearTimeout(item.retryTimer);
    item.retryTimer = setTimeout(() => {
      if (this.resend && this.queue.all().includes(item)) {
        this.resend(item);
      }
    }, delay);
  }

  onTyping(frame) {
    clearTimeout(this.typingUsers.get(frame.user_id)?.timer);
    if (frame.is_typing) {
      // a stop can get lost with its connection: forget a typist after a while anyway
      const timer = setTimeout(() => {
        this.typingUsers.delete(frame.user_id);
        this.emit('typing', { users: this.typists() });
      }, TYPIST_FORGOTTEN_MS);
      this.typingUsers.set(frame.user_id, { user_id: frame.user_id, role: frame.role, timer });
    } else {
      this.typingUsers.delete(frame.user_id);
    }
    this.emit('typing', { users: this.typists() });
  }

  /** How far someone else read: it only moves forward. Whether it moved. */
  noteRead(userId, role, upToSeq) {
    if (userId === this.me) {
      return false; // the user's own read (another tab of theirs) is not the others' having seen it
    }
    const known = this.reads.get(userId);
    const upTo = Math.max(known?.upTo || 0, Number(upToSeq) || 0);
    this.reads.set(userId, { role: role || known?.role || null, upTo });
    return upTo !== (known?.upTo || 0);
  }

  /**
   * What the participants had read before this page opened, from chat-api: read receipts only say
   * what is read from now on. Once a page (until it got an answer): a reconnect does not ask, so
   * the clients of a restarting gateway do not all call chat-api at once. Emits 'read' when it
   * showed something new.
   */
  async loadReads() {
    if (!this.readsOf || this.readsLoaded) {
      return;
    }
    try {
      let moved = false;
      const reads = await this.readsOf();
      this.readsLoaded = true;
      for (const read of reads) {
        moved = this.noteRead(read.user_id, read.role, read.last_read_seq) || moved;
      }
      if (moved) {
        this.emit('read', {});
      }
    } catch (e) {
      // chat-api away: the receipts from now on still come
    }
  }

  /** A typist who left the chat (closed the tab mid-sentence) is not typing any more. */
  forgetTypistsWhoLeft() {
    const present = new Set(this.presence.map((p) => p.user_id));
    const gone = [...this.typingUsers.keys()].filter((userId) => !present.has(userId));
    for (const userId of gone) {
      clearTimeout(this.typingUsers.get(userId).timer);
      this.typingUsers.delete(userId);
    }
    if (gone.length > 0) {
      this.emit('typing', { users: this.typists() });
    }
  }

  typists() {
    return [...this.typingUsers.values()].map(({ user_id, role }) => ({ user_id, role }));
  }
}

function wsUrl(base, path) {
  const url = new URL(path, base.replace(/^http/, 'ws'));
  return url.toString();
}

function httpUrl(base, path) {
  return new URL(path, base.replace(/^ws/, 'http')).toString();
}

/** The subprotocols that carry the token in the WebSocket handshake (never in the URL, which proxies log). */
function bearerProtocols(token) {
  return ['bearer-token-carrier', `quarkus-http-upgrade#Authorization#Bearer%20${token}`];
}

/**
 * What both clients share: the gateway list they rotate through, the backoff between attempts,
 * and the 'state' event.
 */
class GatewayConnection extends EventTarget {
  constructor(options, defaults) {
    super();
    this.options = {
      baseMs: 1000, maxMs: 30000, heartbeatMs: 25000, restartJitterMs: 1000, connectTimeoutMs: 10000,
      refreshBeforeMs: 60000, ...defaults, ...options,
    };
    if (!this.options.gateways || this.options.gateways.length === 0) {
      throw new Error('gateways: at least one gateway URL');
    }
    this.token = this.options.token;
    this.state = 'idle';
    this.attempt = 0;
    this.gatewayIndex = 0;
  }

  get gateway() {
    return this.options.gateways[this.gatewayIndex % this.options.gateways.length];
  }

  /**
   * Tries again on the next gateway: soon (within restartJitterMs, so that the thousands of clients
   * of a draining instance do not all arrive in the same millisecond), or after a jittered backoff.
   */
  retryAfter(immediately, reopen) {
    this.gatewayIndex += 1; // the next gateway: this one failed or is going away
    const random = this.options.random || Math.random;
    const delay = immediately ? Math.floor(random() * this.options.restartJitterMs)
      : backoffDelay(this.attempt, this.options, random);
    this.attempt += 1;
    this.setState('reconnecting', { delayMs: delay });
    this.retryTimer = setTimeout(reopen, delay);
  }

  setState(state, detail = {}) {
    this.state = state;
    this.emit('state', { state, ...detail });
  }

  /**
   * Makes a new socket the current one: its frames count while it is current, and its close is
   * told apart by whether it ever opened (a refused or unreachable upgrade, or a drop). A socket
   * that opened but says nothing (the gateway's first frame is `connected`) for connectTimeoutMs
   * is dropped and counts as a drop: the client tries again, never waits for ever.
   */
  attach(socket, onFrame, onClose) {
    this.socket = socket;
    let opened = false;
    let greeting = null;
    socket.onopen = () => {
      opened = true;
      greeting = setTimeout(() => {
        if (this.socket !== socket) {
          return;
        }
        this.socket = null;
        socket.close(4000, 'no connected frame');
        onClose({ code: 1006, reason: 'no connected frame' }, true);
      }, this.options.connectTimeoutMs);
    };
    socket.onmessage = (event) => {
      clearTimeout(greeting);
      if (this.socket === socket) {
        onFrame(event.data);
      }
    };
    socket.onclose = (event) => {
      clearTimeout(greeting);
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      this.stopHeartbeat();
      onClose(event, opened);
    };
  }

  /** What a close code asks for: stop and say why (1008, 4401, 4403, 4409), or come back. */
  retryOrStop(code, reason) {
    if (DO_NOT_RETRY.has(code)) {
      this.setState('failed', { code, reason: FINAL_REASONS[code] || reason });
      return;
    }
    this.scheduleRetry(RECONNECT_NOW.has(code));
  }

  /** Opens again on the next gateway (open() is the subclass's), unless the page closed it. */
  scheduleRetry(immediately) {
    if (!this.closedByUser) {
      this.retryAfter(immediately, () => this.open());
    }
  }

  /**
   * A JSON ping every heartbeatMs; nothing heard for deadAfterMs (not even a pong) means the
   * connection is dead even if the browser does not know: it is dropped and onDead runs.
   */
  beat(ping, onDead) {
    this.stopHeartbeat();
    this.lastHeard = Date.now();
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > this.options.deadAfterMs) {
        const socket = this.socket;
        this.socket = null;
        socket?.close(4000, 'dead connection');
        this.stopHeartbeat();
        onDead();
        return;
      }
      ping();
    }, this.options.heartbeatMs);
  }

  stopHeartbeat() {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /**
   * A fresh token from getToken() refreshBeforeMs before this one expires, handed to the open
   * connection (deliverToken, the subclass's): it is never closed for its token.
   */
  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    const inMs = tokenRefreshDelayMs(this.token, this.options.refreshBeforeMs);
    if (!this.options.getToken || inMs === null) {
      return;
    }
    if (inMs > MAX_TIMER_MS) { // setTimeout would fire at once: look again later instead
      this.refreshTimer = setTimeout(() => this.scheduleRefresh(), MAX_TIMER_MS);
      return;
    }
    this.refreshTimer = setTimeout(async () => {
      try {
        this.deliverToken(await this.options.getToken());
        this.scheduleRefresh();
      } catch (e) {
        // the connection is closed with 4401 at expiry and reopened with a token then
      }
    }, inMs);
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * One session over WebSocket (or SSE when WebSocket cannot connect): reconnects with backoff to
 * the next gateway, resumes after the last seq it has, queues sends while offline, and keeps the
 * conversation in a MessageStore. Events (EventTarget): 'state', 'messages', 'typing',
 * 'presence', 'read', 'status', 'rating' ({rating, by}: the customer rated the ended chat), 'support' (a
 * customer's: {status} of the tenant's support), 'error', 'resync'.
 */
export class SessionClient extends GatewayConnection {
  constructor(options) {
    super(options, {
      transport: 'auto', // 'auto' | 'ws' | 'sse'
      queueLimit: 100,
      deadAfterMs: 60000,
      typingIdleMs: 3000,
      wsFailuresBeforeSse: 2,
      postTimeoutMs: 15000, // a post over REST chat-api has not answered by then goes again later
    });
    this.conversation = new Conversation((type, detail) => this.emit(type, detail),
      (isTyping) => this.frame({ type: 'typing', is_typing: isTyping }),
      { ...this.options, kept: KeptMessages.of(this.options, this.options.sessionId) });
    this.conversation.resend = (item) => this.flushOne(item);
    this.conversation.history = historyReader({ ...this.options, token: () => this.token });
    this.conversation.readsOf = readsReader({ ...this.options, token: () => this.token });
    this.wsFailuresBeforeOpen = 0;
    this.transport = this.options.transport === 'sse' ? 'sse' : 'ws';
  }

  get lastSeq() {
    return this.store.resumeSeq;
  }

  /** chat-api's subscription token for the session, when the page has it: admission without chat-api. */
  subscriptionQuery() {
    const token = this.options.subscriptionToken;
    return token ? `&subscription_token=${encodeURIComponent(token)}` : '';
  }

  connect() {
    this.closedByUser = false;
    if (!this.onlineListener && globalThis.addEventListener) {
      // back online: try at once instead of waiting out the backoff
      this.onlineListener = () => {
        if (this.state === 'reconnecting') {
          this.open();
        }
      };
      globalThis.addEventListener('online', this.onlineListener);
    }
    this.open();
  }

  /** Closes for good (no reconnect). */
  close() {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    if (this.onlineListener) {
      globalThis.removeEventListener('online', this.onlineListener);
      this.onlineListener = null;
    }
    this.stopHeartbeat();
    this.conversation.typingDebounce.stop();
    if (this.socket) {
      this.socket.close(1000, 'bye');
    }
    if (this.source) {
      this.source.close();
    }
    this.setState('closed');
  }

  /** A fresh token: used for the next connection and sent on the open one. */
  setToken(token) {
    this.token = token;
    this.frame({ type: 'auth', token });
  }

  /** getToken()'s fresh token before expiry: an auth frame; SSE cannot send one, so its stream opens again. */
  deliverToken(token) {
    this.setToken(token);
    if (this.transport === 'sse' && this.source && this.state === 'open') {
      const old = this.source;
      this.source = null;
      old.close();
      this.openSse(); // from the last seq it has: nothing missed, nothing twice
    }
  }

  /** Call on every keystroke in the composer: typing starts at once, stops after silence. */
  typing() {
    if (this.state === 'open' && this.transport === 'ws') {
      this.conversation.typingDebounce.keystroke();
    }
  }

  /** The reader has seen up to seq: a read frame, or over REST on the SSE fallback (which sends no frames). */
  markRead(seq = this.store.resumeSeq) {
    if (this.transport === 'sse') {
      this.putRead(seq);
    } else {
      this.frame({ type: 'read', up_to_seq: seq });
    }
  }

  async putRead(seq) {
    try {
      await this.rest('PUT', '/read', { up_to_seq: seq });
    } catch (e) {
      // offline: the next read says as much
    }
  }

  /** A call to chat-api about this session, with the current token (the SSE fallback's way to send). */
  rest(method, path, body, signal) {
    return sessionCall({ ...this.options, token: () => this.token }, method, path, body, signal);
  }

  // ------------------------------------------------------------------ connection

  open() {
    clearTimeout(this.retryTimer);
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    if (this.transport === 'sse') {
      this.openSse();
    } else {
      this.openWs();
    }
  }

  openWs() {
    const { tenantId, sessionId } = this.options;
    const url = wsUrl(this.gateway, `/ws/${encodeURIComponent(tenantId)}/session/${encodeURIComponent(sessionId)}`
      + `?last_seq=${this.lastSeq}${this.subscriptionQuery()}`);
    if (this.socket) {
      const old = this.socket; // an attempt still under way: this one replaces it
      this.socket = null;
      old.close();
    }
    let socket;
    try {
      const WS = this.options.WebSocket || globalThis.WebSocket;
      socket = new WS(url, bearerProtocols(this.token));
    } catch (e) {
      this.onWsFailure();
      return;
    }
    this.attach(socket, (data) => this.onFrame(data), (event, opened) => {
      if (opened) {
        this.wsFailuresBeforeOpen = 0;
        this.onClosed(event.code, event.reason);
      } else {
        this.onWsFailure();
      }
    });
  }

  async onWsFailure() {
    // a browser does not see why an upgrade was refused: ask, so that a refused token is never
    // taken for a proxy that blocks WebSocket (and never sends the page to SSE for good)
    const verdict = await probeAdmission(this.gateway, this.options.tenantId, this.token, this.options.fetch);
    if (this.closedByUser) {
      return;
    }
    if (verdict === 'token' && this.options.getToken && !this.tokenRefreshed) {
      this.tokenRefreshed = true;
      try {
        this.token = await this.options.getToken();
      } catch (e) {
        // keep the old one; the next attempt will tell
      }
      this.scheduleRetry(true);
      return;
    }
    if (verdict === 'token' || verdict === 'forbidden') {
      this.setState('failed', { code: verdict === 'token' ? 4401 : 4403,
        reason: verdict === 'token' ? 'the token was refused' : 'not allowed' });
      return;
    }
    // offline, every connection fails: that says nothing about WebSocket
    const online = globalThis.navigator?.onLine ?? true;
    this.wsFailuresBeforeOpen += online && verdict === 'ok' ? 1 : 0;
    if (this.options.transport === 'auto' && this.wsFailuresBeforeOpen >= this.options.wsFailuresBeforeSse) {
      // the gateway admits this token but WebSocket does not get through (a proxy): receive over
      // SSE, send over REST
      this.transport = 'sse';
      this.emit('transport', { transport: 'sse' });
    }
    this.scheduleRetry(false);
  }

  openSse() {
    const { tenantId, sessionId } = this.options;
    const ES = this.options.EventSource || globalThis.EventSource;
    // EventSource cannot set headers: the token goes in the query (the gateway never logs it)
    const url = httpUrl(this.gateway, `/sse/${encodeURIComponent(tenantId)}/session/${encodeURIComponent(sessionId)}`
      + `?last_seq=${this.lastSeq}&token=${encodeURIComponent(this.token)}${this.subscriptionQuery()}`);
    const source = new ES(url);
    this.source = source;
    source.onmessage = (event) => this.onFrame(event.data);
    source.addEventListener('close', (event) => {
      let code = 1012;
      try {
        code = JSON.parse(event.data).code;
      } catch (e) {
        // keep 1012
      }
      source.close();
      if (this.source === source) {
        this.source = null;
        this.onClosed(code, 'closed by the gateway');
      }
    });
    source.onerror = () => {
      // EventSource retries by itself without Last-Event-ID control over gateways: do it here
      source.close();
      if (this.source === source) {
        this.source = null;
        this.onClosed(1006, 'stream lost');
      }
    };
  }

  onClosed(code, reason) {
    if (this.closedByUser) {
      return;
    }
    if (code === TOKEN_EXPIRED && this.options.getToken) {
      Promise.resolve().then(() => this.options.getToken()).then((token) => {
        this.token = token;
        this.scheduleRetry(true);
      }, () => this.scheduleRetry(false));
      return;
    }
    this.retryOrStop(code, reason);
  }

  onConnected() {
    this.attempt = 0;
    this.tokenRefreshed = false;
    this.setState('open', { transport: this.transport, gateway: this.gateway });
    this.startHeartbeat();
    this.scheduleRefresh();
    for (const item of this.queue.all()) {
      this.flushOne(item);
    }
  }

  startHeartbeat() {
    if (this.transport !== 'ws') {
      this.stopHeartbeat();
      this.lastHeard = Date.now();
      return;
    }
    this.beat(() => this.frame({ type: 'ping' }), () => this.onClosed(1006, 'dead connection'));
  }

  // ------------------------------------------------------------------ frames

  frame(object) {
    if (this.socket && this.state === 'open' && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(object));
      return true;
    }
    return false;
  }

  flushOne(item) {
    if (this.state !== 'open') {
      return; // stays queued until the next connection
    }
    if (this.transport === 'ws') {
      this.frame({ type: 'message', content: item.content, client_message_id: item.client_message_id });
    } else {
      this.postOverRest(item);
    }
  }

  /**
   * One post at a time, in the order written: sent together, chat-api could store them (and give them
   * their seq) in another order than the visitor wrote them.
   */
  postOverRest(item) {
    this.posting = (this.posting || Promise.resolve()).then(() => this.postOnce(item));
    return this.posting;
  }

  async postOnce(item) {
    if (!this.queue.all().includes(item)) {
      return; // stored meanwhile (sent twice: on a reconnect and by its retry)
    }
    // one that is never answered (a proxy that holds it) must not hold up the ones after it for ever
    const timeout = answerWithin(this.options.postTimeoutMs);
    try {
      const response = await this.rest('POST', '/messages',
        { content: item.content, client_message_id: item.client_message_id }, timeout);
      if (response.ok) {
        this.queue.remove(item.client_message_id);
        const stored = await Promise.resolve().then(() => response.json()).catch(() => null); // the message as stored
        if (stored && this.store.storedPending(item.client_message_id, { ...stored, message_id: stored.id })) {
          this.emit('messages');
        }
      } else if (response.status === 401 && this.options.getToken && !item.tokenRefreshed) {
        // the token lapsed: once more with a fresh one (the same client_message_id: stored once)
        item.tokenRefreshed = true;
        this.token = await this.options.getToken();
        this.conversation.retryLater(item, 0, { refused: false });
      } else if (response.status === 429 || response.status >= 500) {
        this.conversation.retryLater(item, response.headers?.get?.('Retry-After') ?? null);
      } else if (response.status >= 400 && response.status < 500) {
        const problem = await response.json().catch(() => ({}));
        this.queue.remove(item.client_message_id);
        // the problem's type as a frame's code: …/problems/session-not-open → session_not_open
        const code = typeof problem.type === 'string' ? problem.type.split('/').pop().replace(/-/g, '_') : null;
        this.store.failPending(item.client_message_id, problem.detail || `refused (${response.status})`, code);
        this.emit('messages');
      }
    } catch (e) {
      if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
        this.conversation.retryLater(item, null); // unanswered: again after a backoff, the same client_message_id
      }
      // offline: stays queued, sent on the next connection
    }
  }

  onFrame(data) {
    this.lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (frame.type === 'connected') {
      this.conversation.knowMe(frame.user_id);
      this.onConnected();
      this.conversation.loadReads();
    } else if (frame.type === 'system_notice') {
      this.emit('notice', frame); // an admin's notice to the whole tenant: {notice_id, message, severity}
    } else if (frame.type === 'note_added' || frame.type === 'note_deleted') {
      this.emit('note', frame); // staff only: a note on a session of the tenant, or its deletion (protocol.md)
    } else if (frame.seq !== undefined && frame.type !== 'message_ack') {
      this.conversation.onEvent(frame);
    } else {
      this.conversation.onSignal(frame);
    }
  }
}

/**
 * A staff dashboard: every event of the tenant, live, with reconnects. It does not replay: on
 * every (re)connect it emits 'reload' so the page loads the session list over REST again.
 */
export class DashboardClient extends GatewayConnection {
  constructor(options) {
    super(options, {});
  }

  connect() {
    this.closedByUser = false;
    const url = wsUrl(this.gateway, `/ws/${encodeURIComponent(this.options.tenantId)}/dashboard`);
    const WS = this.options.WebSocket || globalThis.WebSocket;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket;
    try {
      socket = new WS(url, bearerProtocols(this.token));
    } catch (e) {
      this.retryAfter(false, () => this.connect());
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      this.emit('reload');
      this.ping = setInterval(() => socket.readyState === 1 && socket.send('{"type":"ping"}'),
        this.options.heartbeatMs);
    };
    socket.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame.seq !== undefined) {
        this.emit('event', frame);
      }
    };
    socket.onclose = (event) => {
      clearInterval(this.ping);
      if (this.socket !== socket || this.closedByUser) {
        return;
      }
      this.socket = null;
      if (DO_NOT_RETRY.has(event.code)) {
        this.setState('failed', { code: event.code });
        return;
      }
      this.retryAfter(RECONNECT_NOW.has(event.code), () => this.connect());
    };
  }

  close() {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.ping);
    if (this.socket) {
      this.socket.close(1000, 'bye');
    }
    this.setState('closed');
  }
}

/**
 * One channel of a ParleyConnection. It remembers the highest gap-free seq it has, so that a
 * reconnect resubscribes from there; frames at or below it are dropped (each event once).
 * Events: 'subscribed', 'event' (an event frame), 'signal' (typing, presence, read, acks),
 * 'resync', 'error' (a refused subscription: detail.code forbidden | not_found | limit | ...),
 * 'unsubscribed'.
 */
export class Channel extends EventTarget {
  constructor(connection, name, { lastSeq = 0, token = null } = {}) {
    super();
    this.connection = connection;
    this.name = name;
    this.lastSeq = lastSeq;
    this.token = token;
    this.state = 'pending';
    this.retries = 0; // subscriptions answered 'unavailable' in a row
    this.lastSeqBySession = new Map(); // the dashboard: per session
  }

  /** A fresh subscription token (chat-api's, for a session channel): used from the next subscribe on. */
  setToken(token) {
    this.token = token;
  }

  /** Sends a frame on this channel (message, typing, read); false when not connected. */
  send(frame) {
    return this.connection.sendFrame({ ...frame, channel: this.name });
  }

  unsubscribe() {
    this.connection.unsubscribe(this.name);
  }

  /** Subscribes again after a jittered backoff, as the connection itself would reconnect. */
  retryLater() {
    const options = this.connection.options;
    const delay = backoffDelay(this.retries, options, options.random || Math.random);
    this.retries += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.connection.channels.get(this.name) === this && this.state === 'pending') {
        this.connection.queueSubscribe(this);
      }
    }, delay);
  }

  subscribeFrame() {
    const frame = { type: 'subscribe', channel: this.name, last_seq: this.lastSeq };
    if (this.token) {
      frame.token = this.token;
    }
    if (this.name === 'dashboard' && this.lastSeqBySession.size > 0) {
      // the sessions it shows, from their last seq: the gateway replays what happened meanwhile.
      // The most recently active first, as many as the gateway names (dashboard_sessions) and its
      // frame size allows; the rest start live and come from the page's REST list.
      const limits = this.connection.limits || {};
      const most = Number(limits.dashboard_sessions) > 0 ? Number(limits.dashboard_sessions) : 500;
      let room = (Number(limits.max_frame_bytes) > 0 ? Number(limits.max_frame_bytes) : 16384)
        - JSON.stringify(frame).length - 512;
      const named = [];
      for (const [id, seq] of [...this.lastSeqBySession].reverse()) {
        room -= JSON.stringify(id).length + String(seq).length + 2;
        if (named.length >= most || room < 0) {
          break;
        }
        named.push([id, seq]);
      }
      frame.sessions = Object.fromEntries(named);
    }
    return frame;
  }

  onFrame(frame) {
    switch (frame.type) {
      case 'subscribed':
        this.state = 'subscribed';
        this.retries = 0;
        this.emit('subscribed', frame);
        return;
      case 'unsubscribed':
        this.state = 'unsubscribed';
        this.emit('unsubscribed', frame);
        return;
      case 'error':
        // only the answer to a subscribe, or the gateway ending the subscription, changes the
        // channel's state; an error about a claim, a read or typing leaves it as it is
        const again = frame.resubscribe || (this.state === 'pending' && frame.code === 'unavailable');
        if (again && !frame.client_message_id) {
          this.state = 'pending'; // not admitted or not going on right now: the gateway says to come again
          this.retryLater();
        } else if (this.state === 'pending' && !frame.client_message_id && frame.code !== 'not_subscribed') {
          this.state = 'refused';
        }
        this.emit('error', frame);
        return;
      case 'resync_required':
        if (this.name === 'dashboard') { // about one session of the dashboard: named from there next time
          const last = Math.max(this.lastSeqBySession.get(frame.session_id) || 0, Number(frame.last_seq) || 0);
          this.lastSeqBySession.delete(frame.session_id);
          this.lastSeqBySession.set(frame.session_id, last);
        } else { // the stream goes on after last_seq: forward (too far behind) or back (a restore)
          this.lastSeq = Number(frame.last_seq) || 0;
        }
        this.emit('resync', frame);
        return;
      default:
        break;
    }
    if (frame.seq === undefined || frame.type === 'message_ack') {
      this.emit('signal', frame);
      return;
    }
    const seq = Number(frame.seq);
    if (this.name === 'dashboard') {
      const last = this.lastSeqBySession.get(frame.session_id) || 0;
      if (seq <= last) {
        return;
      }
      this.lastSeqBySession.delete(frame.session_id); // kept in order of activity, the latest last
      this.lastSeqBySession.set(frame.session_id, seq);
    } else {
      if (seq <= this.lastSeq) {
        return;
      }
      if (seq === this.lastSeq + 1) {
        this.lastSeq = seq;
      }
    }
    this.emit('event', frame);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * One WebSocket per tab to GET /ws/{tenant}, carrying every channel the page follows. It
 * reconnects with jittered backoff to the next gateway and resubscribes each channel from its
 * last seq; 1012 reconnects at once. A getToken() hook supplies the token before each connection,
 * refreshes it before it expires (an 'auth' frame), and after a 4401; final closes (1008, 4409)
 * stop and say why in the 'state' event. A refused upgrade is told apart from a network failure
 * by asking the gateway (/admission/{tenant}): a bad token is refreshed once, then the
 * connection stops; it never retries a dead token in a loop.
 * Events: 'state' ({state, code?, reason?}), 'frame' (every frame, for debugging).
 */
export class ParleyConnection extends GatewayConnection {
  constructor(options) {
    super(options, { deadAfterMs: 60000 });
    this.channels = new Map();
    this.getToken = this.options.getToken || null;
    this.subscribeQueue = []; // channel names waiting for their subscribe frame
    this.subscribeBudget = { tokens: 0, at: 0, rate: 8, burst: 25 };
  }

  /** Follows a channel ('session:<id>', 'dashboard', ...); subscribes now if connected, else on connect. */
  subscribe(name, options = {}) {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = new Channel(this, name, options);
      this.channels.set(name, channel);
    } else if (options.token) {
      channel.setToken(options.token);
    }
    if (this.state === 'open') {
      this.queueSubscribe(channel);
    }
    return channel;
  }

  /**
   * Subscribe frames go out no faster than the gateway takes frames (its 'connected' frame gives
   * the rate and burst, less a margin for the page's own frames): a dashboard that comes back
   * with many chats subscribes to all of them without a refusal for the rate.
   */
  queueSubscribe(channel) {
    channel.state = 'pending';
    if (!this.subscribeQueue.includes(channel.name)) {
      this.subscribeQueue.push(channel.name);
    }
    this.pumpSubscribes();
  }

  pumpSubscribes() {
    clearTimeout(this.subscribeTimer);
    const budget = this.subscribeBudget;
    const now = Date.now();
    budget.tokens = Math.min(budget.burst, budget.tokens + ((now - budget.at) * budget.rate) / 1000);
    budget.at = now;
    while (this.subscribeQueue.length > 0 && budget.tokens >= 1 && this.state === 'open') {
      const channel = this.channels.get(this.subscribeQueue.shift());
      if (channel && this.sendFrame(channel.subscribeFrame())) {
        budget.tokens -= 1;
      }
    }
    if (this.subscribeQueue.length > 0 && this.state === 'open') {
      this.subscribeTimer = setTimeout(() => this.pumpSubscribes(), Math.ceil(1000 / budget.rate));
    }
  }

  unsubscribe(name) {
    this.subscribeQueue = this.subscribeQueue.filter((queued) => queued !== name);
    clearTimeout(this.channels.get(name)?.retryTimer);
    if (this.channels.delete(name) && this.state === 'open') {
      this.sendFrame({ type: 'unsubscribe', channel: name });
    }
  }

  async connect() {
    this.closedByUser = false;
    this.tokenRefreshed = false;
    await this.open();
  }

  close() {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.subscribeTimer);
    clearTimeout(this.resubscribeTimer);
    for (const channel of this.channels.values()) {
      clearTimeout(channel.retryTimer);
    }
    this.stopHeartbeat();
    if (this.socket) {
      this.socket.close(1000, 'bye');
      this.socket = null;
    }
    this.setState('closed');
  }

  /** Staff: available, busy or away on the operators channel; sent again after every reconnect. */
  setStatus(status) {
    this.operatorStatus = status;
    return this.sendFrame({ type: 'status', status });
  }

  sendFrame(frame) {
    if (this.socket && this.state === 'open' && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  async freshToken() {
    if (this.getToken) {
      this.token = await this.getToken();
    }
    return this.token;
  }

  async open() {
    clearTimeout(this.retryTimer);
    if (this.closedByUser) {
      return;
    }
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let token;
    try {
      token = await this.freshToken();
    } catch (e) {
      this.scheduleRetry(false); // the page's token source is away: try later
      return;
    }
    const WS = this.options.WebSocket || globalThis.WebSocket;
    const gateway = this.gateway;
    let socket;
    try {
      socket = new WS(wsUrl(gateway, `/ws/${encodeURIComponent(this.options.tenantId)}`), bearerProtocols(token));
    } catch (e) {
      this.onRefusedOrUnreachable(gateway, token);
      return;
    }
    this.attach(socket, (data) => this.onMessage(data), (event, opened) => {
      clearTimeout(this.refreshTimer);
      if (this.closedByUser) {
        return;
      }
      if (opened) {
        this.onClosed(event.code, event.reason);
      } else {
        this.onRefusedOrUnreachable(gateway, token);
      }
    });
  }

  async onRefusedOrUnreachable(gateway, token) {
    const verdict = await probeAdmission(gateway, this.options.tenantId, token, this.options.fetch);
    if (this.closedByUser) {
      return;
    }
    if (verdict === 'token' && this.getToken && !this.tokenRefreshed) {
      this.tokenRefreshed = true; // one fresh token; if that is refused too, stop
      this.retryAfter(true, () => this.open());
    } else if (verdict === 'token' || verdict === 'forbidden') {
      this.setState('failed', { code: verdict === 'token' ? 4401 : 4403,
        reason: verdict === 'token' ? 'the token was refused' : 'not allowed' });
    } else {
      this.scheduleRetry(false);
    }
  }

  onClosed(code, reason) {
    if (code === TOKEN_EXPIRED && this.getToken) {
      this.retryAfter(true, () => this.open()); // a fresh token, then back at once
      return;
    }
    this.retryOrStop(code, reason);
  }

  onMessage(data) {
    this.lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    this.emit('frame', frame);
    if (frame.type === 'connected' && !frame.channel) {
      this.onConnected(frame);
      return;
    }
    if (frame.type === 'pong') {
      return;
    }
    if (frame.type === 'system_notice') {
      this.emit('notice', frame); // an admin's notice to the whole tenant: {notice_id, message, severity}
      return;
    }
    if (frame.type === 'note_added' || frame.type === 'note_deleted') {
      this.emit('note', frame); // staff only: a note on a session of the tenant, or its deletion (protocol.md)
      return;
    }
    const channel = frame.channel && this.channels.get(frame.channel);
    if (channel) {
      channel.onFrame(frame);
    } else if (frame.type === 'error') {
      if (frame.code === 'rate_limited') {
        // the refused frame is not named: a subscription still unanswered is asked again, later
        clearTimeout(this.resubscribeTimer);
        this.resubscribeTimer = setTimeout(() => {
          for (const pending of this.channels.values()) {
            if (pending.state === 'pending') {
              this.queueSubscribe(pending);
            }
          }
        }, 1000);
      }
      this.emit('error', frame);
    }
  }

  onConnected(frame) {
    this.attempt = 0;
    this.tokenRefreshed = false;
    this.connectionId = frame.connection_id;
    this.userId = frame.user_id;
    this.setState('open', { gateway: this.gateway });
    this.startHeartbeat();
    this.scheduleRefresh();
    const limits = frame.limits || {};
    this.limits = limits;
    const rate = Number(limits.inbound_rate) > 0 ? Number(limits.inbound_rate) : 10;
    const burst = Number(limits.inbound_burst) > 0 ? Number(limits.inbound_burst) : 30;
    // a margin for the page's own frames (status, messages, typing, pings) in the same second
    this.subscribeBudget = { rate: Math.max(1, rate * 0.8), burst: Math.max(1, burst - 5), at: Date.now() };
    this.subscribeBudget.tokens = this.subscribeBudget.burst;
    this.subscribeQueue = [];
    for (const channel of this.channels.values()) {
      clearTimeout(channel.retryTimer); // asked again now, on this connection
      this.queueSubscribe(channel);
    }
    if (this.operatorStatus) {
      this.sendFrame({ type: 'status', status: this.operatorStatus }); // another instance may answer now
    }
  }

  /** A fresh token for the open connection: an auth frame. */
  deliverToken(token) {
    this.token = token;
    this.sendFrame({ type: 'auth', token });
  }

  startHeartbeat() {
    this.beat(() => this.sendFrame({ type: 'ping' }), () => this.onClosed(1006, 'dead connection'));
  }
}

/**
 * A conversation on a ParleyConnection's session channel: the same store, send queue, typing and
 * presence as SessionClient, sharing the tab's one socket with every other channel.
 * Events: 'messages', 'typing', 'presence', 'read', 'status', 'claim', 'rating', 'support', 'error', 'resync',
 * 'subscribed'.
 */
export class SessionChat extends EventTarget {
  constructor(connection, { sessionId, subscriptionToken = null, queueLimit = 100, typingIdleMs = 3000,
    storage = connection.options.storage } = {}) {
    super();
    this.connection = connection;
    this.sessionId = sessionId;
    this.channel = connection.subscribe(`session:${sessionId}`, { token: subscriptionToken });
    this.conversation = new Conversation((type, detail) => this.emit(type, detail),
      (isTyping) => this.channel.send({ type: 'typing', is_typing: isTyping }),
      { queueLimit, typingIdleMs, random: connection.options.random,
        kept: KeptMessages.of({ ...connection.options, storage }, sessionId) });
    this.conversation.resend = (item) => this.flushOne(item);
    this.conversation.history = historyReader({ ...connection.options, sessionId, token: () => connection.token });
    this.conversation.readsOf = readsReader({ ...connection.options, sessionId, token: () => connection.token });
    this.channel.addEventListener('subscribed', () => {
      this.conversation.knowMe(connection.userId);
      for (const item of this.queue.all()) {
        this.flushOne(item);
      }
      this.emit('subscribed');
      this.conversation.loadReads();
    });
    this.channel.addEventListener('event', (e) => {
      if (this.conversation.onEvent(e.detail)) {
        this.channel.lastSeq = Math.max(this.channel.lastSeq, this.store.resumeSeq);
      }
    });
    this.channel.addEventListener('signal', (e) => this.conversation.onSignal(e.detail));
    this.channel.addEventListener('resync', (e) => this.conversation.onSignal(e.detail));
    this.channel.addEventListener('error', (e) => this.conversation.onSignal(e.detail));
  }

  typing() {
    if (this.channel.state === 'subscribed') {
      this.conversation.typingDebounce.keystroke();
    }
  }

  markRead(seq = this.store.resumeSeq) {
    this.channel.send({ type: 'read', up_to_seq: seq });
  }

  /** Staff: claim this chat (the first claim wins; a loser gets an error with claimed_by). */
  claim() {
    this.channel.send({ type: 'claim' });
  }

  /** Leaves the conversation: the channel is unsubscribed, the socket stays for the others. */
  close() {
    this.conversation.typingDebounce.stop();
    this.channel.unsubscribe();
  }

  flushOne(item) {
    if (this.channel.state === 'subscribed') {
      this.channel.send({ type: 'message', content: item.content, client_message_id: item.client_message_id });
    }
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * What SessionClient and SessionChat show the page alike: the conversation's state, and send():
 * a message is pending at once, delivered when connected (each owner's flushOne), acknowledged
 * after storage.
 */
for (const Owner of [SessionClient, SessionChat]) {
  Object.defineProperties(Owner.prototype, {
    store: { get() { return this.conversation.store; } },
    queue: { get() { return this.conversation.queue; } },
    presence: { get() { return this.conversation.presence; } },
    messages: { get() { return this.conversation.store.messages; } },
  });
  Owner.prototype.send = function send(content) {
    const composed = this.conversation.compose(content);
    if (composed?.queued) {
      this.flushOne(composed.item);
    }
    return composed ? composed.item.client_message_id : null;
  };
}

/** The origin's localStorage, or null where the page may not store (reading it throws there). */
function localStorageOrNull() {
  try {
    return globalThis.localStorage ?? null;
  } catch (e) {
    return null;
  }
}

/** What counts as the operator being at the page: a key, the pointer, the wheel, a touch, the tab shown. */
const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'visibilitychange'];

/**
 * Staff: an operator who leaves the dashboard alone for afterMs (no key, pointer, wheel or touch in
 * any of their tabs of the page's origin) is set `away`, and back to the status they had chosen at
 * the first sign of activity, so that customers are not told that support is there when nobody
 * is. An operator who is away already (chose it) stays away. Their tabs share the idle time and
 * the status to come back to through storage (localStorage, per tenant and user): activity in one
 * tab keeps every other tab of theirs from setting them away, and any tab brings them back.
 * Events: 'idle' ({idle: true | false}).
 */
export class IdleAway extends EventTarget {
  constructor(connection, { afterMs = 10 * 60000, storage = localStorageOrNull(), target = globalThis.document ?? null,
    storageEvents = globalThis, timers = globalThis, now = Date.now } = {}) {
    super();
    Object.assign(this, { connection, afterMs, storage, target, storageEvents, timers, now });
    this.away = false; // this tab counts its operator as set away by idleness
    this.sentAway = false; // ... and said so on its own connection
    this.lastActivity = now();
    this.seen = null; // the operator's status as the operators channel shows it
    this.onActivity = (event) => {
      if (event?.type !== 'visibilitychange' || !this.target?.hidden) {
        this.activity();
      }
    };
    this.onFrame = (e) => {
      if (e.detail.type === 'operator_status' && e.detail.user_id === this.connection.userId) {
        this.seen = e.detail.status;
      }
    };
    this.onStorage = (e) => {
      if (e.key === this.key('from') && e.newValue === null && this.away) {
        // another tab of theirs saw them back and set the status
        if (this.sentAway && e.oldValue !== null) {
          this.connection.operatorStatus = e.oldValue; // said again after a reconnect, not away
        }
        this.away = false;
        this.sentAway = false;
        this.emit('idle', { idle: false });
      }
    };
  }

  start() {
    for (const type of ACTIVITY_EVENTS) {
      this.target?.addEventListener(type, this.onActivity, { passive: true });
    }
    this.storageEvents?.addEventListener?.('storage', this.onStorage);
    this.connection.addEventListener('frame', this.onFrame);
    this.timer = this.timers.setInterval(() => this.check(), Math.min(15000, Math.max(250, this.afterMs / 4)));
    return this;
  }

  stop() {
    for (const type of ACTIVITY_EVENTS) {
      this.target?.removeEventListener(type, this.onActivity);
    }
    this.storageEvents?.removeEventListener?.('storage', this.onStorage);
    this.connection.removeEventListener('frame', this.onFrame);
    this.timers.clearInterval(this.timer);
  }

  /** The operator did something: the idle time starts again, and an operator set away comes back. */
  activity() {
    const at = this.now();
    if (!this.away && at - this.lastActivity < 1000) {
      return; // pointermove comes often: once a second is enough
    }
    this.lastActivity = at;
    this.write('at', String(at));
    // away by idleness in a page that is gone (closed while away): the gateways remember the status
    const leftAway = this.seen === 'away' && this.read('from') !== null;
    if (this.away || leftAway) {
      const from = this.read('from') ?? 'available';
      this.remove('from'); // every other tab of theirs hears it (onStorage)
      this.away = false;
      this.sentAway = false;
      this.connection.setStatus(from);
      this.emit('idle', { idle: false });
    }
  }

  /** Idle for afterMs in every tab of theirs: away, remembering what to come back to. */
  check() {
    if (this.away || this.connection.userId === undefined) {
      return;
    }
    const last = Math.max(this.lastActivity, Number(this.read('at')) || 0);
    if (this.now() - last < this.afterMs) {
      return;
    }
    if (this.read('from') === null) {
      const chosen = this.connection.operatorStatus; // chosen in this page (busy may also be by workload)
      if ((chosen ?? this.seen) === 'away') {
        return; // their own choice: nothing to come back from
      }
      this.write('from', chosen === 'busy' ? 'busy' : 'available');
      this.connection.setStatus('away');
      this.sentAway = true;
    } // else another tab of theirs has set them away already
    this.away = true;
    this.emit('idle', { idle: true });
  }

  key(name) {
    return `parley:idle:${this.connection.options.tenantId}:${this.connection.userId}:${name}`;
  }

  read(name) {
    if (this.connection.userId === undefined) {
      return null;
    }
    try {
      return this.storage?.getItem(this.key(name)) ?? null;
    } catch (e) {
      return null; // storage refused (a private window): this tab decides alone
    }
  }

  write(name, value) {
    if (this.connection.userId === undefined) {
      return;
    }
    try {
      this.storage?.setItem(this.key(name), value);
    } catch (e) {
      // as above
    }
  }

  remove(name) {
    if (this.connection.userId === undefined) {
      return;
    }
    try {
      this.storage?.removeItem(this.key(name));
    } catch (e) {
      // as above
    }
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
