// The demo pages in a real browser (Debian's Chromium driven by playwright-core), against the real
// system that BrowserIT started: chat-api and two gateway instances on PostgreSQL and Kafka.
// Environment: PARLEY_API, PARLEY_GW1, PARLEY_GW2, PARLEY_TENANT, PARLEY_CUSTOMER_TOKEN,
// PARLEY_CUSTOMER2_TOKEN, PARLEY_STAFF_TOKEN, PARLEY_STAFF2_TOKEN (olivia), PARLEY_ADMIN_TOKEN, PARLEY_QUEUE_TENANT,
// PARLEY_QUEUE_OLDEST, PARLEY_QUEUE_STAFF_TOKEN (a tenant with 221 chats), PARLEY_CONTROL (stops gateway 1, pauses and resumes PostgreSQL, Kafka or chat-api), PARLEY_SHOP (a site that
// embeds the widget), PARLEY_ROGUE_SHOP (the same page on an origin nobody allowed), PARLEY_SCREENSHOTS.
// Playwright gives every launch a fresh temporary profile.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const shots = env.PARLEY_SCREENSHOTS || 'target/screenshots';
mkdirSync(shots, { recursive: true });
let browser;
let customer; // the widget, served by gateway 1, connected to gateway 1 first
let staff; // the dashboard, served by gateway 2, connected to gateway 2
let sessionId;

// What a user would see go wrong on a page without looking for it: an uncaught script error, or a
// resource of the page that is not there (a 404 in the console). Every test ends without either.
const problems = [];
function watch(p, name) {
  p.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && /status of 404/.test(m.text())) {
      problems.push(`${name}: ${m.text()} ${m.location()?.url ?? ''}`);
    }
  });
  return p;
}

afterEach(() => {
  assert.deepEqual(problems.splice(0), []);
});
let follower; // a second staff tab, served by and connected to gateway 1, following two chats on one socket
const followerSockets = [];

const page = (gateway, file, token, gateways) => `${gateway}/demo/${file}?tenant=${env.PARLEY_TENANT}`
  + `&api=${env.PARLEY_API}&gateways=${gateways}&token=${token}`;

before(async () => {
  browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  customer = await (await browser.newContext()).newPage();
  staff = await (await browser.newContext()).newPage();
  watch(customer, 'widget');
  watch(staff, 'dashboard');
});

after(async () => {
  await browser?.close();
});

const texts = (p) => p.locator('#messages li .text').allTextContents();
/** chat-api's REST as the shop's visitor (carol): their chats, their messages. */
const asVisitor = (method, path, body) => fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}${path}`, {
  method, headers: { Authorization: `Bearer ${env.PARLEY_SHOP_VISITOR_TOKEN}`, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
}).then((r) => r.json());

async function seqs(p) {
  return p.locator('#messages li[data-seq]').evaluateAll((lis) => lis.map((li) => Number(li.dataset.seq)));
}

test('customer and staff exchange messages both ways, see typing and status changes', async () => {
  await customer.goto(page(env.PARLEY_GW1, 'widget.html', env.PARLEY_CUSTOMER_TOKEN,
    `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  // no chat yet: nothing to write in (a box shown here took words and Enter and did nothing with them)
  await customer.getByRole('button', { name: 'Start a chat' }).waitFor();
  assert.equal(await customer.locator('#composer').isVisible(), false, 'a message box before there is a chat');
  assert.equal(await customer.locator('#messages').isVisible(), false);
  await customer.getByRole('button', { name: 'Start a chat' }).click();
  await customer.locator('#state[data-state="open"]').waitFor();
  assert.ok(await customer.locator('#composer').isVisible(), 'the chat has started: the box is there');
  assert.ok(!customer.url().includes('token='), 'the token is kept out of the page URL and its history');
  sessionId = await customer.locator('body').getAttribute('data-session');
  assert.ok(sessionId);
  // no operator is online yet: the customer reads that support is away, and may leave a message
  await customer.locator('#support[data-status="away"]', { hasText: 'Leave a message' }).waitFor();

  await staff.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_STAFF_TOKEN,
    `${env.PARLEY_GW2},${env.PARLEY_GW1}`));
  await staff.locator('#state[data-state="open"]').waitFor();
  // sam's dashboard is open (on the other gateway): support is there
  await customer.locator('#support[data-status="available"]', { hasText: 'Our team is online.' }).waitFor();
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  await staff.locator('#chat-state[data-state="open"]').waitFor();

  // the customer types: staff sees it as typing, then the message
  await customer.locator('#text').pressSequentially('Hello, my order has not arrived', { delay: 20 });
  await staff.locator('#typing', { hasText: 'Customer is typing' }).waitFor();
  await customer.locator('#text').press('Enter');
  await staff.locator('#messages li .text', { hasText: 'Hello, my order has not arrived' }).waitFor();
  await customer.locator('#messages li[data-state="stored"] .text', { hasText: 'Hello, my order' }).waitFor();
  await staff.locator('#typing:empty').waitFor();

  // and back
  await staff.locator('#text').pressSequentially('Sorry to hear that, let me check', { delay: 20 });
  await customer.locator('#typing', { hasText: 'Support is typing' }).waitFor();
  await staff.locator('#text').press('Enter');
  await customer.locator('#messages li .text', { hasText: 'let me check' }).waitFor();
  // signed with the name of sam's token (chat-api's sender_name); alice's token has none: her role
  assert.equal(await customer.locator('#messages li', { hasText: 'let me check' }).locator('.who').first().textContent(),
    'Sam Smith (Support)');
  assert.equal(await staff.locator('#messages li', { hasText: 'Hello, my order' }).locator('.who').first().textContent(),
    'Customer');

  // the dashboard's list shows the last message
  await staff.locator(`button[data-session="${sessionId}"] .preview`, { hasText: 'let me check' }).waitFor();
  await customer.screenshot({ path: join(shots, 'widget-conversation.png'), fullPage: true });
  await staff.screenshot({ path: join(shots, 'dashboard-conversation.png'), fullPage: true });
});

test('staff find a chat by what the customer wrote, and go back to their list', async () => {
  const listed = () => staff.locator('#sessions button[data-session]')
    .evaluateAll((buttons) => buttons.map((b) => b.dataset.session));
  const before = await listed();
  // the box says in full what one can look for
  assert.equal(await staff.getByRole('searchbox', { name: 'Search the chats' }).evaluate((box) => {
    box.value = box.placeholder;
    const cut = box.scrollWidth > box.clientWidth;
    box.value = '';
    return cut;
  }), false, 'the search box shows its whole hint');
  await staff.getByRole('searchbox', { name: 'Search the chats' }).fill('ORDER has not');
  await staff.getByRole('button', { name: 'Search', exact: true }).click();
  await staff.locator('#search-note', { hasText: '1 chat with “ORDER has not”' }).waitFor();
  assert.deepEqual(await listed(), [sessionId]);
  await staff.getByRole('searchbox', { name: 'Search the chats' }).fill('no chat says this');
  await staff.getByRole('searchbox', { name: 'Search the chats' }).press('Enter');
  await staff.locator('#search-note', { hasText: '0 chats with “no chat says this”' }).waitFor();
  assert.deepEqual(await listed(), []);
  await staff.getByRole('button', { name: 'Clear' }).click();
  await staff.locator('#search-note').waitFor({ state: 'hidden' });
  assert.deepEqual(await listed(), before);
});

test('an operator on the chat list keeps their place while other chats change: the focus, then Enter opens it',
  async () => {
    // bob writes in a chat of his own while sam's keyboard is on alice's chat in the list
    const asBob = (path, body) => fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}${path}`, {
      method: 'POST', headers: { Authorization: `Bearer ${env.PARLEY_CUSTOMER2_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => {
      const body = await r.text();
      assert.equal(r.status, 201, body);
      return JSON.parse(body);
    });
    const bobs = await asBob('/sessions', {});
    await staff.locator(`#sessions button[data-session="${bobs.id}"]`).waitFor();
    const alices = staff.locator(`#sessions button[data-session="${sessionId}"]`);
    await alices.focus();
    await staff.keyboard.press('Shift+Tab'); // to it from the keyboard, as an operator gets there
    await staff.keyboard.press('Tab');
    const focused = () => staff.evaluate(() => document.activeElement?.dataset?.session ?? document.activeElement?.tagName);
    assert.equal(await focused(), sessionId);
    for (let i = 1; i <= 3; i++) {
      await asBob(`/sessions/${bobs.id}/messages`, { content: `bob's question ${i}`, client_message_id: `bob-list-${i}` });
      await staff.locator(`#sessions button[data-session="${bobs.id}"] .preview`, { hasText: `bob's question ${i}` }).waitFor();
      assert.equal(await focused(), sessionId, `the focus stays on alice's chat after bob's message ${i}`);
    }
    assert.notEqual(await alices.evaluate((b) => getComputedStyle(b).outlineStyle), 'none', 'and it shows where it is');
    await staff.keyboard.press('Enter');
    await staff.locator(`#sessions button[data-session="${sessionId}"][aria-current="true"]`).waitFor();
    await staff.locator('#messages li .text', { hasText: 'Hello, my order has not arrived' }).waitFor();
  });

test('an admin saves replies; an operator types /shortcut and sends one, with the names filled in', async () => {
  const ann = await (await browser.newContext()).newPage();
  watch(ann, 'ann');
  await ann.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await ann.locator('#state[data-state="open"]').waitFor();
  await ann.locator('#replies-panel summary').click();
  const save = async (shortcut, content) => {
    await ann.getByLabel('Shortcut').fill(shortcut);
    await ann.getByLabel('Reply text').fill(content);
    await ann.locator('#reply-form').getByRole('button', { name: 'Save' }).click();
  };
  await save('/Hours', 'Hi {customer}, we are open 9 to 5. {me}');
  await ann.locator('#replies-note', { hasText: 'Saved /hours.' }).waitFor();
  await save('bye', 'Goodbye!');
  await ann.locator('#saved-replies li[data-shortcut="bye"]').waitFor();
  // the same shortcut again changes that reply (no second one); an edit starts from the list
  await ann.getByRole('button', { name: 'Edit /hours' }).click();
  assert.equal(await ann.getByLabel('Shortcut').inputValue(), 'hours');
  await ann.getByLabel('Reply text').fill('Hi {customer}, we are open 9 to 6. {me}');
  await ann.locator('#reply-form').getByRole('button', { name: 'Save' }).click();
  await ann.locator('#saved-replies li[data-shortcut="hours"]', { hasText: '9 to 6' }).waitFor();
  // Edit, then another shortcut: the reply is renamed, not copied
  await ann.getByRole('button', { name: 'Edit /bye' }).click();
  await ann.getByLabel('Shortcut').fill('goodbye');
  await ann.locator('#reply-form').getByRole('button', { name: 'Save' }).click();
  await ann.locator('#saved-replies li[data-shortcut="goodbye"]').waitFor();
  await ann.locator('#saved-replies li[data-shortcut="bye"]').waitFor({ state: 'detached' });
  ann.once('dialog', (dialog) => dialog.accept());
  await ann.getByRole('button', { name: 'Delete /goodbye' }).click();
  await ann.locator('#saved-replies li[data-shortcut="goodbye"]').waitFor({ state: 'detached' });
  assert.equal(await ann.locator('#replies-count').textContent(), '1');
  await save('two words', 'x');
  await ann.locator('#replies-note', { hasText: 'Not saved: shortcut must be 1 to 32 letters' }).waitFor();
  await ann.screenshot({ path: join(shots, 'dashboard-saved-replies.png'), fullPage: true });
  await ann.context().close();

  // sam's page was open before: a supporter reads the replies, changes none, and gets the new one at "/"
  assert.equal(await staff.locator('#reply-form').isVisible(), false, 'a supporter has no form to change them');
  const text = staff.locator('#text');
  await text.fill('');
  await text.pressSequentially('/');
  await staff.getByRole('option', { name: /\/hours/ }).waitFor();
  await text.press('Escape');
  await staff.getByRole('listbox', { name: 'Saved replies' }).waitFor({ state: 'hidden' });
  assert.equal(await text.inputValue(), '/', 'Escape closes the list and keeps the text');
  await text.pressSequentially('ho');
  await staff.getByRole('option', { name: /\/hours/ }).waitFor();
  await staff.screenshot({ path: join(shots, 'dashboard-reply-shortcut.png'), fullPage: true });
  await text.press('Enter'); // takes the reply, does not send "/ho"
  // alice's token has no name: {customer} stays, selected, and what the operator types replaces it
  assert.equal(await text.inputValue(), 'Hi {customer}, we are open 9 to 6. Sam Smith');
  await text.pressSequentially('Alice');
  await text.press('Enter');
  await customer.locator('#messages li .text', { hasText: 'Hi Alice, we are open 9 to 6. Sam Smith' }).waitFor();
  assert.equal(await customer.locator('#messages li .text', { hasText: '/ho' }).count(), 0, '"/ho" was never sent');
});

