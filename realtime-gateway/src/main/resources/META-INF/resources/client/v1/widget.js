// The Parley chat widget, for a customer's own site. One tag, on any origin:
//
//   <script type="module" src="https://chat.example.com/client/v1/widget.js"
//           data-tenant="acme" data-token-url="/parley/token"></script>
//
// data-token-url  an endpoint of the host site's backend (same origin as the page, so the visitor's
//                 cookies identify them) answering {"token": "<access token for this visitor>"};
//                 called before the first connection and whenever the token must be renewed
// data-tenant     the tenant id (must equal the token's tenant claim)
// data-api        chat-api's base URL (default: the origin this script comes from)
// data-gateways   comma-separated gateway base URLs (default: the origin this script comes from)
// data-title      the panel's heading (default "Chat with us", in the widget's language)
// data-lang       the widget's language (default: the page's <html lang>, else the browser's):
//                 en, de, fr, es built in; any other is English unless data-texts gives its words
// data-texts      JSON replacing any of the widget's words by key (TEXTS below), e.g. {"send": "Go"}
// data-position   "left" puts the launcher and the panel in the bottom-left corner (default: right)
// data-metadata   JSON object the chat starts with, for support to see beside it (the visitor's plan,
//                 an order number: {"plan": "pro", "order": "42"}); the widget adds the page the chat
//                 started on (address without its query and fragment, and title) and the browser's
//                 language as "page" and "language" (the site's own keys win)
//
// The site's own "talk to us" links and buttons open the chat with an attribute, no script; a value
// starts the visitor's message for them (they finish and send it):
//   <a href="#support" data-parley-open>Questions? Talk to us</a>
//   <button data-parley-open="About order 42: ">Ask about this order</button>
// and its scripts with window.parleyWidget.open({ text }) / .close(), once the widget is there (the
// event "parley:ready" on document says so, with the widget as its detail).
//
// The site's colours and font, from its own CSS (custom properties reach into the shadow root):
//   #parley-widget { --parley-accent: #0a7d55; --parley-on-accent: #fff; --parley-font: Georgia, serif;
//                    --parley-bottom: 80px; }
//
// The widget lives in a shadow root: the site's CSS does not reach it and its CSS does not leak
// out. Messages are rendered as text (their http(s) URLs as links), never as HTML. Why a script and not an iframe:
// docs/decisions.md ("Embedding").
import {
  SessionClient, answerWithin, backoffDelay, linkParts, messageKey, messageNote, patchList,
} from './parley-client.js';

const STYLE = `
/* the site's theme: --parley-accent (launcher, header, buttons), --parley-on-accent (text on it),
   --parley-font, --parley-bottom (distance of the launcher from the bottom of the window) */
:host { all: initial; font: 15px/1.4 var(--parley-font, system-ui, sans-serif); color: #1d2330; }
.launcher { position: fixed; right: 20px; bottom: var(--parley-bottom, 20px); z-index: 2147483000; border: 0;
  border-radius: 24px; padding: 12px 18px; background: var(--parley-accent, #2f5fd0);
  color: var(--parley-on-accent, #fff); font: inherit; cursor: pointer; }
.badge { display: inline-block; margin-inline-start: 8px; min-width: 1.4em; padding: 0 6px; border-radius: 10px;
  background: #d93025; color: #fff; font-size: 12px; line-height: 1.6; text-align: center; }
.badge[hidden] { display: none; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f5b400; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: calc(var(--parley-bottom, 20px) + 56px); z-index: 2147483000;
  width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 80px - var(--parley-bottom, 20px)));
  display: flex; flex-direction: column; background: #fff;
  border: 1px solid #ccd3e0; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.18); overflow: hidden; }
.panel[hidden] { display: none; }
:host([data-position="left"]) .launcher, :host([data-position="left"]) .panel { right: auto; left: 20px; }
header { display: flex; justify-content: space-between; align-items: center; padding: 10px 14px;
  background: var(--parley-accent, #2f5fd0); color: var(--parley-on-accent, #fff); }
h2 { margin: 0; font-size: 16px; }
.state { margin-inline-start: auto; font-size: 12px; }
header .close { margin-block: -6px; margin-inline: 8px -8px; padding: 2px 10px; font: inherit; font-size: 22px; line-height: 1;
  border: 0; background: none; color: inherit; cursor: pointer; }
ol { flex: 1; margin: 0; padding: 10px 14px; list-style: none; overflow-y: auto; overscroll-behavior: contain; }
li { margin: 6px 0; max-width: 85%; padding: 6px 10px; border-radius: 10px; background: #eef1f7; white-space: pre-wrap;
  overflow-wrap: anywhere; }
li.mine { margin-inline-start: auto; background: #dce7ff; }
li a { color: #1a47b8; text-decoration: underline; }
.who { display: block; font-size: 11px; color: #4a5568; }
.text { display: block; }
/* the time and Delete share a line: on a phone a line of its own under each message was a screen's worth */
.when { display: inline-block; }
li button.delete { display: inline-block; margin-inline-start: 10px; padding: 0; font: inherit; font-size: 11px; color: #4a5568;
  background: none; border: 0; text-decoration: underline; cursor: pointer; }
.notice { margin: 4px 14px; font-size: 13px; color: #4a5568; min-height: 1em; }
.error { color: #b00020; }
.banner { margin: 0; padding: 8px 14px; background: #fff7d6; color: #4a3b00; font-size: 13px; }
.banner[data-severity="critical"] { background: #fde2e1; color: #5c0d0a; }
.banner[hidden] { display: none; }
.operator { font-style: italic; }
.support:empty, .queue:empty, .rating:empty { display: none; }
/* empty, the lines under the list take no room (a phone has little); only the typing line keeps its
   own, so that the list does not jump each time someone starts or stops typing */
.operator:empty, .status:empty, .error:empty { min-height: 0; margin-block: 0; }
.rating button { margin-inline-start: 6px; padding: 2px 10px; font: inherit; border: 1px solid #a0aec0; border-radius: 6px;
  background: #fff; cursor: pointer; }
form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e2e8f0; }
textarea { flex: 1; padding: 8px; font: inherit; border: 1px solid #a0aec0; border-radius: 6px; resize: none;
  max-height: 6.5em; }
form button { padding: 8px 12px; font: inherit; border: 0; border-radius: 6px;
  background: var(--parley-accent, #2f5fd0); color: var(--parley-on-accent, #fff); }
button:disabled, textarea:disabled { opacity: .5; }
/* a phone: the open chat takes the whole screen (the launcher under it comes back when it closes), and
   the composer's text is 16px, below which Safari on iOS zooms the page in when it gets the focus */
@media (max-width: 480px) {
  .panel { inset: 0; width: auto; height: auto; border: 0; border-radius: 0; box-shadow: none; }
  :host([data-position="left"]) .panel { left: 0; right: 0; }
  .launcher[aria-expanded="true"] { display: none; }
  textarea, form button { font-size: 16px; }
}
.status button { margin-inline-start: 6px; padding: 4px 10px; font: inherit; border: 1px solid var(--parley-accent, #2f5fd0);
  border-radius: 6px; background: #fff; color: var(--parley-accent, #2f5fd0); cursor: pointer; }
`;

