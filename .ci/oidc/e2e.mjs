// Single sign-on end to end, over HTTP as a browser would do it (redirects
// followed by hand, cookies kept per host, the provider's sign-in form
// filled in). Started by run.sh, which sets:
//   WAYMARK_GOOD           Waymark against a provider that signs with the key it publishes
//   WAYMARK_WRONG_KEY      Waymark against a provider whose published key did not sign
//   WAYMARK_PROVIDER_DOWN  Waymark against an issuer where nothing listens

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Browser, formAction } from './http.mjs';

const GOOD = process.env.WAYMARK_GOOD;
const WRONG_KEY = process.env.WAYMARK_WRONG_KEY;
const DOWN = process.env.WAYMARK_PROVIDER_DOWN;
for (const [name, value] of Object.entries({ GOOD, WRONG_KEY, DOWN })) {
    if (!value) throw new Error(`WAYMARK_${name} is not set (run this through run.sh)`);
}

// Start a sign-in at `waymark` and go through the provider's form as
// `account`, up to (not into) Waymark's callback. Returns the callback URL.
async function toCallback(browser, waymark, account, next = '/plans/1') {
    const start = await browser.request(`${waymark}/auth/oidc/login?next=${encodeURIComponent(next)}`);
    assert.equal(start.status, 303, `login should redirect to the provider:\n${start.text}`);
    const pending = browser.cookie(waymark, 'waymark_sso');
    assert.ok(pending, 'the pending sign-in cookie is set');
    assert.equal(pending.path, '/auth/oidc');
    assert.ok('httponly' in pending.flags, 'the pending sign-in cookie is HttpOnly');
    assert.equal(pending.flags.samesite?.toLowerCase(), 'lax');

    const authorize = new URL(start.location);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('code_challenge'), 'PKCE challenge sent');
    assert.ok((authorize.searchParams.get('state') ?? '').length >= 16, 'state sent');
    assert.ok((authorize.searchParams.get('nonce') ?? '').length >= 16, 'nonce sent');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${waymark}/auth/oidc/callback`);
    assert.match(authorize.searchParams.get('scope') ?? '', /\bopenid\b/);

    const form = await browser.go(start.location);
    assert.equal(form.status, 200, `the provider's sign-in form:\n${browser.describeTrace()}`);
    const posted = await browser.request(formAction(form.text, form.url), {
        method: 'POST',
        body: new URLSearchParams({ login: account }),
    });
    const back = await browser.go(posted.location, {
        follow: (hop) => !hop.location.startsWith(`${waymark}/`),
    });
    assert.ok(
        back.location?.startsWith(`${waymark}/auth/oidc/callback?`),
        `the provider should send the browser back to Waymark:\n${browser.describeTrace()}`,
    );
    return back.location;
}

// Who the session cookie in `browser` signs in as at `waymark`: GET /api/v1/me
// with the cookie alone (the servers here are `waymark serve`, so a visitor
// may not read: without a session this is a 401).
async function me(browser, waymark) {
    const res = await browser.request(`${waymark}/api/v1/me`, { headers: { accept: 'application/json' } });
    return { status: res.status, body: res.status === 200 ? JSON.parse(res.text) : res.text };
}

// The session cookie a good sign-in sets, checked as docs/access.md says.
function sessionCookie(browser, waymark) {
    const session = browser.cookie(waymark, 'waymark_session');
    assert.ok(session, `no waymark_session cookie after signing in:\n${browser.describeTrace()}`);
    assert.equal(session.path, '/');
    assert.ok('httponly' in session.flags, 'the session cookie is HttpOnly');
    assert.equal(session.flags.samesite?.toLowerCase(), 'lax');
    assert.ok(!('secure' in session.flags), 'the session cookie is Secure on a plain-http public URL');
    assert.match(session.value, /^[A-Za-z0-9_-]{32,}$/, 'the session id is long and random-looking');
    return session;
}

test('a person in a mapped group is signed in, returned to where they were going, with the mapped role', async () => {
    const browser = new Browser();
    const before = await me(browser, GOOD);
    assert.equal(before.status, 401, 'GET /api/v1/me answers without a session');

    const callback = await toCallback(browser, GOOD, 'alice', '/plans/1?view=all');
    const done = await browser.request(callback);
    assert.equal(done.status, 303, `a good sign-in ends with a 303:\n${done.text}`);
    assert.equal(done.location, `${GOOD}/plans/1?view=all`, 'the sign-in returns to the path it started from');
    assert.equal(browser.cookie(GOOD, 'waymark_sso'), undefined, 'the pending sign-in cookie is cleared');
    sessionCookie(browser, GOOD);

    const who = await me(browser, GOOD);
    assert.equal(who.status, 200, `GET /api/v1/me with the session cookie: ${who.body}`);
    assert.equal(who.body.email, 'alice@example.org');
    assert.equal(who.body.name, 'Alice Example');
    assert.equal(who.body.role, 'manager', 'the role comes from the role map (waymark-managers=manager)');
    assert.equal(who.body.via, 'session');

    const account = await browser.request(`${GOOD}/account`);
    assert.equal(account.status, 200, `/account with the session cookie:\n${browser.describeTrace()}`);
    assert.match(account.text, /Alice Example/);
    assert.match(account.text, /alice@example\.org/);
    assert.match(account.text, /Your organisation account/, 'the account page says it signs in through single sign-on');
});