test('operators leave notes on a chat for each other, live; the customer never sees one', async () => {
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  await staff.getByRole('heading', { name: 'Notes for the team' }).waitFor();
  await staff.getByLabel('Note for the team').fill('Order 42 is lost in transit; refund agreed');
  await staff.getByLabel('Note for the team').press('Enter');
  await staff.locator('#notes-list li', { hasText: 'Order 42 is lost in transit; refund agreed' }).waitFor();
  assert.match(await staff.locator('#notes-list li .who').first().textContent(), /^Sam Smith · /);

  // another operator opens the chat later: the note is there, and the next one comes live
  const ann = watch(await (await browser.newContext()).newPage(), 'ann, notes');
  await ann.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await ann.locator(`button[data-session="${sessionId}"]`).click();
  await ann.locator('#notes-list li', { hasText: 'refund agreed' }).waitFor();
  await staff.getByLabel('Note for the team').fill('Refund sent <b>today</b>');
  await staff.getByRole('button', { name: 'Add note' }).click();
  await ann.locator('#notes-list li', { hasText: 'Refund sent <b>today</b>' }).waitFor();
  assert.equal(await ann.locator('#notes-list li b').count(), 0, 'text, not markup');
  assert.equal(await staff.locator('#notes-list li').count(), 2, 'each note once (its answer and its frame)');
  await staff.screenshot({ path: join(shots, 'dashboard-notes.png'), fullPage: true });
  // sam takes one back: gone on ann's page too
  staff.once('dialog', (dialog) => dialog.accept());
  await staff.locator('#notes-list li', { hasText: 'Refund sent' }).getByRole('button', { name: /^Delete the note/ }).click();
  await ann.locator('#notes-list li', { hasText: 'Refund sent' }).waitFor({ state: 'detached' });
  await staff.locator('#notes-list li', { hasText: 'Refund sent' }).waitFor({ state: 'detached' });
  assert.equal(await ann.locator('#notes-list li').count(), 1);
  await ann.context().close();
  const widget = await customer.locator('body').innerText();
  assert.ok(!widget.includes('Order 42 is lost') && !widget.includes('Refund sent'), 'the customer sees no note');
});

test('a reply begun in one chat stays with it: opening another chat never carries it to that customer', async () => {
  // one composer serves every chat: the reply typed for one customer was still in it when the
  // operator opened the next chat, and Enter sent it there
  const other = await asVisitor('POST', '/sessions', {});
  await asVisitor('POST', `/sessions/${other.id}/messages`, { content: 'Where is my parcel?' });
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  await staff.locator('#text').fill('Your refund for order 42 is on its way');
  await staff.getByLabel('Note for the team').fill('asked for a refund');
  await staff.locator(`button[data-session="${other.id}"]`).click();
  await staff.locator('#messages li .text', { hasText: 'Where is my parcel?' }).waitFor();
  assert.equal(await staff.locator('#text').inputValue(), '', 'the other customer\'s chat starts with an empty box');
  assert.equal(await staff.getByLabel('Note for the team').inputValue(), '');
  await staff.locator(`button[data-session="${sessionId}"] .draft`, { hasText: 'draft' }).waitFor();
  // the chat left is followed on the side: its reply box there holds the reply begun, to go on with
  const side = staff.locator(`#reply-${sessionId}`);
  assert.equal(await side.inputValue(), 'Your refund for order 42 is on its way');
  await side.pressSequentially(' today');
  await staff.locator('#text').fill('It left the warehouse today');
  await staff.locator('#text').press('Enter');
  await staff.locator('#messages li .text', { hasText: 'It left the warehouse today' }).waitFor();
  // back: the reply and the note are where they were left, and go to the customer they were for
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  assert.equal(await staff.locator('#text').inputValue(), 'Your refund for order 42 is on its way today');
  assert.equal(await staff.getByLabel('Note for the team').inputValue(), 'asked for a refund');
  assert.equal(await staff.locator(`button[data-session="${sessionId}"] .draft`).textContent(), '');
  await staff.locator('#text').press('Enter');
  await customer.locator('#messages li .text', { hasText: 'Your refund for order 42 is on its way today' }).waitFor();
  // a note still on its way when the operator opens the other chat: added to its own chat, once, and
  // the other chat's note box keeps what is written there
  await staff.route('**/notes', async (route) => {
    if (route.request().method() === 'POST') {
      await new Promise((resolve) => { setTimeout(resolve, 1500); });
    }
    await route.continue();
  });
  const posted = staff.waitForResponse((r) => r.url().endsWith('/notes') && r.request().method() === 'POST');
  await staff.getByLabel('Note for the team').press('Enter');
  await staff.locator(`button[data-session="${other.id}"]`).click();
  await staff.getByLabel('Note for the team').fill('tracking number sent');
  await posted;
  await staff.waitForTimeout(200);
  assert.equal(await staff.getByLabel('Note for the team').inputValue(), 'tracking number sent');
  await staff.unroute('**/notes');
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  await staff.locator('#notes-list li .text', { hasText: 'asked for a refund' }).waitFor();
  assert.equal(await staff.locator('#notes-list li .text', { hasText: 'asked for a refund' }).count(), 1);
  assert.equal(await staff.getByLabel('Note for the team').inputValue(), '', 'the note added is not there again');
  await staff.locator(`button[data-session="${other.id}"]`).click();
  assert.equal(await staff.getByLabel('Note for the team').inputValue(), 'tracking number sent');
  await staff.getByLabel('Note for the team').fill('');
  await staff.locator(`button[data-session="${sessionId}"]`).click(); // where the tests after this one look
  const parcel = await asVisitor('GET', `/sessions/${other.id}/messages`);
  assert.deepEqual(parcel.items.map((m) => m.content), ['Where is my parcel?', 'It left the warehouse today'],
    'nothing of the first chat reached the other customer');

  // a reload of the tab keeps the drafts too: the open chat's and the others'
  const ann = watch(await (await browser.newContext()).newPage(), 'ann, drafts');
  await ann.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await ann.locator(`button[data-session="${other.id}"]`).click();
  await ann.locator('#text').fill('The courier comes on Monday');
  await ann.locator(`button[data-session="${sessionId}"]`).click();
  await ann.getByLabel('Note for the team').fill('check the refund on Friday');
  await ann.reload();
  await ann.locator('#state[data-state="open"]').waitFor();
  await ann.locator(`button[data-session="${sessionId}"] .draft`, { hasText: 'draft' }).waitFor();
  await ann.locator(`button[data-session="${other.id}"] .draft`, { hasText: 'draft' }).waitFor();
  await ann.locator(`button[data-session="${other.id}"]`).click();
  assert.equal(await ann.locator('#text').inputValue(), 'The courier comes on Monday');
  await ann.locator(`button[data-session="${sessionId}"]`).click();
  assert.equal(await ann.getByLabel('Note for the team').inputValue(), 'check the refund on Friday');
  assert.equal(await ann.locator('#text').inputValue(), '');
  await ann.context().close();
});

