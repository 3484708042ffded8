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

// Waymark's own sessions arrive with accounts (issue 9's next part): until
// then a checked sign-in says who the provider vouched for, with the role,
// and signs nobody in (501).
test('a person in a mapped group is checked and given the mapped role', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, GOOD, 'alice', '/plans/1?view=all');
    const done = await browser.request(callback);
    assert.equal(done.status, 501, done.text);
    assert.match(done.text, /Alice Example \(alice@example\.org\)/);
    assert.match(done.text, /the manager role/);
    assert.equal(browser.cookie(GOOD, 'waymark_sso'), undefined, 'the pending sign-in cookie is cleared');
});

test('a callback is used once: replaying it is refused', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, GOOD, 'alice');
    const pending = browser.cookie(GOOD, 'waymark_sso').value;
    assert.equal((await browser.request(callback)).status, 501);

    const attacker = new Browser();
    const replay = await attacker.request(callback, { headers: { cookie: `waymark_sso=${pending}` } });
    assert.equal(replay.status, 400);
    assert.match(replay.text, /sign-in has expired/);
});

test('a callback without this browser\'s pending sign-in is refused', async () => {
    const victim = new Browser();
    const callback = await toCallback(victim, GOOD, 'alice');
    // Another browser (login CSRF: an attacker's code in a victim's browser).
    const res = await new Browser().request(callback);
    assert.equal(res.status, 400);
    assert.match(res.text, /sign-in has expired/);
});

test('a state that does not match is refused', async () => {
    const browser = new Browser();
    const callback = new URL(await toCallback(browser, GOOD, 'alice'));
    callback.searchParams.set('state', 'not-the-state-that-was-sent');
    const res = await browser.request(callback.toString());
    assert.equal(res.status, 400);
    assert.match(res.text, /could not be checked/);
});

test('someone in no mapped group is refused with a clear page', async () => {
    const browser = new Browser();
    const res = await browser.request(await toCallback(browser, GOOD, 'bob'));
    assert.equal(res.status, 403);
    assert.match(res.text, /does not have access to Waymark/);
    assert.match(res.text, /none of the groups/);
});

test('an ID token not signed by the provider\'s published key is refused', async () => {
    const browser = new Browser();
    const res = await browser.request(await toCallback(browser, WRONG_KEY, 'alice'));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /could not be verified/);
});

test('a provider that does not answer gives a clear page', async () => {
    const browser = new Browser();
    const res = await browser.request(`${DOWN}/auth/oidc/login`);
    assert.equal(res.status, 502);
    assert.match(res.text, /did not answer/);
});
