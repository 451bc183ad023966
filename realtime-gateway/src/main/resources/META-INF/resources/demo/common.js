// Shared by the demo pages: parameters from the URL, the caller from the token, REST calls, rendering.
import { answerWithin, linkParts, messageKey, messageNote, patchList } from '../client/v1/parley-client.js';

export const params = new URLSearchParams(location.search);

/** Where this tab keeps the page's token: a reload keeps the page signed in, closing the tab forgets it. */
const TOKEN_KEY = `parley-demo-token:${location.pathname}:${params.get('tenant') || 'demo'}`;

if (params.has('token')) {
  // the token came in the link (a demo, not a sign-in flow): keep it out of the history and of
  // anything the page's URL is shown or sent to, and for this tab only (until 2026-12-06 a reload
  // lost it and the page said "No token")
  remembered(() => sessionStorage.setItem(TOKEN_KEY, params.get('token')));
  const clean = new URLSearchParams(params);
  clean.delete('token');
  history.replaceState(null, '', `${location.pathname}?${clean}${location.hash}`);
}

/** What storage answers, or null where the browser refuses it (storage off, a sandboxed frame). */
function remembered(use) {
  try {
    return use();
  } catch (e) {
    return null;
  }
}

export function config() {
  const gateways = (params.get('gateways') || location.origin).split(',').map((g) => g.trim()).filter(Boolean);
  return {
    tenantId: params.get('tenant') || 'demo',
    token: params.get('token') || remembered(() => sessionStorage.getItem(TOKEN_KEY)) || '',
    apiUrl: (params.get('api') || location.origin).replace(/\/$/, ''),
    gateways,
    transport: params.get('transport') || 'auto',
    awayAfterMs: (Number(params.get('away_after')) > 0 ? Number(params.get('away_after')) : 600) * 1000,
  };
}

/** The token's claims (for display only: the servers verify it). */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (e) {
    return {};
  }
}

/** A composer of several lines: Enter sends its form, Shift+Enter breaks the line (not while an IME composes). */
export function enterSends(textarea) {
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      textarea.form.requestSubmit();
    }
  });
  return textarea;
}

export async function api(cfg, method, path, body) {
  let response;
  try {
    response = await fetch(`${cfg.apiUrl}/api/tenants/${encodeURIComponent(cfg.tenantId)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${cfg.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      // a chat-api that does not answer is said, not waited for as long as the browser would
      signal: answerWithin(API_TIMEOUT_MS),
    });
  } catch (e) {
    throw e?.name === 'TimeoutError' ? new Error(`chat-api did not answer within ${API_TIMEOUT_MS / 1000} s`) : e;
  }
  const text = await response.text();
  const data = response.headers.get('Content-Type')?.includes('json') && text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw Object.assign(new Error(data?.detail || data?.title || `HTTP ${response.status}`),
      { status: response.status });
  }
  return data;
}

/**
 * A chat's error event in the page's error line: a subscription the client takes again by itself
 * clears it, and a message's trouble is said under the message (messageNote), not here.
 */
export function showChatError(element, detail) {
  if (!detail.client_message_id) {
    element.textContent = detail.resubscribe ? '' : detail.message || '';
  }
}

/** How long a page waits for chat-api (a search is stopped by chat-api after 5 s, an erasure takes longer). */
const API_TIMEOUT_MS = 20000;

const STATE_TEXT = {
  idle: 'Not connected', connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…',
  failed: 'Disconnected', closed: 'Closed',
};

/** The connection's state in words; a connection that stopped for good says why (another tab, the sign-in). */
export function showState(element, detail) {
  element.dataset.state = detail.state;
  let text = STATE_TEXT[detail.state] || detail.state;
  if (detail.state === 'failed' && detail.reason) {
    text += `: ${detail.reason}`;
  }
  if (detail.state === 'open' && detail.transport === 'sse') {
    text += ' (fallback)';
  }
  element.textContent = text;
}

/**
 * The messages as text (never as HTML: markup in a message shows as typed), in place (patchList): a
 * new one is added to the live region, the rest stay as they are. Each says when it was written; the
 * viewer's own messages up to seenUpTo (what the other side read) are marked seen. With remove,
 * each stored message that canRemove(message, mine) allows gets a Delete button that calls
 * remove(message) (staff: every one; a customer: their own).
 */
export function renderMessages(list, messages, me, seenUpTo = 0, { remove = null, canRemove = () => true } = {}) {
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  patchList(list, messages.map((m) => {
    const mine = m.state === 'pending' || m.state === 'failed' || m.sender_user_id === me;
    const seen = mine && m.state === 'stored' && m.seq <= seenUpTo;
    const note = messageNote(m, { seen });
    const content = m.state === 'deleted' ? 'Message deleted' : m.content;
    const removable = remove && m.state === 'stored' && m.message_id && canRemove(m, mine);
    return {
      key: messageKey(m),
      look: JSON.stringify([mine, m.state, m.seq, content, note, m.role, m.sender_name, Boolean(removable)]),
      draw: (li) => {
        li.className = mine ? 'mine' : '';
        li.dataset.state = m.state;
        if (m.seq) {
          li.dataset.seq = m.seq;
        }
        if (seen) {
          li.dataset.seen = 'true';
        } else {
          delete li.dataset.seen;
        }
        const who = document.createElement('span');
        who.className = 'who';
        // who wrote: the name they signed with and their role (Sam Smith (Support)), else the role
        who.textContent = mine ? 'You' : m.sender_name ? `${m.sender_name} (${roleName(m.role)})` : roleName(m.role);
        const text = document.createElement('span');
        text.className = 'text';
        text.dir = 'auto'; // right to left when written so (Arabic, Hebrew), whatever the page's language
        text.append(...(m.state === 'deleted' ? [content] : linkParts(content).map(linkOrText)));
        li.replaceChildren(who, text, ...(note ? [hint(note)] : []), ...(removable ? [deleteButton(m, remove)] : []));
      },
    };
  }));
  if (atBottom) {
    list.scrollTop = list.scrollHeight;
  }
}

/** A piece of linkParts: a link that opens in a new tab, or text. */
function linkOrText(part) {
  if (!part.href) {
    return part.text;
  }
  const link = document.createElement('a');
  link.href = part.href;
  link.target = '_blank';
  link.rel = 'noopener noreferrer nofollow';
  link.textContent = part.text;
  return link;
}

function deleteButton(message, remove) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'delete';
  button.textContent = 'Delete';
  button.setAttribute('aria-label', 'Delete message');
  button.addEventListener('click', () => remove(message));
  return button;
}

function hint(text) {
  const span = document.createElement('span');
  span.className = 'who';
  span.textContent = text;
  return span;
}

export function roleName(role) {
  return { user: 'Customer', supporter: 'Support', admin: 'Support', assistant: 'Assistant' }[role] || role || '';
}

export function typingText(users, me) {
  const others = users.filter((u) => u.user_id !== me);
  if (others.length === 0) {
    return '';
  }
  return `${others.map((u) => roleName(u.role)).join(', ')} ${others.length > 1 ? 'are' : 'is'} typing…`;
}

/** An admin's notice (system_notice) as the page's banner; text only, never markup. */
export function showNotice(element, notice) {
  element.textContent = notice.message;
  element.dataset.severity = notice.severity || 'info';
  element.hidden = false;
}