test('an operator whose dashboard is behind other windows is notified of a new chat and its message; '
  + 'a click opens it; a chat back in the queue is news too', async () => {
  const context = await browser.newContext({ permissions: ['notifications'] });
  await context.addInitScript(() => {
    // the browser's own Notification, watched: what the page showed, in order
    const Real = window.Notification;
    window.notifications = [];
    window.Notification = new Proxy(Real, {
      construct(target, args) {
        const note = Reflect.construct(target, args);
        window.notifications.push(note);
        return note;
      },
      get(target, name) {
        const value = Reflect.get(target, name);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // headless Chromium keeps every page visible and focused: the test says when this one is behind
    Object.defineProperty(document, 'visibilityState', { get: () => (window.behind ? 'hidden' : 'visible') });
    document.hasFocus = () => !window.behind;
  });
  const ann = watch(await context.newPage(), 'ann, notified');
  await ann.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await ann.locator('#state[data-state="open"]').waitFor();
  await ann.locator('#notify-note', { hasText: 'Desktop notifications on' }).waitFor();
  assert.equal(await ann.getByRole('button', { name: 'Notify me of new chats' }).isVisible(), false, 'allowed already');
  await ann.evaluate(() => { window.behind = true; });

  const chat = await asVisitor('POST', '/sessions', {});
  await asVisitor('POST', `/sessions/${chat.id}/messages`, { content: 'Is the blue mug in stock?' });
  await ann.waitForFunction(() => window.notifications.length === 2);
  assert.deepEqual(await ann.evaluate(() => window.notifications.map((n) => [n.title, n.body, n.tag])), [
    ['New chat', 'Customer carol', chat.id], ['Customer carol', 'Is the blue mug in stock?', chat.id]]);

  // in front again: the list shows the next message, and no notification comes with it
  await ann.evaluate(() => { window.behind = false; });
  await asVisitor('POST', `/sessions/${chat.id}/messages`, { content: 'And the red one?' });
  await ann.locator(`button[data-session="${chat.id}"] .preview`, { hasText: 'And the red one?' }).waitFor();
  assert.equal(await ann.evaluate(() => window.notifications.length), 2);
  // a click on the notification opens the chat
  await ann.evaluate(() => window.notifications[1].dispatchEvent(new Event('click')));
  await ann.locator('#session-title', { hasText: 'carol' }).waitFor();
  await ann.locator('#messages li .text', { hasText: 'And the red one?' }).waitFor();

  // behind again: a colleague takes the chat and gives it back; it needs someone again
  await ann.evaluate(() => { window.behind = true; });
  const asOlivia = (method) => fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${chat.id}/claim`,
    { method, headers: { Authorization: `Bearer ${env.PARLEY_STAFF2_TOKEN}` } });
  assert.equal((await asOlivia('POST')).status, 200);
  assert.equal((await asOlivia('DELETE')).status, 200);
  await ann.waitForFunction(() => window.notifications.length === 3);
  assert.deepEqual(await ann.evaluate(() => [window.notifications[2].title, window.notifications[2].body]),
    ['Back in the queue', 'Customer carol: released by olivia'], 'a claim is no news; a release is');
  await context.close();
});

test('a message containing markup shows as text on both pages', async () => {
  const markup = '<img src=x onerror="window.__xss=1"><b>bold?</b>';
  await customer.locator('#text').fill(markup);
  await customer.locator('#text').press('Enter');
  await staff.locator('#messages li .text', { hasText: 'bold?' }).waitFor();
  for (const p of [customer, staff]) {
    assert.ok((await texts(p)).includes(markup), 'the markup is shown as typed');
    assert.equal(await p.locator('#messages img, #messages b').count(), 0, 'no element was created from it');
    assert.equal(await p.evaluate(() => window.__xss), undefined, 'no script ran');
  }
});

test('a web address in a message is a link that opens in a new tab, on both pages; nothing else is', async () => {
  const reply = 'Track it at https://track.example.com/p?id=42. Not a link: javascript:alert(1)';
  await staff.locator('#text').fill(reply);
  await staff.locator('#text').press('Enter');
  await customer.locator('#messages li .text', { hasText: 'Track it at' }).waitFor();
  for (const p of [customer, staff]) {
    const text = p.locator('#messages li .text', { hasText: 'Track it at' });
    assert.equal(await text.textContent(), reply, 'the message reads as written');
    const link = text.locator('a');
    assert.equal(await link.count(), 1, 'one link, the web address');
    assert.equal(await link.getAttribute('href'), 'https://track.example.com/p?id=42');
    assert.equal(await link.textContent(), 'https://track.example.com/p?id=42');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  }
  // the customer follows it: a new tab that cannot reach back into the chat's page, which stays as it was
  await customer.context().route('https://track.example.com/**', (route) => route.fulfill({
    contentType: 'text/html', body: '<title>Tracking</title>Parcel 42: on its way' }));
  const [tab] = await Promise.all([customer.context().waitForEvent('page'),
    customer.locator('#messages li .text a', { hasText: 'track.example.com' }).click()]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), 'https://track.example.com/p?id=42');
  assert.equal(await tab.evaluate(() => window.opener), null);
  await tab.close();
  assert.ok(customer.url().includes('/demo/widget.html'));
  await customer.locator('#state[data-state="open"]').waitFor();
});

test('staff delete a message the customer should not have sent; it is gone on both pages', async () => {
  const card = 'my card is 4111 1111 1111 1111';
  await customer.locator('#text').fill(card);
  await customer.locator('#text').press('Enter');
  const line = staff.locator('#messages li', { has: staff.locator('.text', { hasText: card }) });
  await line.waitFor();
  staff.once('dialog', (dialog) => dialog.accept());
  await line.getByRole('button', { name: 'Delete message' }).click();
  for (const p of [customer, staff]) {
    await p.locator('#messages li[data-state="deleted"] .text', { hasText: 'Message deleted' }).waitFor();
    assert.ok(!(await p.locator('body').innerText()).includes('4111'), 'the number is nowhere on the page');
  }
  // the session list said it last: it says the message was deleted, now and after a reload
  await staff.locator(`button[data-session="${sessionId}"] .preview`, { hasText: 'Message deleted' }).waitFor();
  await staff.reload();
  await staff.locator(`button[data-session="${sessionId}"] .preview`, { hasText: 'Message deleted' }).waitFor();
  assert.ok(!(await staff.locator('body').innerText()).includes('4111'), 'nor after a reload');
  await staff.locator(`button[data-session="${sessionId}"]`).click(); // the chat open again, as before
  await staff.locator('#chat-state[data-state="open"]').waitFor();
  assert.equal(await customer.locator('#messages li:not(.mine) button').count(), 0,
    'a customer deletes nothing that support wrote');
  assert.equal(await staff.locator('#messages li[data-state="deleted"] button').count(), 0,
    'nothing to delete on what is deleted');
});

test('the customer takes back a message of their own; it is gone on both pages', async () => {
  const slip = 'my password is hunter2';
  await customer.locator('#text').fill(slip);
  await customer.locator('#text').press('Enter');
  const line = customer.locator('#messages li.mine[data-state="stored"]', { has: customer.locator('.text', { hasText: slip }) });
  await staff.locator('#messages li .text', { hasText: slip }).waitFor();
  customer.once('dialog', (dialog) => dialog.accept());
  await line.getByRole('button', { name: 'Delete message' }).click();
  for (const p of [customer, staff]) {
    await p.locator('#messages li[data-state="deleted"]').nth(1).waitFor(); // the card number's, then this one
    assert.ok(!(await p.locator('body').innerText()).includes('hunter2'), 'the password is nowhere on the page');
  }
});

test('a staff tab follows two chats on one socket', async () => {
  const created = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions`, {
    method: 'POST', headers: { Authorization: `Bearer ${env.PARLEY_CUSTOMER2_TOKEN}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(created.status, 201);
  const second = (await created.json()).id;
  follower = await (await browser.newContext()).newPage();
  watch(follower, 'follower');
  follower.on('websocket', (ws) => followerSockets.push(ws.url()));
  await follower.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_STAFF_TOKEN,
    `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await follower.locator('#state[data-state="open"]').waitFor();
  await follower.locator(`button[data-session="${second}"]`).click();
  await follower.locator('#chat-state[data-state="open"]').waitFor();
  const posted = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${second}/messages`, {
    method: 'POST', headers: { Authorization: `Bearer ${env.PARLEY_CUSTOMER2_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ content: 'hello from the second customer' }),
  });
  assert.equal(posted.status, 201);
  await follower.locator('#messages li .text', { hasText: 'hello from the second customer' }).waitFor();
  await follower.locator(`button[data-session="${sessionId}"]`).click();
  await follower.locator('#chat-state[data-state="open"]').waitFor();
  await follower.locator('#messages li .text', { hasText: 'let me check' }).waitFor();
  await follower.locator(`button[data-session="${second}"][data-following="true"]`).waitFor();
  await follower.locator(`button[data-session="${sessionId}"][data-following="true"]`).waitFor();
  // the other chat stays open beside this one: its messages, and a reply from there
  const side = follower.locator(`#side-chats article[data-session="${second}"]`);
  await side.locator('.text', { hasText: 'hello from the second customer' }).waitFor();
  await side.getByLabel(/Reply to/).fill('answered from the side');
  await side.getByRole('button', { name: 'Send' }).click();
  await side.locator('li[data-state="stored"] .text', { hasText: 'answered from the side' }).waitFor();
  await follower.locator('#presence', { hasText: 'alice (Customer)' }).waitFor();
  await follower.screenshot({ path: join(shots, 'dashboard-two-chats.png'), fullPage: true });
  assert.deepEqual(followerSockets, [`${env.PARLEY_GW1.replace(/^http/, 'ws')}/ws/${env.PARLEY_TENANT}`],
    'the dashboard and both chats share one WebSocket');
});

test('two operators: one claims, the other sees it, a transfer moves the chat, the customer sees who joined; '
  + 'unread badges survive a reload', async () => {
  const olivia = await (await browser.newContext()).newPage();
  watch(olivia, 'olivia');
  await olivia.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_STAFF2_TOKEN,
    `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await olivia.locator('#state[data-state="open"]').waitFor();
  const holderIn = (p, id) => p.locator(`button[data-session="${id}"] .holder`);
  await holderIn(olivia, sessionId).filter({ hasText: 'unclaimed' }).waitFor();
  // the operators list: olivia (gateway 1) appears on sam's page (gateway 2), and her status with her
  await staff.locator('#operators li[data-user="olivia"][data-status="available"]').waitFor();
  await olivia.getByLabel('My status').selectOption('away');
  await staff.locator('#operators li[data-user="olivia"][data-status="away"]').waitFor();
  await olivia.getByLabel('My status').selectOption('available');
  await staff.locator('#operators li[data-user="olivia"][data-status="available"]').waitFor();
  // sam (gateway 2) is listed on olivia's page (gateway 1) by the name of his token, with his user id;
  // olivia's token has none: her user id
  await olivia.locator('#operators li[data-user="sam"]', { hasText: /^Sam Smith \(sam\) · / }).waitFor();
  await staff.locator('#operators li[data-user="sam"]', { hasText: /^Sam Smith \(sam, you\) · / }).waitFor();
  await staff.locator('#operators li[data-user="olivia"]', { hasText: /^olivia · / }).waitFor();
  assert.equal(await olivia.locator('#operator-ids option[value="sam"]').getAttribute('value'), 'sam');
  assert.match(await olivia.locator('#operator-ids option[value="sam"]').textContent(), /^Sam Smith · /);

  // sam (gateway 2) claims alice's chat: olivia (gateway 1) and alice see it
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  await staff.getByRole('button', { name: 'Claim', exact: true }).click();
  await staff.locator('#holder', { hasText: 'Claimed by you' }).waitFor();
  await holderIn(olivia, sessionId).filter({ hasText: 'sam' }).waitFor();
  await customer.locator('#operator', { hasText: 'Sam Smith from support joined the chat' }).waitFor();
  await olivia.getByLabel('Mine', { exact: true }).check();
  assert.equal(await olivia.locator(`button[data-session="${sessionId}"]`).count(), 0, 'not olivia\'s');

  // sam hands it to olivia: the transfer field offers the other operators, with how they are
  await staff.locator('#operator-ids option[value="olivia"]', { hasText: 'available' }).waitFor({ state: 'attached' });
  assert.equal(await staff.locator('#operator-ids option[value="sam"]').count(), 0, 'not himself');
  assert.equal(await staff.getByLabel('Transfer to (user id)').getAttribute('list'), 'operator-ids');
  // a typo: the page asks before it hands the chat to nobody, and nothing moves when sam says no
  await staff.getByLabel('Transfer to (user id)').fill('olivai');
  const asked = new Promise((resolve) => staff.once('dialog', (dialog) => {
    resolve(dialog.message());
    dialog.dismiss();
  }));
  await staff.getByRole('button', { name: 'Transfer', exact: true }).click();
  assert.equal(await asked, 'olivai is not one of the tenant\'s operators this page knows (a typo?). '
    + 'Transfer the chat to olivai anyway?');
  await staff.locator('#holder', { hasText: 'Claimed by you' }).waitFor();
  assert.equal(await staff.getByLabel('Transfer to (user id)').inputValue(), 'olivai', 'kept, to correct');
  // ... for this chat only: in another chat the field starts empty (a Transfer there hands over that chat)
  await staff.locator(`#sessions button[data-session]:not([data-session="${sessionId}"])`).first().click();
  assert.equal(await staff.getByLabel('Transfer to (user id)').inputValue(), '', 'not carried to another chat');
  await staff.locator(`button[data-session="${sessionId}"]`).click();
  await staff.locator('#holder', { hasText: 'Claimed by you' }).waitFor();
  await staff.getByLabel('Transfer to (user id)').fill('olivia'); // available: no question
  await staff.getByRole('button', { name: 'Transfer', exact: true }).click();
  await staff.locator('#holder', { hasText: 'Claimed by olivia' }).waitFor();
  // olivia's now: a supporter has nothing to claim, release or transfer here (a Claim button was
  // offered, and answered with an error)
  for (const name of ['Claim', 'Release', 'Transfer']) {
    assert.ok(await staff.getByRole('button', { name, exact: true }).isDisabled(), `${name} for sam`);
  }
  await olivia.locator(`button[data-session="${sessionId}"] .holder`, { hasText: 'you' }).waitFor();
  await customer.locator('#operator', { hasText: 'olivia from support joined the chat' }).waitFor();
  await staff.locator('#operators li[data-user="olivia"]', { hasText: '1 open' }).waitFor();
  await olivia.getByLabel('All', { exact: true }).check();

  // a second customer, bob, starts a chat in his own widget and writes while olivia looks elsewhere:
  // a badge, kept across a reload, cleared once she reads
  const bob = await (await browser.newContext()).newPage();
  watch(bob, 'bob');
  await bob.goto(page(env.PARLEY_GW2, 'widget.html', env.PARLEY_CUSTOMER2_TOKEN, `${env.PARLEY_GW2},${env.PARLEY_GW1}`));
  await bob.getByRole('button', { name: 'Start a chat' }).click();
  await bob.locator('#state[data-state="open"]').waitFor();
  const second = await bob.locator('body').getAttribute('data-session');
  // called by the name bob's token gives (chat-api's customer_name), live from the dashboard channel
  await olivia.locator(`button[data-session="${second}"]`, { hasText: 'Customer Bob Builder' }).waitFor();
  await olivia.getByLabel('Queue (unclaimed, oldest first)').check();
  await olivia.locator(`button[data-session="${second}"] .wait`, { hasText: /waiting \d+ s/ }).waitFor();
  assert.equal(await olivia.locator(`button[data-session="${sessionId}"]`).count(), 0, 'a claimed chat is not queued');
  await olivia.getByLabel('All', { exact: true }).check();
  // the tab's title counts what is unread in every chat, so that she sees it from another tab
  const titled = (count) => olivia.waitForFunction((n) => document.title
    === (n ? `(${n}) Parley · Support dashboard` : 'Parley · Support dashboard'), count);
  const before = Number(/^\((\d+)\) /.exec(await olivia.title())?.[1] || 0);
  await bob.locator('#text').fill('anyone there?');
  await bob.locator('#text').press('Enter');
  await bob.locator('#messages li[data-state="stored"] .text', { hasText: 'anyone there?' }).waitFor();
  const badge = olivia.locator(`button[data-session="${second}"] .unread`);
  await badge.filter({ hasText: /^1$/ }).waitFor();
  await titled(before + 1);
  // a message deleted before she read it is not counted any more
  await bob.locator('#text').fill('oops, wrong window');
  await bob.locator('#text').press('Enter');
  await badge.filter({ hasText: /^2$/ }).waitFor();
  await titled(before + 2);
  const bobsMessages = await (await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${second}/messages`,
    { headers: { Authorization: `Bearer ${env.PARLEY_STAFF_TOKEN}` } })).json();
  const oops = bobsMessages.items.find((m) => m.content === 'oops, wrong window');
  const deleted = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${second}/messages/${oops.id}`,
    { method: 'DELETE', headers: { Authorization: `Bearer ${env.PARLEY_STAFF_TOKEN}` } });
  assert.equal(deleted.status, 204);
  await badge.filter({ hasText: /^1$/ }).waitFor();
  await titled(before + 1);
  await olivia.screenshot({ path: join(shots, 'dashboard-claims.png'), fullPage: true });
  const oliviaUrl = page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_STAFF2_TOKEN, `${env.PARLEY_GW1},${env.PARLEY_GW2}`);
  await olivia.goto(oliviaUrl); // a fresh load: the page knows only what chat-api tells it
  await olivia.locator('#state[data-state="open"]').waitFor();
  await olivia.locator(`button[data-session="${second}"]`, { hasText: 'Customer Bob Builder' }).waitFor();
  await badge.filter({ hasText: /^1$/ }).waitFor();
  await bob.locator('#text').fill('my order is 1234');
  await bob.locator('#text').press('Enter');
  await badge.filter({ hasText: /^2$/ }).waitFor();
  // the message counted by chat-api at the load is deleted: it leaves the badge too (it stayed until a reload)
  const anyone = bobsMessages.items.find((m) => m.content === 'anyone there?');
  const messageUrl = `${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${second}/messages/${anyone.id}`;
  assert.equal((await fetch(messageUrl,
    { method: 'DELETE', headers: { Authorization: `Bearer ${env.PARLEY_STAFF_TOKEN}` } })).status, 204);
  await badge.filter({ hasText: /^1$/ }).waitFor();
  await olivia.locator(`button[data-session="${second}"]`).click();
  await olivia.locator('#messages li .text', { hasText: 'my order is 1234' }).waitFor();
  assert.equal(await olivia.locator('#session-title').textContent(), 'Session with customer Bob Builder (bob)');
  assert.equal(await olivia.locator('#messages li', { hasText: 'my order is 1234' }).locator('.who').first().textContent(),
    'Bob Builder (Customer)');
  await olivia.locator(`button[data-session="${second}"] .unread[hidden]`).waitFor({ state: 'attached' });
  await titled(before); // and the title says so once she read it
  const unread = async () => (await (await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${second}`,
    { headers: { Authorization: `Bearer ${env.PARLEY_STAFF2_TOKEN}` } })).json()).unread_count;
  for (let i = 0; i < 50 && await unread() !== 0; i++) {
    await olivia.waitForTimeout(100); // the read frame on its way to chat-api
  }
  assert.equal(await unread(), 0, 'the read frame was stored');
  // olivia steps away and reloads; this time the page connects to the other gateway: she is still away
  await olivia.getByLabel('My status').selectOption('away');
  await staff.locator('#operators li[data-user="olivia"][data-status="away"]').waitFor();
  await olivia.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_STAFF2_TOKEN, env.PARLEY_GW2));
  await olivia.locator('#state[data-state="open"]').waitFor();
  await olivia.locator('#operators li[data-user="olivia"][data-status="away"]').waitFor();
  assert.equal(await olivia.getByLabel('My status').inputValue(), 'away', 'her own choice shows as hers');
  await staff.locator('#operators li[data-user="olivia"][data-status="away"]').waitFor();
  await olivia.locator(`button[data-session="${second}"]`).waitFor();
  await olivia.getByLabel('Queue (unclaimed, oldest first)').check();
  await olivia.locator(`button[data-session="${second}"] .wait`, { hasText: /waiting \d+ s/ }).waitFor();
  assert.equal(await olivia.locator(`button[data-session="${sessionId}"]`).count(), 0, 'a claimed chat is not queued');
  await olivia.getByLabel('All', { exact: true }).check();
  assert.equal(await badge.isHidden(), true, 'read before the reload: no badge after it');
  await olivia.context().close();
  await bob.context().close();
});

test('an admin\'s notice shows as a banner on the widget and the dashboard; an admin sees the live figures', async () => {
  const posted = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/notices`, {
    method: 'POST', headers: { Authorization: `Bearer ${env.PARLEY_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'Maintenance tonight <b>22:00</b> UTC', severity: 'warning' }),
  });
  assert.equal(posted.status, 202);
  for (const p of [customer, staff]) {
    const banner = p.getByRole('alert').filter({ hasText: 'Maintenance tonight <b>22:00</b> UTC' });
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-severity'), 'warning');
    assert.equal(await banner.locator('b').count(), 0, 'text, not markup');
  }
  await customer.screenshot({ path: join(shots, 'widget-notice.png'), fullPage: true });
  // an admin's dashboard shows the live figures, summed over both gateways
  const ann = await (await browser.newContext()).newPage();
  watch(ann, 'ann');
  await ann.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, `${env.PARLEY_GW1},${env.PARLEY_GW2}`));
  await ann.locator('#figures-list dd[data-figure="Connections"]').filter({ hasText: /^[1-9]\d*$/ }).waitFor();
  await ann.locator('#figures-list dd[data-figure="Open chats"]').filter({ hasText: /^[1-9]\d*$/ }).waitFor();
  await ann.locator('#figures-list dd[data-figure="Ratings in the last 24 hours"]')
    .filter({ hasText: /^\d+ good, \d+ bad$/ }).waitFor();
  // and posts the next notice from the page itself; a supporter's page has no such form
  await ann.getByLabel('Notice to every open page of the tenant').fill('Back to normal');
  await ann.getByLabel('Severity').selectOption('info');
  await ann.getByRole('button', { name: 'Post notice' }).click();
  await ann.locator('#admin-note', { hasText: 'Notice posted' }).waitFor();
  await customer.getByRole('alert').filter({ hasText: 'Back to normal' }).waitFor();
  assert.equal(await staff.locator('#admin-tools').isVisible(), false, 'no admin tools for a supporter');
  await ann.screenshot({ path: join(shots, 'dashboard-admin.png'), fullPage: true });
  // olivia holds alice's chat; an admin takes it over (the dashboard offered only Claim, which a
  // holder refuses), and may hand it on or release it as its holder would
  await ann.locator(`button[data-session="${sessionId}"]`).click();
  await ann.locator('#holder', { hasText: 'Claimed by olivia' }).waitFor();
  assert.ok(await ann.getByRole('button', { name: 'Release', exact: true }).isEnabled(), 'an admin releases anyone\'s');
  await ann.getByRole('button', { name: 'Take over', exact: true }).click();
  await ann.locator('#holder', { hasText: 'Claimed by you' }).waitFor();
  await staff.locator(`button[data-session="${sessionId}"] .holder`, { hasText: 'ann' }).waitFor();
  await customer.locator('#operator', { hasText: /ann from support joined the chat/i }).waitFor();
  assert.equal(await ann.locator('#error').textContent(), '');
  await ann.getByRole('button', { name: 'Release', exact: true }).click();
  await ann.locator('#holder', { hasText: 'Unclaimed' }).waitFor();
  await ann.context().close();

  // a customer who has waited 49 minutes reads as such, as in the queue, not as "2963 s" (the
  // figures pass through as sent by the gateway, but for how long the oldest has waited)
  const later = await (await browser.newContext()).newPage();
  watch(later, 'ann, later');
  await later.routeWebSocket(/\/ws\//, (socket) => {
    const server = socket.connectToServer();
    server.onMessage((message) => {
      const frame = JSON.parse(String(message));
      socket.send(frame.type === 'tenant_stats' ? JSON.stringify({ ...frame, oldest_unclaimed_wait_seconds: 2963 })
        : String(message));
    });
  });
  await later.goto(page(env.PARLEY_GW1, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, env.PARLEY_GW1));
  await later.locator('#figures-list dd[data-figure="Longest wait"]').filter({ hasText: /^49 min$/ }).waitFor();
  await later.context().close();
});

test('a message written offline is sent by the next page of the tab when the network is back', async () => {
  const url = customer.url();
  await customer.context().setOffline(true);
  await customer.evaluate(() => window.parleyChat.socket?.close());
  await customer.locator('#state[data-state="reconnecting"]').waitFor();
  await customer.locator('#text').fill('written, then the page reloaded');
  await customer.locator('#text').press('Enter');
  await customer.locator('#messages li[data-state="pending"] .text', { hasText: 'written, then the page reloaded' })
    .waitFor();
  await customer.goto('about:blank'); // the visitor leaves the page (its queue in memory goes with it)
  await customer.context().setOffline(false);
  await customer.goto(url);
  await customer.locator('#messages li[data-state="stored"] .text', { hasText: 'written, then the page reloaded' })
    .waitFor({ timeout: 30000 });
  await staff.locator('#messages li .text', { hasText: 'written, then the page reloaded' }).waitFor();
  await customer.locator('#state[data-state="open"]').waitFor();
  assert.equal((await texts(customer)).filter((t) => t === 'written, then the page reloaded').length, 1, 'shown once');
  assert.equal((await texts(staff)).filter((t) => t === 'written, then the page reloaded').length, 1, 'stored once');
});

test('the customer\'s gateway stops: the page reconnects to the other and shows every message once, in order',
  async () => {
    const before = await seqs(customer);
    // staff keeps writing while gateway 1 (the customer's) drains with 1012 and stops
    const stopping = fetch(`${env.PARLEY_CONTROL}/stop/gw1`, { method: 'POST' });
    for (let i = 1; i <= 5; i++) {
      await staff.locator('#text').fill(`update ${i}`);
      await staff.locator('#text').press('Enter');
      await staff.waitForTimeout(150);
    }
    assert.equal((await stopping).status, 204);
    await customer.locator('#messages li .text', { hasText: 'update 5' }).waitFor({ timeout: 30000 });
    await customer.locator('#state[data-state="open"]').waitFor();
    const after = await seqs(customer);
    assert.deepEqual(after, [...after].sort((a, b) => a - b), 'in seq order');
    assert.equal(new Set(after).size, after.length, 'each once');
    assert.deepEqual(after.slice(0, before.length), before);
    const all = await texts(customer);
    for (let i = 1; i <= 5; i++) {
      assert.equal(all.filter((t) => t === `update ${i}`).length, 1, `update ${i} once`);
    }
    // the staff tab that followed two chats on gateway 1 is back on gateway 2 with both
    await follower.locator('#messages li .text', { hasText: 'update 5' }).waitFor({ timeout: 30000 });
    await follower.locator('#state[data-state="open"]').waitFor();
    const followed = await texts(follower);
    for (let i = 1; i <= 5; i++) {
      assert.equal(followed.filter((t) => t === `update ${i}`).length, 1, `update ${i} once in the followed chat`);
    }
    assert.equal(followerSockets.length, 2, 'one socket before the stop, one after');
    assert.match(followerSockets[1], new RegExp(`^${env.PARLEY_GW2.replace(/^http/, 'ws')}/ws/`));
  });

test('messages written offline are delivered after the reconnect', async () => {
  await customer.context().setOffline(true);
  await customer.evaluate(() => window.parleyChat.socket?.close());
  await customer.locator('#state[data-state="reconnecting"]').waitFor();
  await customer.locator('#text').fill('written while offline');
  await customer.locator('#text').press('Enter');
  await customer.locator('#messages li[data-state="pending"] .text', { hasText: 'written while offline' }).waitFor();
  await customer.screenshot({ path: join(shots, 'widget-offline.png'), fullPage: true });
  await customer.context().setOffline(false);
  await customer.locator('#messages li[data-state="stored"] .text', { hasText: 'written while offline' })
    .waitFor({ timeout: 30000 });
  await staff.locator('#messages li .text', { hasText: 'written while offline' }).waitFor();
  const all = await texts(staff);
  assert.equal(all.filter((t) => t === 'written while offline').length, 1, 'delivered once');
});

test('staff resolves the session: the customer sees it and can no longer write', async () => {
  await staff.getByRole('button', { name: 'Resolve' }).click();
  await customer.locator('#status', { hasText: 'resolved' }).waitFor();
  assert.ok(await customer.locator('#text').isDisabled());
  await staff.locator(`button[data-session="${sessionId}"] .badge[data-status="resolved"]`).waitFor();
  await staff.screenshot({ path: join(shots, 'dashboard-resolved.png'), fullPage: true });
  // and starts a new chat from the same page: nothing of the old one comes with it
  await customer.getByRole('button', { name: 'Start a chat' }).click();
  await customer.waitForFunction((old) => document.body.dataset.session && document.body.dataset.session !== old,
    sessionId);
  assert.ok(!(await customer.locator('#text').isDisabled()), 'the new chat takes messages');
  assert.equal(await customer.locator('#messages li').count(), 0, 'the old chat\'s messages went with it');
  assert.equal(await customer.locator('#status').textContent(), '');
  await customer.locator('#text').fill('a new question');
  await customer.locator('#text').press('Enter');
  await customer.locator('#messages li[data-state="stored"] .text', { hasText: 'a new question' }).waitFor();
});

test('when WebSocket is refused the widget falls back to SSE and sends over REST', async () => {
  const context = await browser.newContext();
  // a proxy that breaks WebSocket upgrades: every socket fails before it opens
  await context.addInitScript(() => {
    window.WebSocket = class {
      constructor() {
        throw new Error('WebSocket blocked');
      }
    };
  });
  const fallback = watch(await context.newPage(), 'fallback');
  await fallback.goto(page(env.PARLEY_GW2, 'widget.html', env.PARLEY_CUSTOMER2_TOKEN, env.PARLEY_GW2));
  await fallback.getByRole('button', { name: 'Start a chat' }).click();
  await fallback.locator('#state[data-state="open"]', { hasText: 'fallback' }).waitFor({ timeout: 20000 });
  const fallbackSession = await fallback.locator('body').getAttribute('data-session');
  await fallback.locator('#text').fill('sent over REST');
  await fallback.locator('#text').press('Enter');
  await fallback.locator('#messages li[data-state="stored"] .text', { hasText: 'sent over REST' }).waitFor();

  await staff.locator(`button[data-session="${fallbackSession}"]`).click();
  await staff.locator('#messages li .text', { hasText: 'sent over REST' }).waitFor();
  await staff.locator('#text').fill('received over SSE');
  await staff.locator('#text').press('Enter');
  await fallback.locator('#messages li .text', { hasText: 'received over SSE' }).waitFor();
  await fallback.screenshot({ path: join(shots, 'widget-sse-fallback.png'), fullPage: true });
  await context.close();
});

// The widget as a customer embeds it: one <script type="module"> tag on their shop, another origin
// than chat-api's and the gateways'; the shop's backend hands over the visitor's token.
const inWidget = (p, selector) => p.locator(`#parley-widget ${selector}`); // CSS pierces the open shadow root
/** Opens the widget's panel with its launcher, as a visitor does, and waits until its chat is connected. */
async function openWidget(p) {
  await inWidget(p, 'button.launcher').click();
  await inWidget(p, '.state[data-state="open"]').waitFor({ timeout: 20000 });
}

test('the widget embedded on a customer\'s site (another origin) chats with staff', async () => {
  const shop = await (await browser.newContext()).newPage();
  watch(shop, 'shop');
  // the visitor came from a mail with their address in the link: support sees the page, not that
  await shop.goto(`${env.PARLEY_SHOP}/?utm_source=mail&email=carol%40example.com#top`);
  const launcher = inWidget(shop, 'button.launcher');
  await launcher.click();
  await inWidget(shop, '.state[data-state="open"]').waitFor({ timeout: 20000 });
  assert.notEqual(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(255, 0, 0)',
    'the shop\'s CSS does not reach into the widget');
  const shopSession = await shop.locator('#parley-widget').getAttribute('data-session');
  assert.ok(shopSession);
  // nobody holds the new chat: the visitor reads where they stand in the tenant's queue
  await inWidget(shop, '.queue').filter({ hasText: /^You are number [1-9]\d* in line\.$/ }).waitFor();
  // and support's welcome tops the chat, in the widget's language: words of the page, not a message
  const greeting = inWidget(shop, 'ol li').first();
  assert.equal(await greeting.getAttribute('class'), 'greeting');
  assert.equal(await greeting.innerText(), 'Support\nHi! How can we help you today?');

  await inWidget(shop, '[name="text"]').fill('Hello from the shop');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'Hello from the shop' }).waitFor();
  await staff.locator(`button[data-session="${shopSession}"]`).click();
  await staff.locator('#messages li .text', { hasText: 'Hello from the shop' }).waitFor();
  // where the chat started and what the shop told (its data-metadata), beside the chat
  const context = staff.locator('#session-context');
  await context.waitFor();
  assert.match(await context.textContent(),
    /^Started on “Acme shop” http:\/\/localhost:\d+\/ · language [A-Za-z-]+ · plan: pro · order: 42$/);
  assert.equal(await context.locator('a').getAttribute('href'), `${env.PARLEY_SHOP}/`);
  await staff.locator('#text').fill('Welcome to Acme');
  await staff.locator('#text').press('Enter');
  await inWidget(shop, 'li .text').filter({ hasText: 'Welcome to Acme' }).waitFor();
  assert.equal(await inWidget(shop, 'li:visible').count(), 3, 'the shop\'s `li { display: none }` does not hide them');
  assert.equal(await inWidget(shop, 'ol li').first().getAttribute('class'), 'greeting', 'the welcome stays on top');
  // each side sees that the other read its message (read receipts): the visitor has the panel open
  await staff.locator('#messages li[data-seen="true"] .text', { hasText: 'Welcome to Acme' }).waitFor();
  await inWidget(shop, 'li[data-seen="true"] .text').filter({ hasText: 'Hello from the shop' }).waitFor();
  // each message says when it was written, then whether it was seen
  await inWidget(shop, 'li').filter({ hasText: 'Welcome to Acme' }).filter({ hasText: /\d{2}:\d{2}/ }).waitFor();
  await inWidget(shop, 'li').filter({ hasText: 'Hello from the shop' }).filter({ hasText: /\d{2}:\d{2} · seen/ }).waitFor();
  await staff.locator('#messages li', { hasText: 'Welcome to Acme' }).filter({ hasText: /\d{2}:\d{2} · seen/ }).waitFor();
  // a web address from support is a link in the embedded widget too, opening in a new tab
  await staff.locator('#text').fill('Our returns: https://acme.example/returns.');
  await staff.locator('#text').press('Enter');
  const returns = inWidget(shop, 'li .text a').filter({ hasText: 'acme.example' });
  await returns.waitFor();
  assert.deepEqual(await returns.evaluate((a) => [a.href, a.textContent, a.target, a.rel]),
    ['https://acme.example/returns', 'https://acme.example/returns', '_blank', 'noopener noreferrer nofollow']);
  // the operator who takes the chat, and an admin's notice, show in the embedded widget too
  await staff.getByRole('button', { name: 'Claim', exact: true }).click();
  // called by the name his token gives (his user id otherwise, as olivia above)
  await inWidget(shop, '.operator').filter({ hasText: 'Sam Smith from support joined the chat' }).waitFor();
  await inWidget(shop, '.queue').waitFor({ state: 'hidden' }); // someone has the chat: no queue
  const notice = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/notices`, {
    method: 'POST', headers: { Authorization: `Bearer ${env.PARLEY_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'Our shop closes at 18:00 today', severity: 'info' }),
  });
  assert.equal(notice.status, 202);
  await inWidget(shop, '.banner[role="alert"]').filter({ hasText: 'Our shop closes at 18:00 today' }).waitFor();
  await shop.screenshot({ path: join(shots, 'widget-embedded.png') });

  // a reload on the shop comes back to the same chat with its history
  await shop.reload();
  await inWidget(shop, 'button.launcher').click();
  await inWidget(shop, 'li .text').filter({ hasText: 'Welcome to Acme' }).waitFor({ timeout: 20000 });
  assert.equal(await shop.locator('#parley-widget').getAttribute('data-session'), shopSession);
  // what support read before the reload still shows as seen (chat-api keeps every participant's read)
  await inWidget(shop, 'li[data-seen="true"] .text').filter({ hasText: 'Hello from the shop' }).waitFor();

  // chat-api cannot be reached for a moment when the visitor comes back (a proxy answers 503 to the
  // first look-up of their chat): the widget says so and keeps the chat; it does not start a new one
  let unreachable = true; // until the proxy is fixed, every look-up of the chat gets its error page
  await shop.route(`**/sessions/${shopSession}`, (route) => (unreachable
    ? route.fulfill({ status: 503, contentType: 'text/html', body: '<html><body>503 Service Unavailable</body></html>' })
    : route.continue()));
  await shop.reload();
  await inWidget(shop, 'button.launcher').click();
  await inWidget(shop, '.error').filter({ hasText: 'not available right now' }).waitFor({ timeout: 20000 });
  assert.equal(await shop.locator('#parley-widget').getAttribute('data-session'), null, 'a new chat was started');
  unreachable = false;
  await inWidget(shop, 'button.launcher').click(); // closed, and opened again: chat-api answers now
  await inWidget(shop, 'button.launcher').click();
  await inWidget(shop, 'li .text').filter({ hasText: 'Welcome to Acme' }).waitFor({ timeout: 20000 });
  assert.equal(await shop.locator('#parley-widget').getAttribute('data-session'), shopSession);

  // staff resolve the chat: the visitor starts a new one from the panel, which shows nothing of the old
  await staff.locator(`button[data-session="${shopSession}"]`).click();
  await staff.getByRole('button', { name: 'Resolve', exact: true }).click();
  await inWidget(shop, '.status').filter({ hasText: 'This chat was resolved.' }).waitFor();
  assert.ok(await inWidget(shop, '[name="text"]').isDisabled(), 'nothing more to write in a resolved chat');
  // the visitor keeps a copy of the chat: a text file with every message, who and when, in order
  const [copy] = await Promise.all([shop.waitForEvent('download'),
    inWidget(shop, '.status button').filter({ hasText: 'Save a copy of this chat' }).click()]);
  assert.match(copy.suggestedFilename(), /^chat-\d{4}-\d{2}-\d{2}\.txt$/);
  const saved = (await readFile(await copy.path(), 'utf8')).split('\n');
  assert.match(saved[0], /^Chat on localhost, \w+ \d+, \d{4}$/);
  assert.deepEqual(saved.slice(2).map((line) => line.replace(/^\[[^\]]+\] /, '')), ['You: Hello from the shop',
    'Sam Smith: Welcome to Acme', 'Sam Smith: Our returns: https://acme.example/returns.', '']);
  await inWidget(shop, '.status button').filter({ hasText: 'Start a new chat' }).click();
  await inWidget(shop, '.state[data-state="open"]').waitFor({ timeout: 20000 });
  await shop.waitForFunction((old) => {
    const id = document.querySelector('#parley-widget').getAttribute('data-session');
    return id && id !== old;
  }, shopSession);
  assert.equal(await inWidget(shop, 'li:not(.greeting)').count(), 0, 'the old chat\'s messages went with it');
  assert.equal(await inWidget(shop, 'li.greeting').count(), 1, 'the new chat is welcomed too');
  assert.equal(await inWidget(shop, '.operator').textContent(), '', 'nobody has joined the new chat yet');
  await inWidget(shop, '[name="text"]').fill('One more question');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'One more question' }).waitFor();
  // staff opening the new chat see the visitor's earlier ones, and open one from there
  const again = await shop.locator('#parley-widget').getAttribute('data-session');
  await staff.locator(`button[data-session="${again}"]`).click();
  await staff.locator('#history summary', { hasText: /^Other chats of this customer \([1-9]\d*\)$/ }).click();
  const earlier = staff.locator(`#history-list button[data-session="${shopSession}"]`);
  await earlier.waitFor();
  assert.match(await earlier.textContent(), / · resolved · Our returns: https:\/\/acme\.example\/returns\.$/);
  await earlier.click();
  await staff.locator('#messages li .text', { hasText: 'Hello from the shop' }).waitFor();
  await shop.context().close();
});