/**
 * Every word the widget shows, by language. The language is the tag's data-lang, else the site's
 * <html lang>, else the browser's; one not listed here is English. data-texts (JSON) replaces any of
 * them, for wording of the site's own or a language of its own (complete it with every key).
 * {name}-style parts are filled in.
 */
export const TEXTS = Object.freeze({
  en: {
    title: 'Chat with us', messages: 'Messages', yourMessage: 'Your message', placeholder: 'Write a message…',
    send: 'Send', you: 'You', support: 'Support', assistant: 'Assistant',
    idle: 'Not connected', connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…',
    failed: 'Disconnected', closed: 'Closed',
    expired: 'the sign-in expired', replaced: 'opened in another tab', refused: 'not allowed',
    typing: '{names} typing…', joined: '{name} from support joined the chat.',
    left: 'The operator left the chat; someone else will be with you shortly.',
    deleted: 'Message deleted', chatClosed: 'This chat was closed.', chatResolved: 'This chat was resolved.',
    startNew: 'Start a new chat', signIn: 'Sign in to chat with us.', unavailable: 'The chat is not available right now',
    newMessage: '{title}, 1 new message', newMessages: '{title}, {count} new messages',
    sending: 'sending…', notSentYet: 'not sent yet, trying again…', notSent: 'not sent: {reason}',
    notSentEnded: 'not sent: the chat has ended', seen: 'seen',
    deleteMessage: 'Delete', confirmDelete: 'Delete this message for everyone in the chat?',
    deleteFailed: 'The message could not be deleted; try again.',
    supportAvailable: 'Our team is online.',
    supportBusy: 'Our team is helping other customers; we will answer you as soon as we can.',
    supportAway: 'We are away right now. Leave a message and we will answer you here.',
    rateQuestion: 'How was this chat?', rateGood: 'Good', rateBad: 'Bad', rateThanks: 'Thank you for telling us.',
    saveChat: 'Save a copy of this chat', transcript: 'Chat on {site}, {date}',
    queuePosition: 'You are number {n} in line.',
    greeting: 'Hi! How can we help you today?',
    close: 'Close',
  },
  de: {
    title: 'Chatten Sie mit uns', messages: 'Nachrichten', yourMessage: 'Ihre Nachricht',
    placeholder: 'Nachricht schreiben…', send: 'Senden', you: 'Sie', support: 'Support', assistant: 'Assistent',
    idle: 'Nicht verbunden', connecting: 'Verbinde…', open: 'Verbunden', reconnecting: 'Verbinde erneut…',
    failed: 'Getrennt', closed: 'Geschlossen',
    expired: 'die Anmeldung ist abgelaufen', replaced: 'in einem anderen Tab geöffnet', refused: 'nicht erlaubt',
    typing: '{names} schreibt…', joined: '{name} vom Support ist dem Chat beigetreten.',
    left: 'Der Mitarbeiter hat den Chat verlassen; gleich ist jemand anderes für Sie da.',
    deleted: 'Nachricht gelöscht', chatClosed: 'Dieser Chat wurde geschlossen.',
    chatResolved: 'Dieser Chat wurde als gelöst abgeschlossen.', startNew: 'Neuen Chat beginnen',
    signIn: 'Melden Sie sich an, um mit uns zu chatten.', unavailable: 'Der Chat ist gerade nicht verfügbar',
    newMessage: '{title}, 1 neue Nachricht', newMessages: '{title}, {count} neue Nachrichten',
    sending: 'wird gesendet…', notSentYet: 'noch nicht gesendet, neuer Versuch…',
    notSent: 'nicht gesendet: {reason}', notSentEnded: 'nicht gesendet: der Chat ist beendet', seen: 'gelesen',
    deleteMessage: 'Löschen', confirmDelete: 'Diese Nachricht für alle im Chat löschen?',
    deleteFailed: 'Die Nachricht konnte nicht gelöscht werden; bitte versuchen Sie es erneut.',
    supportAvailable: 'Unser Team ist online.',
    supportBusy: 'Unser Team hilft gerade anderen Kunden; wir antworten Ihnen so bald wie möglich.',
    supportAway: 'Wir sind gerade nicht da. Hinterlassen Sie eine Nachricht, wir antworten Ihnen hier.',
    rateQuestion: 'Wie war dieser Chat?', rateGood: 'Gut', rateBad: 'Schlecht',
    rateThanks: 'Danke für Ihre Rückmeldung.',
    saveChat: 'Eine Kopie dieses Chats speichern', transcript: 'Chat auf {site}, {date}',
    queuePosition: 'Sie sind Nummer {n} in der Warteschlange.',
    greeting: 'Hallo! Wie können wir Ihnen heute helfen?',
    close: 'Schließen',
  },
  fr: {
    title: 'Discutez avec nous', messages: 'Messages', yourMessage: 'Votre message',
    placeholder: 'Écrivez un message…', send: 'Envoyer', you: 'Vous', support: 'Support', assistant: 'Assistant',
    idle: 'Non connecté', connecting: 'Connexion…', open: 'Connecté', reconnecting: 'Reconnexion…',
    failed: 'Déconnecté', closed: 'Fermé',
    expired: 'la session a expiré', replaced: 'ouvert dans un autre onglet', refused: 'non autorisé',
    typing: '{names} écrit…', joined: '{name} du support a rejoint la conversation.',
    left: 'Le conseiller a quitté la conversation ; quelqu\'un d\'autre va vous répondre.',
    deleted: 'Message supprimé', chatClosed: 'Cette conversation a été fermée.',
    chatResolved: 'Cette conversation a été résolue.', startNew: 'Nouvelle conversation',
    signIn: 'Connectez-vous pour discuter avec nous.', unavailable: 'Le chat n\'est pas disponible pour le moment',
    newMessage: '{title}, 1 nouveau message', newMessages: '{title}, {count} nouveaux messages',
    sending: 'envoi…', notSentYet: 'pas encore envoyé, nouvel essai…', notSent: 'non envoyé : {reason}',
    notSentEnded: 'non envoyé : la conversation est terminée', seen: 'lu',
    deleteMessage: 'Supprimer', confirmDelete: 'Supprimer ce message pour tous les participants ?',
    deleteFailed: 'Le message n’a pas pu être supprimé ; réessayez.',
    supportAvailable: 'Notre équipe est en ligne.',
    supportBusy: 'Notre équipe aide d\'autres clients ; nous vous répondrons dès que possible.',
    supportAway: 'Nous sommes absents pour le moment. Laissez un message, nous vous répondrons ici.',
    rateQuestion: 'Comment s\'est passée cette conversation ?', rateGood: 'Bien', rateBad: 'Pas bien',
    rateThanks: 'Merci de votre retour.',
    saveChat: 'Enregistrer une copie de cette conversation', transcript: 'Conversation sur {site}, {date}',
    queuePosition: 'Vous êtes numéro {n} dans la file d’attente.',
    greeting: 'Bonjour ! Comment pouvons-nous vous aider aujourd’hui ?',
    close: 'Fermer',
  },
  es: {
    title: 'Chatea con nosotros', messages: 'Mensajes', yourMessage: 'Tu mensaje', placeholder: 'Escribe un mensaje…',
    send: 'Enviar', you: 'Tú', support: 'Soporte', assistant: 'Asistente',
    idle: 'Sin conexión', connecting: 'Conectando…', open: 'Conectado', reconnecting: 'Reconectando…',
    failed: 'Desconectado', closed: 'Cerrado',
    expired: 'la sesión ha caducado', replaced: 'abierto en otra pestaña', refused: 'no permitido',
    typing: '{names} está escribiendo…', joined: '{name} de soporte se ha unido al chat.',
    left: 'El agente ha salido del chat; otra persona te atenderá en breve.',
    deleted: 'Mensaje eliminado', chatClosed: 'Este chat se ha cerrado.', chatResolved: 'Este chat se ha resuelto.',
    startNew: 'Iniciar un chat nuevo', signIn: 'Inicia sesión para chatear con nosotros.',
    unavailable: 'El chat no está disponible ahora mismo',
    newMessage: '{title}, 1 mensaje nuevo', newMessages: '{title}, {count} mensajes nuevos',
    sending: 'enviando…', notSentYet: 'aún no enviado, reintentando…', notSent: 'no enviado: {reason}',
    notSentEnded: 'no enviado: el chat ha terminado', seen: 'visto',
    deleteMessage: 'Eliminar', confirmDelete: '¿Eliminar este mensaje para todos en el chat?',
    deleteFailed: 'No se pudo eliminar el mensaje; inténtalo de nuevo.',
    supportAvailable: 'Nuestro equipo está en línea.',
    supportBusy: 'Nuestro equipo está atendiendo a otros clientes; te responderemos lo antes posible.',
    supportAway: 'Ahora no estamos disponibles. Deja un mensaje y te responderemos aquí.',
    rateQuestion: '¿Qué tal ha ido este chat?', rateGood: 'Bien', rateBad: 'Mal', rateThanks: 'Gracias por contárnoslo.',
    saveChat: 'Guardar una copia de este chat', transcript: 'Chat en {site}, {date}',
    queuePosition: 'Eres el número {n} en la cola.',
    greeting: '¡Hola! ¿En qué podemos ayudarte hoy?',
    close: 'Cerrar',
  },
});

