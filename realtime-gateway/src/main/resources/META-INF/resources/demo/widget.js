import { SessionClient } from '../client/v1/parley-client.js';
import {
  api, claims, config, enterSends, renderMessages, showChatError, showNotice, showState, typingText, params,
} from './common.js';

const cfg = config();
const me = claims(cfg.token).sub;
const $ = (id) => document.getElementById(id);
const storageKey = `parley.session.${cfg.tenantId}.${me}`;
let chat;
let markedSeq = 0; // the last seq this page marked read

async function start() {
  $('error').textContent = '';
  try {
    const known = params.get('session') || localStorage.getItem(storageKey);
    // the session JSON carries chat-api's subscription token: any gateway admits the widget with
    // it, a reconnect costs chat-api nothing
    // only a chat that is gone starts a new one; chat-api out of reach is an error to show
    const gone = (e) => { if (e.status === 404 || e.status === 403) return null; throw e; };
    let session = known ? await api(cfg, 'GET', `/sessions/${encodeURIComponent(known)}`).catch(gone) : null;
    if (!session || session.status !== 'open') {
      session = await api(cfg, 'POST', '/sessions', {});
      localStorage.setItem(storageKey, session.id);
    }
    open(session.id, session.subscription_token);
  } catch (e) {
    $('error').textContent = `Could not start the chat: ${e.message}`;
  }
}

/** Deletes one of the customer's own messages for everyone, after asking (chat-api blanks it in history too). */
async function deleteOwn(message) {
  if (!window.confirm('Delete this message for everyone in the chat?')) {
    return;
  }
  try {
    const response = await chat.rest('DELETE', `/messages/${encodeURIComponent(message.message_id)}`);
    if (!response.ok) {
      throw new Error(`chat-api answered ${response.status}`);
    }
  } catch (e) {
    $('status').textContent = `Could not delete the message: ${e.message}`;
  }
}

function open(sessionId, subscriptionToken) {
  chat?.close(); // the chat that ended: a new one takes its place
  $('start-panel').hidden = true;
  $('status').textContent = '';
  $('operator').textContent = '';
  $('typing').textContent = '';
  $('composer').querySelectorAll('textarea, button').forEach((el) => { el.disabled = false; });
  $('messages').hidden = false;
  $('composer').hidden = false;
  document.body.dataset.session = sessionId;
  chat = new SessionClient({ ...cfg, sessionId, subscriptionToken });
  markedSeq = 0;
  window.parleyChat = chat; // for the browser tests and the curious
  chat.addEventListener('state', (e) => showState($('state'), e.detail));
  // the customer may take back what they wrote (a card number pasted by mistake): their own messages only
  const render = () => renderMessages($('messages'), chat.messages, me, chat.conversation.readUpTo(),
    { remove: deleteOwn, canRemove: (m, mine) => mine });
  chat.addEventListener('messages', () => {
    render();
    markSeen();
  });
  chat.addEventListener('read', render); // support read up to there: the customer's messages show as seen
  render(); // a new chat after one that ended: the list shows this one's (none yet)
  chat.addEventListener('state', markSeen);
  chat.addEventListener('typing', (e) => { $('typing').textContent = typingText(e.detail.users, me); });
  chat.addEventListener('status', (e) => showStatus(e.detail.status));
  chat.addEventListener('notice', (e) => showNotice($('notice-banner'), e.detail));
  let claim = null;
  let support = null; // whether support is there: available, busy, away (support_status)
  const showOperator = () => {
    if (claim) {
      $('operator').textContent = claim.claimedBy
        ? `${chat.conversation.nameOf(claim.claimedBy)} from support joined the chat.`
        : 'The operator left the chat; someone else will be with you shortly.';
    }
  };
  const showSupport = () => {
    $('support').textContent = claim?.claimedBy ? '' : SUPPORT[support] || '';
    $('support').dataset.status = $('support').textContent ? support : '';
  };
  chat.addEventListener('claim', (e) => { claim = e.detail; showOperator(); showSupport(); });
  chat.addEventListener('support', (e) => { support = e.detail.status; showSupport(); });
  chat.addEventListener('presence', showOperator); // the operator's name comes with them
  chat.addEventListener('error', (e) => showChatError($('error'), e.detail));
  chat.connect();
  $('text').focus();
}

/** What the customer reads of the tenant's support, by support_status (until an operator has the chat). */
const SUPPORT = {
  available: 'Our team is online.',
  busy: 'Our team is helping other customers; we will answer you as soon as we can.',
  away: 'We are away right now. Leave a message and we will answer you here.',
};

/** What the customer has in view is read (sent while the page is visible and connected): support sees it. */
function markSeen() {
  const seq = chat?.store.resumeSeq || 0;
  if (chat && chat.state === 'open' && document.visibilityState === 'visible' && seq > markedSeq) {
    markedSeq = seq;
    chat.markRead(seq);
  }
}
document.addEventListener('visibilitychange', markSeen);

function showStatus(status) {
  const ended = status === 'closed' || status === 'resolved';
  $('status').textContent = ended ? `This chat was ${status}.` : '';
  $('composer').querySelectorAll('textarea, button').forEach((el) => { el.disabled = ended; });
  if (ended) {
    $('support').textContent = ''; // whether support is there is no longer this chat's news
    localStorage.removeItem(storageKey);
    $('start-panel').hidden = false; // "Start a chat" again
  }
}

$('start').addEventListener('click', start);
enterSends($('text')).addEventListener('input', () => chat?.typing());
$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('text').value;
  if (chat && text.trim()) {
    chat.send(text);
    $('text').value = '';
  }
});

if (!cfg.token) {
  $('error').textContent = 'No token: open this page with ?tenant=…&token=… (deploy/local/start.sh prints a link).';
  $('start').disabled = true;
} else if (params.get('session') || localStorage.getItem(storageKey)) {
  start();
}