test('a chat nobody wrote in ends without asking how it was; a new one starts with a click', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop, empty chat');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  const empty = await shop.locator('#parley-widget').getAttribute('data-session');
  // closed as chat-api closes a chat nobody wrote in (parley.chat-api.empty-chats), or as staff close one
  const closed = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${empty}`, {
    method: 'PATCH', headers: { Authorization: `Bearer ${env.PARLEY_STAFF_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'closed' }),
  });
  assert.equal(closed.status, 200);
  await inWidget(shop, '.status').filter({ hasText: 'This chat was closed.' }).waitFor();
  assert.equal(await inWidget(shop, '.status button').count(), 1, 'only "Start a new chat": nothing to save');
  assert.equal(await inWidget(shop, '.rating button').count(), 0, 'nothing to rate');
  await inWidget(shop, '.status button').filter({ hasText: 'Start a new chat' }).click();
  await shop.waitForFunction((old) => {
    const id = document.querySelector('#parley-widget').getAttribute('data-session');
    return id && id !== old;
  }, empty);
  await shop.context().close();
});

test('a visitor takes back a message of their own in the embedded widget; staff see it deleted', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop, delete');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  await inWidget(shop, '[name="text"]').fill('my card is 5500 0000 0000 0004');
  await inWidget(shop, '[name="text"]').press('Enter');
  const line = inWidget(shop, 'li.mine[data-state="stored"]');
  await line.waitFor();
  shop.once('dialog', (dialog) => dialog.accept());
  await line.getByRole('button', { name: 'Delete' }).click();
  await inWidget(shop, 'li[data-state="deleted"]').filter({ hasText: 'Message deleted' }).waitFor();
  assert.ok(!(await inWidget(shop, 'ol').innerText()).includes('5500'), 'the number is gone from the widget');
  assert.equal(await inWidget(shop, 'li button.delete').count(), 0, 'nothing to delete on what is deleted');
  const id = await shop.locator('#parley-widget').getAttribute('data-session');
  await staff.locator(`button[data-session="${id}"]`).click();
  await staff.locator('#messages li[data-state="deleted"]').waitFor();
  assert.ok(!(await staff.locator('#messages').innerText()).includes('5500'), 'and from the dashboard');
  // after the chat has ended too: a slip the visitor sees only then
  await inWidget(shop, '[name="text"]').fill('my phone is 555 0100');
  await inWidget(shop, '[name="text"]').press('Enter');
  await staff.locator('#messages li .text', { hasText: '555 0100' }).waitFor();
  await staff.getByRole('button', { name: 'Resolve', exact: true }).click();
  await inWidget(shop, '.rating').filter({ hasText: 'How was this chat?' }).waitFor();
  shop.once('dialog', (dialog) => dialog.accept());
  await inWidget(shop, 'li.mine[data-state="stored"]').getByRole('button', { name: 'Delete' }).click();
  await inWidget(shop, 'li[data-state="deleted"]').nth(1).waitFor();
  assert.ok(!(await inWidget(shop, 'ol').innerText()).includes('555 0100'), 'gone from the widget');
  await staff.locator('#messages li[data-state="deleted"]').nth(1).waitFor();
  assert.ok(!(await staff.locator('#messages').innerText()).includes('555 0100'), 'and from the dashboard');
  await shop.context().close();
});