/** Why a connection stopped for good, by close code, as a key of TEXTS. */
const STOP_REASON = { 4401: 'expired', 4409: 'replaced', 4403: 'refused', 1008: 'refused' };

/** Whether a scrolled list shows its end (within a few pixels). */
function atEnd(list) {
  return list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
}

/** A text of TEXTS with its {name}-style parts filled in. */
function fill(text, values = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Languages written right to left, by primary tag. */
const RIGHT_TO_LEFT = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ps', 'sd', 'ug', 'ur', 'yi']);

/**
 * The widget's language, words and direction: data-lang, else the site's <html lang>, else the
 * browser's language; its primary tag picks TEXTS (English when not there); data-texts replaces any
 * word. The panel runs right to left when its words are in a language written so (TEXTS has it, or
 * the site gave its words), else left to right, whatever the site's own direction (English words
 * on a Hebrew page read left to right); data-dir (ltr, rtl) decides instead.
 */
export function widgetTexts(data = {}, page = globalThis.document, browser = globalThis.navigator) {
  const lang = String(data.lang || page?.documentElement?.lang || browser?.language || 'en').trim() || 'en';
  const primary = lang.toLowerCase().split(/[-_]/)[0];
  const words = { ...TEXTS.en, ...(TEXTS[primary] || {}) };
  const dir = data.dir === 'rtl' || data.dir === 'ltr' ? data.dir
    : RIGHT_TO_LEFT.has(primary) && (TEXTS[primary] || data.texts) ? 'rtl' : 'ltr';
  if (data.texts) {
    try {
      const own = JSON.parse(data.texts);
      Object.entries(own && typeof own === 'object' ? own : {}).forEach(([key, value]) => {
        if (typeof value === 'string') {
          words[key] = value;
        }
      });
    } catch (e) {
      console.error('Parley widget: data-texts is not JSON; the built-in words are used', e);
    }
  }
  if (data.title) {
    words.title = data.title;
  }
  return { lang, words, dir };
}

/** The tag that loaded this module: its data-* attributes are the configuration. */
function ownTag() {
  return [...document.querySelectorAll('script[src]')].find((s) => s.src === import.meta.url) || null;
}

function settings(tag) {
  const data = tag ? tag.dataset : {};
  const here = new URL(import.meta.url).origin;
  return {
    tenantId: data.tenant || '',
    tokenUrl: data.tokenUrl || '',
    apiUrl: (data.api || here).replace(/\/$/, ''),
    gateways: (data.gateways || here).split(',').map((g) => g.trim().replace(/\/$/, '')).filter(Boolean),
    position: data.position === 'left' ? 'left' : 'right',
    metadata: siteMetadata(data.metadata),
    ...widgetTexts(data),
  };
}

/** data-metadata as an object, or nothing (with a word in the console) when it is not a JSON object. */
function siteMetadata(text) {
  if (!text) {
    return {};
  }
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return value;
    }
  } catch (e) {
    // below
  }
  console.error('Parley widget: data-metadata is not a JSON object; the chat starts without it');
  return {};
}