test('a second sign-in of the same person reuses their account and starts a new session', async () => {
    const first = new Browser();
    assert.equal((await first.request(await toCallback(first, GOOD, 'alice'))).status, 303);
    const one = await me(first, GOOD);
    assert.equal(one.status, 200);

    const second = new Browser();
    assert.equal((await second.request(await toCallback(second, GOOD, 'alice'))).status, 303);
    const two = await me(second, GOOD);
    assert.equal(two.status, 200);
    assert.equal(two.body.id, one.body.id, 'a second sign-in made another account');
    assert.equal(two.body.email, 'alice@example.org');
    assert.notEqual(
        second.cookie(GOOD, 'waymark_session').value,
        first.cookie(GOOD, 'waymark_session').value,
        'a second sign-in reused the first session id',
    );
});

test('the highest mapped role of a person\'s groups is theirs', async () => {
    const browser = new Browser();
    assert.equal((await browser.request(await toCallback(browser, GOOD, 'carol'))).status, 303);
    const who = await me(browser, GOOD);
    assert.equal(who.status, 200);
    assert.equal(who.body.email, 'carol@example.org');
    assert.equal(who.body.role, 'admin', 'in waymark-managers and waymark-admins: admin');
});

test('a callback is used once: replaying it is refused', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, GOOD, 'alice');
    const pending = browser.cookie(GOOD, 'waymark_sso').value;
    assert.equal((await browser.request(callback)).status, 303);

    const attacker = new Browser();
    const replay = await attacker.request(callback, { headers: { cookie: `waymark_sso=${pending}` } });
    assert.equal(replay.status, 400);
    assert.match(replay.text, /sign-in has expired/);
    assert.equal(attacker.cookie(GOOD, 'waymark_session'), undefined, 'a replayed callback started a session');
});

test('a callback without this browser\'s pending sign-in is refused', async () => {
    const victim = new Browser();
    const callback = await toCallback(victim, GOOD, 'alice');
    // Another browser (login CSRF: an attacker's code in a victim's browser).
    const other = new Browser();
    const res = await other.request(callback);
    assert.equal(res.status, 400);
    assert.match(res.text, /sign-in has expired/);
    assert.equal(other.cookie(GOOD, 'waymark_session'), undefined, 'a callback from another browser started a session');
});

test('a state that does not match is refused', async () => {
    const browser = new Browser();
    const callback = new URL(await toCallback(browser, GOOD, 'alice'));
    callback.searchParams.set('state', 'not-the-state-that-was-sent');
    const res = await browser.request(callback.toString());
    assert.equal(res.status, 400);
    assert.match(res.text, /could not be checked/);
    assert.equal(browser.cookie(GOOD, 'waymark_session'), undefined, 'a wrong state started a session');
});

test('someone in no mapped group is refused with a clear page', async () => {
    const browser = new Browser();
    const res = await browser.request(await toCallback(browser, GOOD, 'bob'));
    assert.equal(res.status, 403);
    assert.match(res.text, /does not have access to Waymark/);
    assert.match(res.text, /none of the groups/);
    assert.equal(browser.cookie(GOOD, 'waymark_session'), undefined, 'someone with no role was given a session');
    assert.equal((await me(browser, GOOD)).status, 401, 'someone with no role is signed in');
});

test('an ID token not signed by the provider\'s published key is refused', async () => {
    const browser = new Browser();
    const res = await browser.request(await toCallback(browser, WRONG_KEY, 'alice'));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /could not be verified/);
    assert.equal(browser.cookie(WRONG_KEY, 'waymark_session'), undefined, 'a forged ID token started a session');
    assert.equal((await me(browser, WRONG_KEY)).status, 401, 'a forged ID token signed someone in');
});

test('a provider that does not answer gives a clear page', async () => {
    const browser = new Browser();
    const res = await browser.request(`${DOWN}/auth/oidc/login`);
    assert.equal(res.status, 502);
    assert.match(res.text, /did not answer/);
});