/**
 * A new visitor of the shop writes `first`; sam opens the chat on his dashboard. The widget's page.
 */
async function chatOnBothPages(name, first) {
  const shop = watch(await (await browser.newContext()).newPage(), name);
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  await inWidget(shop, '[name="text"]').fill(first);
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li.mine[data-state="stored"]').waitFor();
  const id = await shop.locator('#parley-widget').getAttribute('data-session');
  await staff.locator(`button[data-session="${id}"]`).click();
  await staff.locator('#messages li .text', { hasText: first }).waitFor();
  return shop;
}

/** Pauses or resumes (what) a part of the system under test: `database`, `kafka` or `chat-api` (BrowserIT's control). */
const outage = (part) => (what) => fetch(`${env.PARLEY_CONTROL}/${what}/${part}`, { method: 'POST' })
  .then((r) => assert.equal(r.status, 204, `${what} ${part}`));

test('while the database does not answer, a message reads "not sent yet" under it, and is stored once after',
  async () => {
    const shop = await chatOnBothPages('shop, database paused', 'Is my parcel on its way?');
    const control = outage('database');
    await control('pause');
    try {
      await inWidget(shop, '[name="text"]').fill('Hello? Anyone there?');
      await inWidget(shop, '[name="text"]').press('Enter');
      await staff.locator('#text').fill('Let me look it up');
      await staff.locator('#text').press('Enter');
      // chat-api answers 503 (or the gateway gives up on it): each page says so under the message,
      // in the page's words, and goes on trying by itself
      await inWidget(shop, 'li.mine[data-state="pending"]').filter({ hasText: 'Hello? Anyone there?' })
        .filter({ hasText: 'not sent yet, trying again…' }).waitFor({ timeout: 30000 });
      await staff.locator('#messages li[data-state="pending"]', { hasText: 'Let me look it up' })
        .filter({ hasText: 'not sent yet, trying again…' }).waitFor({ timeout: 30000 });
      // and nothing else: no server's words for developers ("…; retry shortly") in the error line
      assert.equal(await inWidget(shop, '.error').textContent(), '', 'the widget\'s error line');
      assert.equal(await staff.locator('#error').textContent(), '', 'the dashboard\'s error line');
    } finally {
      await control('resume');
    }
    await inWidget(shop, 'li.mine[data-state="stored"]').filter({ hasText: 'Hello? Anyone there?' })
      .waitFor({ timeout: 40000 });
    await inWidget(shop, 'li[data-state="stored"]').filter({ hasText: 'Let me look it up' }).waitFor({ timeout: 40000 });
    await staff.locator('#messages li[data-state="stored"]', { hasText: 'Hello? Anyone there?' }).waitFor();
    await staff.locator('#messages li[data-state="stored"]', { hasText: 'Let me look it up' }).waitFor();
    for (const [name, list] of [['widget', inWidget(shop, 'li .text')], ['dashboard', staff.locator('#messages li .text')]]) {
      const all = await list.allTextContents();
      for (const text of ['Hello? Anyone there?', 'Let me look it up']) {
        assert.equal(all.filter((t) => t === text).length, 1, `${name}: "${text}" once`);
      }
    }
    assert.equal(await inWidget(shop, '.error').textContent(), '');
    assert.equal(await staff.locator('#error').textContent(), '');
    await shop.context().close();
  });