/** How long starting the chat waits for the site's token URL and for chat-api, each, before it says so and retries. */
const START_TIMEOUT_MS = 10000;

/** How often a visitor whose chat nobody holds asks where they stand in the queue. */
const QUEUE_EVERY_MS = 20000;

/** chat-api's limit on a session's metadata (parley.chat-api.messages.max-metadata-bytes, default). */
const MAX_METADATA_BYTES = 4096;

/**
 * What a new chat carries for support: where it started (the page's address without its query and
 * fragment, which may hold a visitor's data, and its title) and the browser's language, with the
 * site's data-metadata over them. More than chat-api takes: the site's part is left out (and said
 * so in the console), never the chat.
 */
function startMetadata(cfg) {
  const own = {
    page: { url: `${location.origin}${location.pathname}`.slice(0, 500), title: document.title.slice(0, 200) },
    language: navigator.language || '',
  };
  const all = { ...own, ...cfg.metadata };
  if (new TextEncoder().encode(JSON.stringify(all)).length <= MAX_METADATA_BYTES) {
    return all;
  }
  console.error(`Parley widget: data-metadata is larger than ${MAX_METADATA_BYTES} bytes; the chat starts without it`);
  return own;
}

/** The visitor's subject, to tell their own messages apart and to remember their chat. */
function subject(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub || '';
  } catch (e) {
    return '';
  }
}

/**
 * The site's localStorage, where the visitor's chat is remembered across pages. A browser that
 * blocks the site's storage (cookies and site data blocked) throws on any use of it: the chat then
 * works without being remembered (a reload starts a new one), instead of not at all.
 */
function remembered(operation, ...args) {
  try {
    return localStorage[operation](...args);
  } catch (e) {
    return null;
  }
}

/**
 * What the visitor began to write in a chat, kept in this tab's sessionStorage by the chat's id: a
 * site of several pages loads the widget anew on each, and a question half typed on one page is
 * there on the next (or after a reload); the same tab only, and only for the same chat, so a
 * visitor after them on a shared computer, with their own chat, never sees it.
 */
function draft(operation, sessionId, ...args) {
  try {
    return sessionStorage[operation](`parley.widget.draft.${sessionId}`, ...args);
  } catch (e) {
    return null;
  }
}

/** Whether some visitor's chat with this tenant is remembered here (the visitor is known only from their token). */
function rememberedChat(tenantId) {
  try {
    return Object.keys(localStorage).some((key) => key.startsWith(`parley.widget.${tenantId}.`));
  } catch (e) {
    return false;
  }
}

