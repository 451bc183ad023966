import { api } from './common.js';

const SHOWN = 8;

/** A saved reply as a list item: its shortcut, then its text (as text, never markup). */
export function replyItem(reply) {
  const li = document.createElement('li');
  li.dataset.shortcut = reply.shortcut;
  const shortcut = document.createElement('strong');
  shortcut.textContent = `/${reply.shortcut}`;
  const text = document.createElement('span');
  text.textContent = ` ${reply.content}`;
  li.append(shortcut, text);
  return li;
}

/**
 * The tenant's saved replies (chat-api's /saved-replies) in the dashboard's composers: typing "/"
 * and the start of a shortcut lists those that match; ↑ and ↓ choose, Enter or Tab (or a click)
 * put the reply in the composer to read over and send, Escape closes the list. In the text,
 * {customer} becomes the chat's customer and {me} the operator, by name; where a name is not
 * known the placeholder stays, selected, to be typed over.
 */
export class SavedReplies extends EventTarget {
  constructor(cfg) {
    super();
    this.cfg = cfg;
    this.replies = [];
    this.reading = null;
  }

  /**
   * The list from chat-api; 'change' after each read. Read at every "/" that starts a shortcut (a
   * reply an admin saved a moment ago is offered) and after each change made here; one read at a
   * time, each after the one before (so the last read is the newest).
   */
  load() {
    const reading = (this.reading || Promise.resolve()).catch(() => {})
      .then(() => api(this.cfg, 'GET', '/saved-replies'))
      .then((page) => {
        this.replies = page?.replies || [];
        this.dispatchEvent(new Event('change'));
        return this.replies;
      });
    this.reading = reading;
    reading.catch(() => {}).finally(() => {
      if (this.reading === reading) {
        this.reading = null;
      }
    });
    return reading;
  }

  /** Those whose shortcut starts with `typed`, then those whose text holds it; at most SHOWN. */
  matching(typed) {
    const word = typed.toLowerCase();
    const first = this.replies.filter((r) => r.shortcut.startsWith(word));
    const then = word ? this.replies.filter((r) => !r.shortcut.startsWith(word)
      && r.content.toLowerCase().includes(word)) : [];
    return [...first, ...then].slice(0, SHOWN);
  }

  /**
   * Offers the replies in `textarea` while its text is "/" and a shortcut; `names()` gives
   * {customer, me} for the chat it writes to (either may be empty).
   */
  attach(textarea, names) {
    const list = document.createElement('ul');
    list.className = 'suggestions';
    list.id = `${textarea.id}-replies`;
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Saved replies');
    list.hidden = true;
    textarea.after(list);
    textarea.setAttribute('aria-controls', list.id);
    textarea.setAttribute('aria-autocomplete', 'list');
    let shown = [];
    let active = 0;

    const close = () => {
      list.hidden = true;
      shown = [];
      textarea.removeAttribute('aria-activedescendant');
    };
    const draw = () => {
      const typed = /^\/(\S*)$/.exec(textarea.value);
      shown = typed ? this.matching(typed[1]) : [];
      if (!typed) {
        close();
        return;
      }
      active = Math.min(active, Math.max(0, shown.length - 1));
      list.replaceChildren(...(shown.length ? shown.map((reply, i) => {
        const li = replyItem(reply);
        li.id = `${list.id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', String(i === active));
        // mousedown, not click: the textarea keeps its focus
        li.addEventListener('mousedown', (event) => { event.preventDefault(); use(reply); });
        return li;
      }) : [empty()]));
      list.hidden = false;
      if (shown.length) {
        textarea.setAttribute('aria-activedescendant', `${list.id}-${active}`);
      }
    };
    const empty = () => {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = this.replies.length ? 'No saved reply starts with that.'
        : 'No saved replies yet: an admin adds them under "Saved replies".';
      return li;
    };
    const use = (reply) => {
      const { customer, me } = names();
      let text = reply.content;
      if (customer) {
        text = text.replaceAll('{customer}', customer);
      }
      if (me) {
        text = text.replaceAll('{me}', me);
      }
      textarea.value = text;
      close();
      textarea.focus();
      const left = text.search(/\{(customer|me)\}/); // a name not known: selected, to be typed over
      if (left >= 0) {
        textarea.setSelectionRange(left, left + text.slice(left).indexOf('}') + 1);
      } else {
        textarea.setSelectionRange(text.length, text.length);
      }
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    };

    textarea.addEventListener('input', () => {
      if (textarea.value === '/') {
        active = 0;
        this.load().catch(() => {}); // meanwhile the list read before; 'change' draws the new one
      }
      draw();
    });
    this.addEventListener('change', () => { if (!list.hidden) draw(); });
    textarea.addEventListener('blur', close);
    // before the composer's own Enter (which sends): capture, at the textarea itself
    textarea.addEventListener('keydown', (event) => {
      if (list.hidden || event.isComposing) {
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        close();
      } else if (shown.length && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
        event.preventDefault();
        active = (active + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
        draw();
      } else if (shown.length && (event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) {
        event.preventDefault();
        event.stopImmediatePropagation();
        use(shown[active]);
      }
    }, { capture: true });
  }
}