test('while the Kafka broker does not answer, a message chat-api stored reads as stored, and reaches staff after',
  async () => {
    const shop = await chatOnBothPages('shop, broker paused', 'Where is my refund?');
    const control = outage('kafka');
    await control('pause');
    try {
      await inWidget(shop, '[name="text"]').fill('It was due last week');
      await inWidget(shop, '[name="text"]').press('Enter');
      // chat-api has it (its answer says so): the visitor reads it as sent, with its time
      await inWidget(shop, 'li.mine[data-state="stored"]').filter({ hasText: 'It was due last week' })
        .filter({ hasText: /\d{2}:\d{2}/ }).waitFor({ timeout: 8000 });
      assert.equal(await staff.locator('#messages li .text', { hasText: 'It was due last week' }).count(), 0,
        'its event is held up with the broker');
    } finally {
      await control('resume');
    }
    await staff.locator('#messages li[data-state="stored"]', { hasText: 'It was due last week' })
      .waitFor({ timeout: 40000 });
    // seen by staff now that it arrived; once on each page
    await inWidget(shop, 'li.mine[data-seen="true"]').filter({ hasText: 'It was due last week' }).waitFor({ timeout: 20000 });
    for (const list of [inWidget(shop, 'li .text'), staff.locator('#messages li .text')]) {
      assert.equal((await list.allTextContents()).filter((t) => t === 'It was due last week').length, 1);
    }
    await shop.context().close();
  });

test('a new visitor while chat-api does not answer reads "Connecting…", then that the chat is not available, '
  + 'and the chat opens by itself once it answers', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop, chat-api paused');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await inWidget(shop, 'button.launcher').waitFor();
  const control = outage('chat-api');
  await control('pause');
  const ann = watch(await (await browser.newContext()).newPage(), 'ann, chat-api paused');
  try {
    // an operator who opens the dashboard meanwhile is told, not left with an empty list
    await ann.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, env.PARLEY_GW2));
    await inWidget(shop, 'button.launcher').click();
    // not "Not connected", as if nothing were happening: it waited for ever that way
    await inWidget(shop, '.state[data-state="connecting"]').filter({ hasText: 'Connecting…' }).waitFor({ timeout: 3000 });
    // no answer within 10 s: said in the visitor's words, not a browser's error
    await inWidget(shop, '.error').filter({ hasText: /^The chat is not available right now\.$/ }).waitFor({ timeout: 15000 });
    // and it stays said while the widget tries again (every second or more), not flashing by unread
    await inWidget(shop, '.state[data-state="connecting"]').waitFor({ timeout: 5000 });
    await shop.waitForTimeout(3000);
    assert.equal(await inWidget(shop, '.error').textContent(), 'The chat is not available right now.');
    await inWidget(shop, '[name="text"]').fill('Are you there?'); // written meanwhile: kept in the box
    await ann.locator('#error', { hasText: 'Could not load sessions: chat-api did not answer within 20 s' })
      .waitFor({ timeout: 30000 });
  } finally {
    await control('resume');
    await ann.context().close(); // an operator's page left open would make support "available" for the tests after
  }
  // tried again by itself, without another click
  await inWidget(shop, '.state[data-state="open"]').waitFor({ timeout: 40000 });
  assert.equal(await inWidget(shop, '.error').textContent(), '', 'and the error line is cleared');
  assert.equal(await inWidget(shop, '[name="text"]').inputValue(), 'Are you there?');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li.mine[data-state="stored"]').filter({ hasText: 'Are you there?' }).waitFor();
  await shop.context().close();
});

test('on a German page the widget speaks German, with the words the site chose for itself', async () => {
  const shop = await (await browser.newContext()).newPage();
  watch(shop, 'shop-de');
  await shop.goto(`${env.PARLEY_SHOP}/de`);
  const launcher = inWidget(shop, 'button.launcher');
  await launcher.filter({ hasText: 'Chatten Sie mit uns' }).click();
  await inWidget(shop, '.state[data-state="open"]').filter({ hasText: 'Verbunden' }).waitFor({ timeout: 20000 });
  assert.equal(await inWidget(shop, '[name="text"]').getAttribute('placeholder'), 'Nachricht schreiben…');
  assert.equal(await inWidget(shop, 'form button[type="submit"]').textContent(), 'Abschicken', 'data-texts wins');
  assert.equal(await inWidget(shop, 'li.greeting .text').textContent(), 'Guten Tag! Was dürfen wir für Sie tun?',
    'the site\'s own welcome');
  const german = await shop.locator('#parley-widget').getAttribute('data-session');
  await inWidget(shop, '[name="text"]').fill('Wo ist meine Bestellung?');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"]').filter({ hasText: 'Wo ist meine Bestellung?' })
    .filter({ hasText: 'Sie' }).waitFor();

  await staff.locator(`button[data-session="${german}"]`).click();
  await staff.locator('#messages li .text', { hasText: 'Wo ist meine Bestellung?' }).waitFor();
  await staff.locator('#text').pressSequentially('Einen Moment', { delay: 20 });
  await inWidget(shop, '.typing').filter({ hasText: 'Support schreibt…' }).waitFor();
  await staff.locator('#text').press('Enter');
  const reply = inWidget(shop, 'li').filter({ hasText: 'Einen Moment' });
  await reply.waitFor();
  assert.equal(await reply.locator('.who').first().textContent(), 'Sam Smith', 'signed with the name of his token');
  // support read the visitor's message: "gelesen"
  await inWidget(shop, 'li').filter({ hasText: 'Wo ist meine Bestellung?' }).filter({ hasText: /\d{2}:\d{2} · gelesen/ })
    .waitFor();
  await staff.getByRole('button', { name: 'Claim', exact: true }).click();
  await inWidget(shop, '.operator').filter({ hasText: 'Sam Smith vom Support ist dem Chat beigetreten.' }).waitFor();
  await staff.getByRole('button', { name: 'Resolve', exact: true }).click();
  await inWidget(shop, '.status').filter({ hasText: 'Dieser Chat wurde als gelöst abgeschlossen.' }).waitFor();
  await inWidget(shop, '.status button').filter({ hasText: 'Neuen Chat beginnen' }).waitFor();
  // how was it: the visitor says good; chat-api keeps it and the dashboard shows it on the chat at once
  await inWidget(shop, '.rating').filter({ hasText: 'Wie war dieser Chat?' }).waitFor();
  assert.equal(await inWidget(shop, '.rating button[data-rating="good"]').textContent(), '👍 Gut');
  await inWidget(shop, '.rating button[data-rating="good"]').click();
  await inWidget(shop, '.rating').filter({ hasText: 'Danke für Ihre Rückmeldung.' }).waitFor();
  await staff.locator(`button[data-session="${german}"] .rating[data-rating="good"]`, { hasText: 'rated 👍 good' })
    .waitFor();
  assert.equal(await inWidget(shop, '.panel').getAttribute('lang'), 'de', 'a screen reader reads it as German');
  await shop.screenshot({ path: join(shots, 'widget-german.png') });
  await shop.context().close();
});

test('the widget on a site with a strict Content-Security-Policy (no inline styles) is styled and chats', async () => {
  const shop = await (await browser.newContext()).newPage();
  watch(shop, 'strict shop');
  const refused = [];
  shop.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) {
      refused.push(m.text());
    }
  });
  await shop.goto(`${env.PARLEY_SHOP}/strict`);
  const launcher = inWidget(shop, 'button.launcher');
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).position), 'fixed', 'the widget\'s own CSS applies');
  await launcher.click();
  await inWidget(shop, '.state[data-state="open"]').waitFor({ timeout: 20000 });
  assert.equal(await inWidget(shop, '.panel').evaluate((p) => getComputedStyle(p).position), 'fixed');
  await inWidget(shop, '[name="text"]').fill('Hello under a strict policy');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'Hello under a strict policy' }).waitFor();
  assert.deepEqual(refused, [], 'nothing the widget does is refused by the policy');
  // the list is a live region: a new message is added to it, the ones shown stay the same nodes (a
  // list built anew at every message made a screen reader read the whole conversation again)
  const first = inWidget(shop, 'li:not(.greeting)').first();
  await first.evaluate((li) => { li.shownBefore = true; });
  await inWidget(shop, '[name="text"]').fill('and a second one');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'and a second one' }).waitFor();
  assert.equal(await first.evaluate((li) => li.shownBefore === true), true, 'the first message kept its node');
  assert.equal(await inWidget(shop, 'ol[aria-live="polite"] li:not(.greeting)').count(), 2);
  // an address takes several lines: Shift+Enter breaks the line, Enter sends
  await inWidget(shop, '[name="text"]').pressSequentially('1 Main Street');
  await inWidget(shop, '[name="text"]').press('Shift+Enter');
  await inWidget(shop, '[name="text"]').pressSequentially('Springfield');
  await inWidget(shop, '[name="text"]').press('Enter');
  const address = inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'Springfield' });
  await address.waitFor();
  assert.equal(await address.evaluate((t) => t.textContent), '1 Main Street\nSpringfield');
  // by keyboard: Escape closes the panel and gives the focus back to the launcher
  await inWidget(shop, '[name="text"]').press('Escape');
  await inWidget(shop, '.panel').waitFor({ state: 'hidden' });
  assert.equal(await launcher.evaluate((b) => b.getRootNode().activeElement === b), true, 'the launcher has the focus');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  await shop.keyboard.press('Enter'); // and opens it again
  await inWidget(shop, '.panel').waitFor();
  assert.equal(await inWidget(shop, '[name="text"]').evaluate((i) => i.getRootNode().activeElement === i), true);
  await shop.context().close();
});

test('a site gives the widget its own colours, font and corner; without them it keeps its own', async () => {
  const look = async (p) => inWidget(p, 'button.launcher').evaluate((b) => {
    const style = getComputedStyle(b);
    const box = b.getBoundingClientRect();
    return { background: style.backgroundColor, color: style.color, font: style.fontFamily,
      left: Math.round(box.left), right: Math.round(innerWidth - box.right), bottom: Math.round(innerHeight - box.bottom) };
  });
  const plain = watch(await (await browser.newContext()).newPage(), 'shop');
  await plain.goto(`${env.PARLEY_SHOP}/`);
  const standard = await look(plain);
  assert.equal(standard.background, 'rgb(47, 95, 208)', 'the site\'s own button rule does not reach in');
  assert.equal(standard.right, 20);
  assert.equal(standard.bottom, 20);
  await plain.context().close();

  const shop = watch(await (await browser.newContext()).newPage(), 'branded shop');
  await shop.goto(`${env.PARLEY_SHOP}/branded`);
  const branded = await look(shop);
  assert.equal(branded.background, 'rgb(10, 125, 85)', '--parley-accent');
  assert.equal(branded.color, 'rgb(255, 250, 205)', '--parley-on-accent');
  assert.match(branded.font, /^Georgia/, '--parley-font');
  assert.equal(branded.left, 20, 'data-position="left"');
  assert.equal(branded.bottom, 80, '--parley-bottom');
  await openWidget(shop);
  const panel = await inWidget(shop, '.panel').evaluate((p) => {
    const box = p.getBoundingClientRect();
    const root = p.getRootNode();
    return { left: Math.round(box.left), above: Math.round(innerHeight - box.bottom),
      header: getComputedStyle(root.querySelector('header')).backgroundColor,
      send: getComputedStyle(root.querySelector('form button[type="submit"]')).backgroundColor };
  });
  assert.deepEqual(panel, { left: 20, above: 136, header: 'rgb(10, 125, 85)', send: 'rgb(10, 125, 85)' },
    'the panel opens above the launcher, in the same corner and colours');
  assert.ok(await shop.locator('#parley-widget').getAttribute('data-session'), 'the chat is there, drawn');
  assert.equal(await inWidget(shop, 'li').count(), 0, 'a site that wants no welcome says "greeting": ""');
  await shop.screenshot({ path: join(shots, 'widget-branded.png') });
  await shop.context().close();
});

test('a question half typed on one page of the site is there on the next, until it is sent', async () => {
  // the widget loads anew on every page of a shop: what the visitor had begun to write was gone
  const shop = watch(await (await browser.newContext()).newPage(), 'shop, draft');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  const chat = await shop.locator('#parley-widget').getAttribute('data-session');
  await inWidget(shop, '[name="text"]').pressSequentially('My order number is 5521 and');
  await shop.goto(`${env.PARLEY_SHOP}/?page=teapots`); // the next page of the site, in the same tab
  await openWidget(shop);
  assert.equal(await shop.locator('#parley-widget').getAttribute('data-session'), chat, 'the same chat');
  assert.equal(await inWidget(shop, '[name="text"]').inputValue(), 'My order number is 5521 and');
  await inWidget(shop, '[name="text"]').pressSequentially(' it has not come');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text')
    .filter({ hasText: 'My order number is 5521 and it has not come' }).waitFor();
  await shop.reload();
  await inWidget(shop, 'button.launcher').click();
  await inWidget(shop, 'li[data-state="stored"] .text')
    .filter({ hasText: 'My order number is 5521 and it has not come' }).waitFor({ timeout: 20000 });
  assert.equal(await inWidget(shop, '[name="text"]').inputValue(), '', 'sent: not written again');
  await shop.context().close();
});