function el(tag, attributes = {}, text = '') {
  const node = document.createElement(tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  node.textContent = text;
  return node;
}

/**
 * A message's text, its http(s) URLs as links that open in a new tab (linkParts), the rest as text;
 * right to left when it is written so (dir=auto: Arabic, Hebrew, Persian), whatever the page's language.
 */
function messageText(text) {
  const node = el('span', { class: 'text', dir: 'auto' });
  node.append(...linkParts(text).map((part) => (part.href
    ? el('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, part.text)
    : part.text)));
  return node;
}

export class ParleyWidget {
  constructor(cfg, host = document.body) {
    // settings(tag) gives lang and words; a widget built by hand gets them here, from its title and lang
    this.cfg = cfg.words ? cfg : { ...cfg, ...widgetTexts({ title: cfg.title, lang: cfg.lang }) };
    cfg = this.cfg;
    this.words = cfg.words;
    const words = this.words;
    // who wrote, as the visitor reads it: support (any staff), the assistant, themselves
    this.roleNames = { supporter: words.support, admin: words.support, assistant: words.assistant, user: words.you };
    // the corner it sits in, for the shadow root's CSS (:host([data-position="left"]))
    this.root = el('div', { id: 'parley-widget', 'data-position': cfg.position === 'left' ? 'left' : 'right',
      dir: cfg.dir === 'rtl' ? 'rtl' : 'ltr' });
    host.append(this.root);
    const shadow = this.root.attachShadow({ mode: 'open' });
    // a constructed style sheet, not a <style> element: a site whose Content-Security-Policy has no
    // 'unsafe-inline' in style-src refuses the element (an unstyled widget), not the sheet
    const styled = typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype
      && 'adoptedStyleSheets' in shadow;
    if (styled) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      shadow.adoptedStyleSheets = [sheet];
    }
    this.launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false',
      'aria-controls': 'parley-panel', 'aria-label': words.title }, words.title);
    // how many messages of support arrived since the visitor last had the panel open
    this.badge = el('span', { class: 'badge', 'aria-hidden': 'true' });
    this.badge.hidden = true;
    this.launcher.append(this.badge);
    this.panel = el('section', { class: 'panel', id: 'parley-panel', role: 'dialog', 'aria-label': words.title,
      lang: cfg.lang });
    this.panel.hidden = true;
    const header = el('header');
    this.state = el('span', { class: 'state', role: 'status', 'aria-live': 'polite', 'data-state': 'idle' },
      words.idle);
    // closes the panel (the chat goes on), as the launcher and Escape do: on a phone the panel covers the launcher
    const close = el('button', { type: 'button', class: 'close', 'aria-label': words.close, title: words.close }, '×');
    close.addEventListener('click', () => {
      this.close();
      this.launcher.focus();
    });
    header.append(el('h2', {}, words.title), this.state, close);
    this.list = el('ol', { 'aria-live': 'polite', 'aria-label': words.messages });
    // read to the end, the list stays at its end when it gets smaller (a line about support, the
    // operator or typing takes room under it; the panel opens): the newest message stays in view
    this.pinned = true;
    this.list.addEventListener('scroll', () => { this.pinned = atEnd(this.list); });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        if (this.pinned) {
          this.list.scrollTop = this.list.scrollHeight;
        }
      }).observe(this.list);
    }
    this.typingLine = el('p', { class: 'notice typing', 'aria-live': 'polite' });
    this.status = el('p', { class: 'notice status', role: 'status' });
    this.operator = el('p', { class: 'notice operator', role: 'status', 'aria-live': 'polite' });
    this.banner = el('p', { class: 'banner', role: 'alert', dir: 'auto' });
    this.banner.hidden = true;
    // whether the site's support is there (available, busy, away), until an operator has the chat
    this.supportLine = el('p', { class: 'notice support', role: 'status' });
    // while nobody holds the chat: where the visitor stands in the queue (chat-api's queue_position)
    this.queueLine = el('p', { class: 'notice queue', role: 'status' });
    this.error = el('p', { class: 'notice error', role: 'alert' });
    // once the chat ended: how was it? (good or bad, to chat-api; the support team and analytics see it)
    this.rating = el('p', { class: 'notice rating', role: 'status' });
    this.form = el('form');
    // several lines (an address): Shift+Enter breaks the line, Enter sends
    this.input = el('textarea', { name: 'text', rows: '2', maxlength: '4000', 'aria-label': words.yourMessage,
      placeholder: words.placeholder, dir: 'auto' });
    this.form.append(this.input, el('button', { type: 'submit' }, words.send));
    this.panel.append(header, this.banner, this.supportLine, this.queueLine, this.list, this.typingLine, this.operator, this.status,
      this.rating, this.error, this.form);
    shadow.append(...(styled ? [] : [el('style', {}, STYLE)]), this.launcher, this.panel);

    this.launcher.addEventListener('click', () => this.toggle());
    // the site's own links and buttons that open the chat (data-parley-open), wherever they are on the page
    document.addEventListener('click', (event) => {
      const opener = event.target instanceof Element ? event.target.closest('[data-parley-open]') : null;
      if (opener) {
        event.preventDefault(); // a link's href is the fallback for a page without the widget
        this.open({ text: opener.getAttribute('data-parley-open') || '' });
      }
    });
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { // closes the panel, and the keyboard is back on the launcher
        this.toggle();
        this.launcher.focus();
      }
    });
    document.addEventListener('visibilitychange', () => this.markSeen());
    if (rememberedChat(cfg.tenantId)) {
      // the visitor has a chat going: follow it from this page on, the panel closed, so that a
      // reply shows on the launcher; a chat that ended is not replaced by a new one until they open
      this.start({ resumeOnly: true });
    }
    this.input.addEventListener('input', () => {
      this.chat?.typing();
      if (this.chat) {
        draft(this.input.value ? 'setItem' : 'removeItem', this.root.dataset.session, this.input.value);
      }
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { // not while an IME composes
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value;
      if (this.chat && text.trim()) {
        this.chat.send(text);
        this.input.value = '';
        draft('removeItem', this.root.dataset.session);
      }
    });
  }

  /** The visitor's token from the host site's backend. */
  async token() {
    const response = await fetch(this.cfg.tokenUrl, {
      credentials: 'same-origin', headers: { Accept: 'application/json' }, signal: answerWithin(START_TIMEOUT_MS),
    });
    if (response.status === 401 || response.status === 403) {
      // the site has no customer for this browser (not signed in): say so in the visitor's words
      throw Object.assign(new Error(`the site did not hand over a chat token (HTTP ${response.status})`),
        { visitorMessage: this.words.signIn });
    }
    if (!response.ok) {
      throw new Error(`the site did not hand over a chat token (HTTP ${response.status})`);
    }
    const body = await response.json();
    if (!body || typeof body.token !== 'string') {
      throw new Error('the site\'s token endpoint answered without a token');
    }
    return body.token;
  }

  async api(token, method, path, body) {
    const response = await fetch(`${this.cfg.apiUrl}/api/tenants/${encodeURIComponent(this.cfg.tenantId)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: answerWithin(START_TIMEOUT_MS), // a chat-api that does not answer must not keep the visitor waiting
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (notJson) { // a proxy's error page
      if (response.ok) {
        throw notJson;
      }
    }
    if (!response.ok) {
      const error = new Error((data && (data.detail || data.title)) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  /**
   * Opens the panel (and the visitor's chat), for the site's scripts; open already, it stays so.
   * {@code text} starts the visitor's message in the composer, unless they are writing one already.
   */
  open({ text = '' } = {}) {
    if (text && !this.input.value.trim()) {
      this.input.value = String(text);
    }
    if (this.panel.hidden) {
      this.toggle();
    } else {
      this.input.focus();
    }
  }

  /** Closes the panel; the chat goes on (replies show on the launcher). */
  close() {
    if (!this.panel.hidden) {
      this.toggle();
    }
  }

  toggle() {
    const open = this.panel.hidden;
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    if (open && this.chat?.state === 'failed') {
      // it stopped for good (another tab of the visitor took its place: 4409), and the visitor is
      // here now: opening the panel takes the chat back
      this.chat.close();
      this.chat = null;
    }
    if (open) {
      // a look-up the page started on load only follows a chat that is going: if it found none, this
      // open starts one
      const following = this.starting && this.startingResumeOnly;
      this.start().then(() => (this.chat || !following ? null : this.start())).then(() => {
        this.input.focus();
        this.markSeen();
      });
    }
    this.updateBadge();
  }

  /**
   * Opens the visitor's chat: the one they had on this site, or a new one ({@code resumeOnly}: only
   * the one they had, if it is still open).
   */
  async start({ resumeOnly = false } = {}) {
    if (this.chat || this.starting) {
      return this.starting;
    }
    this.startingResumeOnly = resumeOnly;
    clearTimeout(this.startRetry);
    this.starting = (async () => {
      // not "Not connected" while the site and chat-api are asked; what went wrong the last time stays
      // said until this try succeeds (a retry every second or more would let it flash by unread)
      this.showState('connecting');
      try {
        const token = await this.token();
        this.me = subject(token);
        this.storageKey = `parley.widget.${this.cfg.tenantId}.${this.me}`;
        const known = remembered('getItem', this.storageKey);
        // only a chat that is gone (404, or 403: not this visitor's) starts a new one; a failure to
        // reach chat-api right now is shown, and opening the panel again comes back to the same chat
        let session = known
          ? await this.api(token, 'GET', `/sessions/${encodeURIComponent(known)}`).catch((e) => {
            if (e.status === 404 || e.status === 403) {
              return null;
            }
            throw e;
          }) : null;
        if (!session || session.status === 'closed' || session.status === 'resolved') {
          if (resumeOnly) { // over, or gone: not looked up again on every page; the next open starts anew
            remembered('removeItem', this.storageKey);
            return;
          }
          session = await this.api(token, 'POST', '/sessions', { metadata: startMetadata(this.cfg) });
          remembered('setItem', this.storageKey, session.id);
        }
        this.startAttempts = 0;
        this.error.textContent = '';
        this.connect(session, token);
      } catch (e) {
        const noAnswer = e?.name === 'TimeoutError' || e?.name === 'AbortError';
        this.error.textContent = e.visitorMessage || (noAnswer ? `${this.words.unavailable}.`
          : `${this.words.unavailable}: ${e.message}`);
        const forNow = noAnswer || e instanceof TypeError || e.status >= 500 || e.status === 429;
        if (forNow && !resumeOnly) {
          // chat-api away or slow, or the network: again by itself while the panel is open
          this.startRetry = setTimeout(() => {
            if (!this.panel.hidden && !this.chat) {
              this.start();
            }
          }, backoffDelay(this.startAttempts = (this.startAttempts || 0) + 1, { baseMs: 1000, maxMs: 30000 }));
        }
      } finally {
        this.starting = null;
        if (!this.chat) {
          this.showState('idle'); // nothing to follow (a look-up on load found no chat), or it failed
        }
      }
    })();
    return this.starting;
  }

  /** The connection line: the state in the widget's words, and why when it stopped for good. */
  showState(state, reason = null) {
    this.state.dataset.state = state;
    this.state.textContent = (this.words[state] || state) + (reason ? `: ${reason}` : '');
  }

  connect(session, token) {
    this.root.dataset.session = session.id;
    const begun = draft('getItem', session.id);
    if (begun && !this.input.value.trim()) {
      this.input.value = begun; // written on another page of the site, or before a reload
    }
    this.claim = null;
    this.support = null; // this chat's connection says it
    this.markedSeq = 0;
    // what chat-api counted unread for the visitor when the chat was opened on this page
    this.unreadBefore = { seq: session.last_seq || 0, count: session.unread_count || 0 };
    this.status.textContent = '';
    this.form.querySelectorAll('textarea, button').forEach((node) => { node.disabled = false; });
    const chat = new SessionClient({
      tenantId: this.cfg.tenantId, sessionId: session.id, subscriptionToken: session.subscription_token,
      apiUrl: this.cfg.apiUrl, gateways: this.cfg.gateways, token, getToken: () => this.token(),
    });
    this.chat = chat;
    this.followQueue(chat, session.id, session.queue_position);
    this.render(chat); // after a chat that ended: its messages go, this one's come
    chat.addEventListener('state', (e) => {
      const reason = this.words[STOP_REASON[e.detail.code]] || e.detail.reason; // e.g. opened in another tab
      this.showState(e.detail.state, e.detail.state === 'failed' ? reason : null);
    });
    // the chat given, not this.chat: the events that come with the one that ended (it is let go
    // at its status event) still draw it
    chat.addEventListener('messages', () => {
      this.render(chat);
      this.markSeen();
      this.updateBadge();
    });
    chat.addEventListener('read', () => this.render(chat)); // support read up to there: shown as seen
    chat.addEventListener('state', () => this.markSeen());
    chat.addEventListener('typing', (e) => {
      const others = e.detail.users.filter((u) => u.user_id !== this.me);
      this.typingLine.textContent = others.length
        ? fill(this.words.typing, { names: others.map((u) => this.roleName(u.role)).join(', ') }) : '';
    });
    chat.addEventListener('status', (e) => this.ended(e.detail.status));
    chat.addEventListener('claim', (e) => {
      // an operator took the chat (claimed or had it transferred) or left it
      this.claim = e.detail;
      this.showOperator(chat);
      this.showSupport();
    });
    chat.addEventListener('support', (e) => {
      this.support = e.detail.status;
      this.showSupport();
    });
    chat.addEventListener('presence', () => this.showOperator(chat)); // the operator's name comes with them
    chat.addEventListener('notice', (e) => {
      // an admin's notice to every open chat of the site (maintenance, an incident)
      this.banner.textContent = e.detail.message;
      this.banner.dataset.severity = e.detail.severity || 'info';
      this.banner.hidden = false;
    });
    chat.addEventListener('error', (e) => {
      // the client subscribes again by itself, and a message's trouble is said under it ("not sent
      // yet, trying again…", "not sent: …"): nothing more for the visitor to read or do
      if (!e.detail.resubscribe && !e.detail.client_message_id) {
        this.error.textContent = e.detail.message || '';
      }
    });
    chat.connect();
  }

  /** The line about the operator who holds the chat (text only): their name when known, else their id. */
  showOperator(chat) {
    if (!this.claim) {
      return;
    }
    const holder = this.claim.claimedBy;
    this.operator.textContent = holder ? fill(this.words.joined, { name: chat.conversation.nameOf(holder) })
      : this.words.left;
  }

  /**
   * Whether support is there (online, busy with others, away: leave a message), as the gateway says;
   * nothing while an operator holds the chat (the line about them says who is there) or once it ended.
   */
  showSupport() {
    const key = { available: 'supportAvailable', busy: 'supportBusy', away: 'supportAway' }[this.support];
    const held = this.claim && this.claim.claimedBy;
    this.supportLine.textContent = key && this.chat && !held ? this.words[key] : '';
    this.supportLine.dataset.status = this.supportLine.textContent ? this.support : '';
    this.queueLine.textContent = this.chat && !held && this.queuePosition
      ? fill(this.words.queuePosition, { n: this.queuePosition }) : '';
  }

  /**
   * Where the visitor stands in the queue: chat-api's queue_position of their chat, asked again
   * every QUEUE_EVERY_MS while nobody holds it (others ahead are taken, or leave).
   */
  followQueue(chat, sessionId, position) {
    clearInterval(this.queueTimer);
    this.queuePosition = position || null;
    this.showSupport();
    this.queueTimer = setInterval(async () => {
      if (this.chat !== chat) {
        clearInterval(this.queueTimer); // that chat ended, or another began
        return;
      }
      if (this.claim && this.claim.claimedBy) {
        return; // someone has the chat: no queue to stand in
      }
      try {
        const session = await this.api(await this.token(), 'GET', `/sessions/${encodeURIComponent(sessionId)}`);
        this.queuePosition = session.queue_position || null;
        this.showSupport();
      } catch (e) {
        // the line keeps the last position; the next turn asks again
      }
    }, QUEUE_EVERY_MS);
  }

  /** The launcher's count of support's messages the visitor has not had in view; none while the panel is open. */
  updateBadge() {
    let count = 0;
    if (this.chat && this.panel.hidden) {
      const fromOthers = this.chat.messages.filter((m) => m.state === 'stored' && m.sender_user_id !== this.me);
      count = this.markedSeq
        ? fromOthers.filter((m) => m.seq > this.markedSeq).length
        : this.unreadBefore.count + fromOthers.filter((m) => m.seq > this.unreadBefore.seq).length;
    }
    this.badge.textContent = String(count);
    this.badge.hidden = count === 0;
    this.launcher.setAttribute('aria-label', count
      ? fill(count === 1 ? this.words.newMessage : this.words.newMessages, { title: this.words.title, count })
      : this.words.title);
  }

  /**
   * What the visitor has in view is read: sent while the panel is open, the page visible and the
   * chat connected, so support sees their messages as seen (and the visitor's unread count is right).
   */
  markSeen() {
    const seq = this.chat?.store.resumeSeq || 0;
    if (this.chat && !this.panel.hidden && document.visibilityState === 'visible' && this.chat.state === 'open'
        && seq > (this.markedSeq || 0)) {
      this.markedSeq = seq;
      this.chat.markRead(seq);
    }
  }

  /** The messages, in place (patchList): a new one is added to the live region, the rest stay as they are. */
  render(chat) {
    const atBottom = atEnd(this.list);
    const seenUpTo = chat.conversation.readUpTo();
    // the site's welcome, as support's first words at the top of every chat: words of the page, never
    // a message (not stored, not in history or a saved copy); data-texts' "greeting": "" leaves it out
    const greeting = this.words.greeting ? [{
      key: 'greeting',
      look: this.words.greeting,
      draw: (li) => {
        li.className = 'greeting';
        li.replaceChildren(el('span', { class: 'who' }, this.words.support),
          el('span', { class: 'text' }, this.words.greeting));
      },
    }] : [];
    patchList(this.list, greeting.concat(chat.messages.map((m) => {
      const mine = m.state === 'pending' || m.state === 'failed' || m.sender_user_id === this.me;
      const seen = mine && m.state === 'stored' && m.seq <= seenUpTo;
      const note = messageNote(m, { seen, locale: this.cfg.lang, words: this.words });
      const text = m.state === 'deleted' ? this.words.deleted : m.content;
      // the visitor may take back what they wrote (a card number pasted by mistake)
      const deletable = mine && m.state === 'stored' && Boolean(m.message_id);
      return {
        key: messageKey(m),
        look: JSON.stringify([mine, m.state, text, note, m.role, m.sender_name, deletable]),
        draw: (li) => {
          li.className = mine ? 'mine' : '';
          li.dataset.state = m.state;
          if (seen) {
            li.dataset.seen = 'true';
          } else {
            delete li.dataset.seen;
          }
          // who wrote: the name they signed with (Sam Smith), else their role as the visitor reads it (Support)
          const who = mine ? this.words.you : (m.sender_name || this.roleName(m.role));
          li.replaceChildren(el('span', { class: 'who' }, who),
            m.state === 'deleted' ? el('span', { class: 'text' }, text) : messageText(text),
            ...(note ? [el('span', { class: 'who when' }, note)] : []),
            ...(deletable ? [this.deleteButton(chat, m)] : []));
        },
      };
    })));
    if (atBottom) {
      this.list.scrollTop = this.list.scrollHeight;
    }
  }

  /** Deletes one of the visitor's own messages for everyone, after asking; the chat then shows it deleted. */
  deleteButton(chat, message) {
    const button = el('button', { type: 'button', class: 'delete' }, this.words.deleteMessage);
    button.addEventListener('click', async () => {
      if (!globalThis.confirm(this.words.confirmDelete)) {
        return;
      }
      button.disabled = true;
      try {
        const response = await chat.rest('DELETE', `/messages/${encodeURIComponent(message.message_id)}`);
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        if (chat !== this.chat) {
          // the chat has ended (chat-api still takes the deletion): no event comes to draw it, so here
          const li = button.closest('li');
          li.dataset.state = 'deleted';
          li.replaceChildren(li.firstChild, el('span', { class: 'text' }, this.words.deleted));
        }
      } catch (e) {
        button.disabled = false;
        this.status.textContent = this.words.deleteFailed;
      }
    });
    return button;
  }

  ended(status) {
    const over = status === 'closed' || status === 'resolved';
    this.status.textContent = over ? this.words[status === 'closed' ? 'chatClosed' : 'chatResolved'] : '';
    this.form.querySelectorAll('textarea, button').forEach((node) => { node.disabled = over; });
    if (over) {
      remembered('removeItem', this.storageKey);
      draft('removeItem', this.root.dataset.session);
      const finished = this.chat;
      this.chat.close();
      this.chat = null;
      this.showSupport(); // over: whether support is there is no longer this chat's news
      const again = el('button', { type: 'button' }, this.words.startNew);
      again.addEventListener('click', () => this.startAgain());
      this.status.append(again);
      // a chat nobody wrote in (the visitor opened the panel and left; chat-api closes those): nothing
      // to keep and nothing to rate
      if (finished.messages.some((m) => m.state === 'stored' || m.state === 'deleted')) {
        const save = el('button', { type: 'button', class: 'save' }, this.words.saveChat);
        save.addEventListener('click', () => this.saveCopy(finished));
        this.status.append(save);
        this.askRating(this.root.dataset.session);
      }
    }
  }

  /**
   * The chat as a text file the visitor keeps (what was agreed, an order number): every message
   * stored, in order, with when and who, deleted ones as deleted; in the widget's language.
   */
  saveCopy(chat) {
    const date = (iso, style) => new Date(iso).toLocaleString(this.cfg.lang, style);
    const lines = chat.messages.filter((m) => m.state === 'stored' || m.state === 'deleted').map((m) => {
      const who = m.sender_user_id === this.me ? this.words.you : (m.sender_name || this.roleName(m.role));
      const text = m.state === 'deleted' ? this.words.deleted : m.content;
      return `[${date(m.created_at, { dateStyle: 'short', timeStyle: 'short' })}] ${who}: ${text}`;
    });
    const first = chat.messages.find((m) => m.created_at)?.created_at || new Date().toISOString();
    const heading = fill(this.words.transcript, { site: location.hostname, date: date(first, { dateStyle: 'long' }) });
    const file = new Blob([`${heading}\n\n${lines.join('\n')}\n`], { type: 'text/plain;charset=utf-8' });
    const link = el('a', { href: URL.createObjectURL(file), download: `chat-${first.slice(0, 10)}.txt` });
    this.root.append(link); // a detached link downloads in some browsers only
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  /** How was the chat that ended: two buttons, the answer to chat-api, then thanks (or why it failed). */
  askRating(sessionId) {
    const answer = (rating, face, label) => {
      // the word beside the face: a system without an emoji font shows a box, and the word still says it
      const button = el('button', { type: 'button', 'data-rating': rating }, `${face} ${label}`);
      button.addEventListener('click', async () => {
        this.rating.querySelectorAll('button').forEach((b) => { b.disabled = true; });
        try {
          await this.api(await this.token(), 'PUT', `/sessions/${encodeURIComponent(sessionId)}/rating`, { rating });
          this.rating.textContent = this.words.rateThanks;
        } catch (e) {
          this.rating.querySelectorAll('button').forEach((b) => { b.disabled = false; });
          this.error.textContent = `${this.words.unavailable}: ${e.message}`;
        }
      });
      return button;
    };
    this.rating.replaceChildren(this.words.rateQuestion, answer('good', '👍', this.words.rateGood),
      answer('bad', '👎', this.words.rateBad));
  }

  /** Who wrote, as the visitor reads it (roleNames), or the role as it came. */
  roleName(role) {
    return this.roleNames[role] || role || '';
  }

  /** A new chat after the last one ended: what that one showed goes with it. */
  startAgain() {
    this.status.textContent = '';
    this.rating.textContent = '';
    this.operator.textContent = '';
    this.typingLine.textContent = '';
    this.start().then(() => this.input.focus());
  }
}

const tag = typeof document === 'undefined' ? null : ownTag(); // not on a page: its functions only
if (tag && !tag.hasAttribute('data-manual')) {
  const cfg = settings(tag);
  if (!cfg.tenantId || !cfg.tokenUrl) {
    console.error('Parley widget: data-tenant and data-token-url are required on the script tag');
  } else {
    const mount = () => {
      window.parleyWidget = new ParleyWidget(cfg);
      document.dispatchEvent(new CustomEvent('parley:ready', { detail: window.parleyWidget }));
    };
    if (document.body) {
      mount();
    } else {
      document.addEventListener('DOMContentLoaded', mount, { once: true });
    }
  }
}