test('the site\'s own link opens the chat; its scripts open and close it once the widget says it is ready', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop links');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await shop.waitForFunction(() => !!window.parleyWidget && window.readyWidget === window.parleyWidget);
  await shop.getByRole('link', { name: 'Questions? Talk to us' }).click();
  await inWidget(shop, '.state[data-state="open"]').waitFor({ timeout: 20000 });
  assert.equal(await inWidget(shop, 'button.launcher').getAttribute('aria-expanded'), 'true');
  assert.equal(new URL(shop.url()).hash, '', 'the link opened the chat instead of going to #help');
  assert.equal(await inWidget(shop, '[name="text"]').evaluate((i) => i.getRootNode().activeElement === i), true);
  await shop.evaluate(() => window.parleyWidget.open()); // open already: it stays open
  assert.equal(await inWidget(shop, '.panel').isVisible(), true);
  await shop.evaluate(() => window.parleyWidget.close());
  await inWidget(shop, '.panel').waitFor({ state: 'hidden' });
  await shop.evaluate(() => window.parleyWidget.close()); // closed already: it stays closed
  assert.equal(await inWidget(shop, '.panel').isHidden(), true);
  assert.equal(await inWidget(shop, 'button.launcher').getAttribute('aria-expanded'), 'false');
  await shop.evaluate(() => window.parleyWidget.open());
  await inWidget(shop, '.panel').waitFor();
  // a button about one order starts the visitor's message for them; what they are writing stays theirs
  await shop.evaluate(() => window.parleyWidget.close());
  await shop.getByRole('button', { name: 'Ask about order 42' }).click();
  await inWidget(shop, '.panel').waitFor();
  assert.equal(await inWidget(shop, '[name="text"]').inputValue(), 'About order 42: ');
  await inWidget(shop, '[name="text"]').pressSequentially('where is it?');
  await shop.evaluate(() => window.parleyWidget.open({ text: 'something else' }));
  assert.equal(await inWidget(shop, '[name="text"]').inputValue(), 'About order 42: where is it?');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'About order 42: where is it?' }).waitFor();
  await shop.context().close();
});

test('the visitor sees whether support is there, until an operator has the chat', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop, support');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  const support = inWidget(shop, '.support');
  // sam's dashboard is open (available, or busy when he holds five chats already)
  await inWidget(shop, '.support[data-status="available"], .support[data-status="busy"]').waitFor();
  await staff.getByLabel('My status').selectOption('away'); // the only operator online steps away
  try {
    await support.filter({ hasText: 'We are away right now. Leave a message and we will answer you here.' }).waitFor();
    assert.equal(await support.getAttribute('data-status'), 'away');
  } finally {
    await staff.getByLabel('My status').selectOption('available');
  }
  await inWidget(shop, '.support[data-status="available"], .support[data-status="busy"]').waitFor();
  const id = await shop.locator('#parley-widget').getAttribute('data-session');
  await staff.locator(`button[data-session="${id}"]`).click();
  await staff.getByRole('button', { name: 'Claim', exact: true }).click();
  await inWidget(shop, '.operator').filter({ hasText: 'joined the chat' }).waitFor();
  assert.equal(await support.textContent(), '', 'an operator has the chat: the line about them says who is there');
  await staff.getByRole('button', { name: 'Release', exact: true }).click(); // sam's workload as it was
  await inWidget(shop, '.operator').filter({ hasText: 'left the chat' }).waitFor();
  await inWidget(shop, '.support[data-status="available"], .support[data-status="busy"]').waitFor();
  await shop.context().close();
});

test('on a phone the chat fills the screen, keeps the newest message in view and closes from its header', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
  const phone = watch(await context.newPage(), 'shop on a phone');
  await phone.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(phone);
  const panel = await inWidget(phone, '.panel').boundingBox();
  assert.deepEqual([panel.x, panel.y, panel.width, panel.height], [0, 0, 360, 640], 'the whole screen');
  assert.equal(await inWidget(phone, 'button.launcher').isHidden(), true, 'under the panel, not tapped through it');
  assert.equal(await inWidget(phone, '[name="text"]').evaluate((t) => getComputedStyle(t).fontSize), '16px',
    'no smaller, or Safari on iOS zooms the page in when the visitor taps it');
  for (let line = 1; line <= 12; line += 1) { // more than the screen holds
    await inWidget(phone, '[name="text"]').fill(`Question ${line} about my order`);
    await inWidget(phone, '[name="text"]').press('Enter');
  }
  const last = inWidget(phone, 'li[data-state="stored"] .text').filter({ hasText: 'Question 12 about my order' });
  await last.waitFor();
  const inView = () => inWidget(phone, 'ol').evaluate((list) => {
    const newest = list.lastElementChild.getBoundingClientRect();
    return newest.bottom <= list.getBoundingClientRect().bottom + 1;
  });
  assert.equal(await inView(), true, 'the newest message in view');
  const own = inWidget(phone, 'li.mine[data-state="stored"]').filter({ hasText: 'Question 12 about my order' });
  const [when, remove] = [await own.locator('.when').boundingBox(), await own.locator('button.delete').boundingBox()];
  assert.ok(Math.abs(when.y - remove.y) < 4 && remove.x > when.x + when.width,
    `its time and Delete on one line, not two: ${JSON.stringify([when, remove])}`);
  // an operator joins: the line that says so takes room under the list, and the newest message stays in view
  const id = await phone.locator('#parley-widget').getAttribute('data-session');
  await staff.locator(`button[data-session="${id}"]`).click();
  await staff.getByRole('button', { name: 'Claim', exact: true }).click();
  await inWidget(phone, '.operator').filter({ hasText: 'joined the chat' }).waitFor();
  await phone.waitForTimeout(200); // a frame or two for the layout
  assert.equal(await inView(), true, 'the newest message still in view under the operator line');
  await phone.screenshot({ path: join(shots, 'widget-phone.png') });
  await staff.getByRole('button', { name: 'Release', exact: true }).click(); // sam's workload as it was
  await inWidget(phone, 'header').getByRole('button', { name: 'Close' }).click();
  await inWidget(phone, '.panel').waitFor({ state: 'hidden' });
  assert.equal(await inWidget(phone, 'button.launcher').isVisible(), true);
  assert.equal(await inWidget(phone, 'button.launcher').evaluate((b) => b.getRootNode().activeElement === b), true,
    'the keyboard is back on the launcher');
  await context.close();
});

test('on a phone the dashboard shows the chats or the open chat, one at a time, with a way back', async () => {
  // two columns on a phone's width left the open chat a strip cut off at the screen's edge
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const olivia = watch(await context.newPage(), 'olivia on a phone');
  await olivia.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_STAFF2_TOKEN, env.PARLEY_GW2)); // gw1 was stopped
  const first = olivia.locator('#sessions button[data-session]').first();
  await first.waitFor();
  assert.equal(await olivia.locator('section.chat').isHidden(), true, 'the chats first');
  const within = async (part) => {
    const box = await olivia.locator(part).first().boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `${part} within the screen: ${JSON.stringify(box)}`);
  };
  await within('#search button[type="submit"]');
  await within('#sessions');
  const wholeHint = (box) => olivia.locator(box).evaluate((t) => {
    t.value = t.placeholder;
    const cut = t.scrollHeight > t.clientHeight + 1 || t.scrollWidth > t.clientWidth;
    t.value = '';
    return !cut;
  });
  assert.ok(await wholeHint('#search-text'), 'the search box shows its whole hint');
  const id = await first.getAttribute('data-session');
  await first.click();
  await olivia.locator('#text').waitFor();
  assert.equal(await olivia.locator('#sessions').isHidden(), true, 'the open chat in the list\'s place');
  for (const part of ['#messages', '#composer button[type="submit"]', '#text']) {
    await within(part);
  }
  assert.equal(await olivia.locator('#text').evaluate((t) => getComputedStyle(t).fontSize), '16px');
  // the boxes say in full what they are for: a text as long as the hint each shows fits without scrolling
  for (const box of ['#text', '#note-text']) {
    assert.ok(await wholeHint(box), `${box} shows its whole hint`);
  }
  await olivia.getByRole('button', { name: '← All chats' }).click();
  await olivia.locator(`#sessions button[data-session="${id}"][data-following="true"]`).waitFor();
  assert.equal(await olivia.locator('section.chat').isHidden(), true);
  assert.equal(await olivia.locator(`#sessions button[data-session="${id}"]`)
    .evaluate((b) => document.activeElement === b), true, 'back on the chat it came from');
  await olivia.screenshot({ path: join(shots, 'dashboard-phone.png') });
  await context.close();
});

test('a visitor the site does not know yet (its token URL answers 401) is asked to sign in, then chats', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop, signed out');
  let signedIn = false; // the shop's backend has no customer for this browser until they sign in
  await shop.route('**/parley/token', (route) => (signedIn ? route.continue()
    : route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"sign in first"}' })));
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await inWidget(shop, 'button.launcher').click();
  // said in the visitor's words (it read "the site did not hand over a chat token (HTTP 401)")
  await inWidget(shop, '.error').filter({ hasText: 'Sign in to chat with us.' }).waitFor({ timeout: 20000 });
  assert.equal(await shop.locator('#parley-widget').getAttribute('data-session'), null, 'nothing was created');
  signedIn = true;
  await inWidget(shop, 'button.launcher').click(); // closed, and opened again after signing in
  await openWidget(shop);
  assert.equal(await inWidget(shop, '.error').textContent(), '');
  await shop.context().close();
});

test('the widget on a browser that blocks the site\'s storage still chats', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    // what a browser does with cookies and site data blocked: any use of localStorage throws
    Object.defineProperty(window, 'localStorage', {
      get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
    });
  });
  const shop = watch(await context.newPage(), 'shop without storage');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  await inWidget(shop, '[name="text"]').fill('no storage here');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'no storage here' }).waitFor();
  await context.close();
});

test('a message in Hebrew or Arabic reads right to left on both pages, in its bubble, the list and the box', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop in Hebrew');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  const dir = (node) => node.evaluate((n) => (n.matches(':dir(rtl)') ? 'rtl' : 'ltr'));
  // where a reader finds the first and the last character of a text: its question mark ends a
  // right-to-left sentence at the left, not beside its first word at the right
  const questionMarkLeftOfFirstWord = (node) => node.evaluate((n) => {
    const text = [...n.childNodes].find((c) => c.nodeType === Node.TEXT_NODE);
    const x = (i) => {
      const range = document.createRange();
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      return range.getBoundingClientRect().x;
    };
    return x(text.length - 1) < x(0);
  });
  const hebrew = 'שלום, איפה ההזמנה שלי?';
  const box = inWidget(shop, '[name="text"]');
  await box.fill(hebrew);
  assert.equal(await dir(box), 'rtl', 'the box follows what is typed in it');
  await box.press('Enter');
  const asked = inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: hebrew });
  await asked.waitFor();
  assert.equal(await dir(asked), 'rtl');
  assert.ok(await questionMarkLeftOfFirstWord(asked), 'the widget shows the question as it is read');
  assert.equal(await dir(inWidget(shop, 'li.greeting .text')), 'ltr', 'English stays left to right');

  const session = await shop.locator('#parley-widget').getAttribute('data-session');
  const listed = staff.locator(`button[data-session="${session}"]`);
  await listed.click();
  assert.equal(await dir(listed.locator('.preview')), 'rtl', 'the chat list shows the last message as it is read');
  const seen = staff.locator('#messages li .text', { hasText: hebrew });
  await seen.waitFor();
  assert.equal(await dir(seen), 'rtl');
  assert.ok(await questionMarkLeftOfFirstWord(seen), 'the dashboard shows the question as it is read');
  const arabic = 'مرحبا، طلبك في الطريق. هل تحتاج شيئا آخر؟';
  await staff.locator('#text').fill(arabic);
  assert.equal(await dir(staff.locator('#text')), 'rtl', 'the operator\'s box follows what is typed in it');
  await staff.locator('#text').press('Enter');
  const answered = inWidget(shop, 'li .text').filter({ hasText: arabic });
  await answered.waitFor();
  assert.equal(await dir(answered), 'rtl');
  assert.ok(await questionMarkLeftOfFirstWord(answered));
  await shop.context().close();
});

test('on a right-to-left site the widget\'s English runs left to right; in the site\'s Hebrew, right to left', async () => {
  const context = await browser.newContext();
  const shop = watch(await context.newPage(), 'Hebrew shop');
  const left = async (selector) => (await inWidget(shop, selector).boundingBox()).x;
  // the shop's pages in Hebrew (<html lang="he" dir="rtl">); /he-words gives the widget Hebrew words
  await shop.goto(`${env.PARLEY_SHOP}/he`);
  await openWidget(shop);
  await inWidget(shop, '[name="text"]').fill('Hello, where is my order?');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"]').first().waitFor();
  assert.ok(await inWidget(shop, '.panel').evaluate((p) => p.matches(':dir(ltr)')), 'the English panel runs left to right');
  assert.ok(await left('li.mine') > await left('li.greeting'), 'the visitor\'s own message on the right, support\'s on the left');
  assert.ok(await left('.state') > await left('header h2') + (await inWidget(shop, 'header h2').boundingBox()).width,
    'the connection state after the title, apart from it');
  assert.ok(await inWidget(shop, 'li.greeting .text').evaluate((t) => t.matches(':dir(ltr)')), 'the welcome reads left to right');

  await shop.goto(`${env.PARLEY_SHOP}/he-words`);
  await openWidget(shop);
  await inWidget(shop, 'li.greeting .text').filter({ hasText: 'שלום! איך נוכל לעזור?' }).waitFor();
  await inWidget(shop, 'li.mine').first().waitFor();
  assert.ok(await inWidget(shop, '.panel').evaluate((p) => p.matches(':dir(rtl)')), 'the Hebrew panel runs right to left');
  assert.ok(await left('li.mine') < await left('li.greeting'), 'mirrored: the visitor\'s own message on the left');
  assert.ok(await left('header h2') > await left('.state'), 'the title at the right');
  await context.close();
});

test('the queue starts with the customer who waited longest, however many chats the tenant has', async () => {
  // 221 chats: the dashboard lists the 100 with the newest activity, and the one waiting longest is
  // the oldest of all; the queue showed 100 others and not them
  const p = watch(await (await browser.newContext()).newPage(), 'busy tenant');
  await p.goto(`${env.PARLEY_GW2}/demo/dashboard.html?tenant=${env.PARLEY_QUEUE_TENANT}&api=${env.PARLEY_API}`
    + `&gateways=${env.PARLEY_GW2}&token=${env.PARLEY_QUEUE_STAFF_TOKEN}`);
  await p.locator('#state[data-state="open"]').waitFor();
  await p.getByLabel('Queue (unclaimed, oldest first)').check();
  await p.locator(`button[data-session="${env.PARLEY_QUEUE_OLDEST}"]`).waitFor();
  assert.equal(await p.locator('#sessions button[data-session]').first().getAttribute('data-session'),
    env.PARLEY_QUEUE_OLDEST, 'first in line');

  // the chats between the newest 100 and the 100 waiting longest are a click away, page by page
  await p.getByLabel('All', { exact: true }).check();
  const listed = () => p.locator('#sessions button[data-session]').count();
  assert.equal(await listed(), 200, 'the newest 100 and the 100 waiting longest');
  await p.getByRole('button', { name: 'Load more chats' }).click();
  await p.waitForFunction(() => document.querySelectorAll('#sessions button[data-session]').length === 221);
  await p.getByRole('button', { name: 'Load more chats' }).click(); // the last page: nothing new, and no more
  await p.getByRole('button', { name: 'Load more chats' }).waitFor({ state: 'hidden' });
  assert.equal(await listed(), 221, 'each chat once');
  await p.context().close();
});

test('a reply while the panel is closed shows on the launcher, also on the next page of the site', async () => {
  const shop = watch(await (await browser.newContext()).newPage(), 'shop with the panel closed');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  const launcher = inWidget(shop, 'button.launcher');
  await launcher.click();
  await inWidget(shop, '.state[data-state="open"]').waitFor({ timeout: 20000 });
  await inWidget(shop, '[name="text"]').fill('is anyone there?');
  await inWidget(shop, '[name="text"]').press('Enter');
  await inWidget(shop, 'li[data-state="stored"] .text').filter({ hasText: 'is anyone there?' }).waitFor();
  const session = await shop.locator('#parley-widget').getAttribute('data-session');
  const reply = async (content) => assert.equal((await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${session}/messages`, {
    method: 'POST', headers: { Authorization: `Bearer ${env.PARLEY_STAFF_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ content }),
  })).status, 201);
  await launcher.click(); // the visitor closes the panel and reads on
  await reply('Yes, how can I help?');
  const badge = inWidget(shop, 'button.launcher .badge');
  await badge.filter({ hasText: /^1$/ }).waitFor();
  assert.match(await launcher.getAttribute('aria-label'), /1 new message/);
  await launcher.click(); // opened: read, and the badge goes
  await inWidget(shop, 'li .text').filter({ hasText: 'Yes, how can I help?' }).waitFor();
  await badge.waitFor({ state: 'hidden' });
  await launcher.click();
  const unread = async () => (await (await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${session}`,
    { headers: { Authorization: `Bearer ${env.PARLEY_SHOP_VISITOR_TOKEN}` } })).json()).unread_count;
  for (let i = 0; i < 50 && await unread() !== 0; i++) {
    await shop.waitForTimeout(100); // the read on its way to chat-api
  }
  // the next page of the shop: the widget follows the chat without the panel open, and nothing new is started
  await shop.reload();
  await shop.locator(`#parley-widget[data-session="${session}"]`).waitFor({ state: 'attached', timeout: 20000 });
  await reply('Are you still there?');
  await badge.filter({ hasText: /^1$/ }).waitFor({ timeout: 20000 });
  assert.equal(await inWidget(shop, '.panel').isHidden(), true);
  await shop.context().close();
});

test('the demo pages take several lines too: Shift+Enter breaks the line, Enter sends', async () => {
  const visitor = watch(await (await browser.newContext()).newPage(), 'demo widget, lines');
  await visitor.goto(page(env.PARLEY_GW2, 'widget.html', env.PARLEY_CUSTOMER2_TOKEN, env.PARLEY_GW2));
  await visitor.getByRole('button', { name: 'Start a chat' }).click();
  await visitor.locator('#state[data-state="open"]').waitFor();
  const chat = await visitor.locator('body').getAttribute('data-session');
  const write = async (p, selector, first, second) => {
    await p.locator(selector).pressSequentially(first);
    await p.locator(selector).press('Shift+Enter');
    await p.locator(selector).pressSequentially(second);
    await p.locator(selector).press('Enter');
  };
  await write(visitor, '#text', 'Flat 2', '1 Main Street');
  const sent = visitor.locator('#messages li[data-state="stored"] .text', { hasText: 'Main Street' });
  await sent.waitFor();
  assert.equal(await sent.evaluate((t) => t.textContent), 'Flat 2\n1 Main Street');
  // the list is a live region: what it shows stays the same nodes when a message comes (it was
  // rebuilt, and a screen reader read the whole conversation again)
  await sent.evaluate((t) => { t.closest('li').shownBefore = true; });

  const agent = watch(await (await browser.newContext()).newPage(), 'demo dashboard, lines');
  await agent.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_STAFF2_TOKEN, env.PARLEY_GW2));
  await agent.locator('#state[data-state="open"]').waitFor();
  await agent.locator(`button[data-session="${chat}"]`).click();
  await agent.locator('#chat-state[data-state="open"]').waitFor();
  await write(agent, '#text', 'Thanks.', 'It ships today.');
  const received = visitor.locator('#messages li .text', { hasText: 'ships today' });
  await received.waitFor();
  assert.equal(await received.evaluate((t) => t.textContent), 'Thanks.\nIt ships today.');
  assert.equal(await sent.evaluate((t) => t.closest('li').shownBefore === true), true, 'the first message kept its node');
  await visitor.context().close();
  await agent.context().close();
});

test('embedded behind a proxy that breaks WebSocket: the widget receives over cross-origin SSE', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.WebSocket = class {
      constructor() {
        throw new Error('WebSocket blocked');
      }
    };
  });
  const shop = watch(await context.newPage(), 'shop over SSE');
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await openWidget(shop);
  const shopSession = await shop.locator('#parley-widget').getAttribute('data-session');
  await staff.locator(`button[data-session="${shopSession}"]`).click();
  await staff.locator('#text').fill('over SSE to the shop');
  await staff.locator('#text').press('Enter');
  await inWidget(shop, 'li .text').filter({ hasText: 'over SSE to the shop' }).waitFor();
  await context.close();
});

test('the same tag on a site nobody allowed: the chat does not open and nothing is created', async () => {
  const rogue = watch(await (await browser.newContext()).newPage(), 'rogue shop');
  await rogue.goto(`${env.PARLEY_ROGUE_SHOP}/`);
  await inWidget(rogue, 'button.launcher').click();
  await inWidget(rogue, '.error').filter({ hasText: 'not available' }).waitFor({ timeout: 20000 });
  assert.equal(await rogue.locator('#parley-widget').getAttribute('data-session'), null);
  assert.equal(await inWidget(rogue, '.state').getAttribute('data-state'), 'idle');
  await rogue.context().close();
});

test('a chat longer than a gateway replays opens with every message, read from chat-api\'s history', async () => {
  // the gateways here replay 40 events at most (BrowserIT); beyond, they send resync_required and go
  // on live, and the page showed the chat as if it had begun there
  const headers = { Authorization: `Bearer ${env.PARLEY_CUSTOMER2_TOKEN}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions`,
    { method: 'POST', headers, body: '{}' });
  const long = (await created.json()).id;
  for (let i = 1; i <= 45; i++) {
    const posted = await fetch(`${env.PARLEY_API}/api/tenants/${env.PARLEY_TENANT}/sessions/${long}/messages`,
      { method: 'POST', headers, body: JSON.stringify({ content: `line ${i}`, client_message_id: `long-${i}` }) });
    assert.equal(posted.status, 201);
  }
  const reader = watch(await (await browser.newContext()).newPage(), 'reader');
  await reader.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_STAFF_TOKEN, env.PARLEY_GW2));
  await reader.locator('#state[data-state="open"]').waitFor();
  await reader.locator(`button[data-session="${long}"]`).click();
  await reader.locator('#messages li .text', { hasText: 'line 45' }).waitFor();
  await reader.locator('#messages li').nth(44).waitFor(); // the 45th: history read in
  assert.deepEqual(await texts(reader), Array.from({ length: 45 }, (_, i) => `line ${i + 1}`));
  assert.deepEqual(await seqs(reader), Array.from({ length: 45 }, (_, i) => i + 2), 'each once, in order');
  await reader.context().close();
});

test('a connection replaced by a newer one of the same visitor (4409) says so, on the widget and the demo page', async () => {
  // the gateway closes the oldest of a user's connections beyond five with 4409: the pages said
  // only "Disconnected" (the demo: "sign in again"), and the visitor could not tell why
  let replacements = 0;
  const replaceAfterConnected = (ws) => {
    const server = ws.connectToServer();
    const replace = replacements++ === 0; // the first connection of the page only
    server.onMessage((message) => {
      ws.send(message);
      if (replace && JSON.parse(message).type === 'connected') {
        setTimeout(() => ws.close({ code: 4409, reason: 'replaced by a newer connection' }), 200);
      }
    });
  };
  const shop = watch(await (await browser.newContext()).newPage(), 'replaced shop');
  await shop.routeWebSocket(/\/ws\//, replaceAfterConnected);
  await shop.goto(`${env.PARLEY_SHOP}/`);
  await inWidget(shop, 'button.launcher').click();
  await inWidget(shop, '.state[data-state="failed"]').filter({ hasText: 'opened in another tab' }).waitFor();
  // the visitor is here now: closing and opening the panel in this tab takes the chat back
  await inWidget(shop, 'button.launcher').click();
  await openWidget(shop);
  await shop.context().close();
  replacements = 0;

  const demo = watch(await (await browser.newContext()).newPage(), 'replaced demo widget');
  await demo.routeWebSocket(/\/ws\//, replaceAfterConnected);
  await demo.goto(page(env.PARLEY_GW2, 'widget.html', env.PARLEY_CUSTOMER2_TOKEN, env.PARLEY_GW2)); // gw1 was stopped
  await demo.locator('#start').click();
  await demo.locator('#state[data-state="failed"]', { hasText: 'opened in another tab' }).waitFor();
  await demo.context().close();
});

test('an operator who leaves the dashboard alone is away for the others, and back at the next move', async () => {
  const olivia = watch(await (await browser.newContext()).newPage(), 'olivia, idle');
  // gateway 1 was stopped by a test above: both dashboards on gateway 2
  await olivia.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_STAFF2_TOKEN, env.PARLEY_GW2) + '&away_after=2');
  await olivia.locator('#state[data-state="open"]').waitFor();
  await olivia.getByLabel('My status').selectOption('available'); // she left as away in the test above
  await staff.locator('#operators li[data-user="olivia"][data-status="available"]').waitFor();
  // nothing done on her page for two seconds: sam sees her away, and she sees why
  await staff.locator('#operators li[data-user="olivia"][data-status="away"]').waitFor();
  await olivia.locator('#idle-note').waitFor();
  assert.equal(await olivia.getByLabel('My status').inputValue(), 'away');
  await olivia.mouse.move(200, 200);
  await olivia.mouse.move(220, 240);
  await staff.locator('#operators li[data-user="olivia"][data-status="available"]').waitFor();
  await olivia.locator('#idle-note').waitFor({ state: 'hidden' });
  assert.equal(await olivia.getByLabel('My status').inputValue(), 'available');
  await olivia.context().close();
});

test('an admin erases a customer\'s chats from the dashboard (a privacy request): every message is gone', async () => {
  const ann = watch(await (await browser.newContext()).newPage(), 'ann, erasure');
  // gateway 1 was stopped by a test above
  await ann.goto(page(env.PARLEY_GW2, 'dashboard.html', env.PARLEY_ADMIN_TOKEN, env.PARLEY_GW2));
  await ann.locator('#state[data-state="open"]').waitFor();
  await ann.getByLabel('Erase a customer\'s chats (a privacy request): their user id').fill('alice');
  const asked = new Promise((resolve) => ann.once('dialog', (dialog) => {
    resolve(dialog.message());
    dialog.accept();
  }));
  await ann.getByRole('button', { name: 'Erase', exact: true }).click();
  assert.equal(await asked, 'Erase every message of every chat of alice, for everyone? This cannot be undone.');
  const note = ann.locator('#admin-note', { hasText: /^Erased \d+ messages? in \d+ chats? of alice\.$/ });
  await note.waitFor();
  assert.ok(!(await note.textContent()).startsWith('Erased 0 '), await note.textContent());
  await ann.locator(`button[data-session="${sessionId}"]`).click();
  await ann.locator('#messages li').first().waitFor();
  const shown = await ann.locator('#messages li .text').allTextContents();
  assert.ok(shown.length > 0 && shown.every((text) => text === 'Message deleted'), shown.join(' | '));
  await ann.context().close();
});
