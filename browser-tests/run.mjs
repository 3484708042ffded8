// Real-browser tests for Waymark's web UI, run by `.ci/run` against the demo
// server (`waymark demo`), in Debian's Chromium driven by playwright-core.
//
//   WAYMARK_URL       base URL of a running demo server   [http://127.0.0.1:8080]
//   WAYMARK_EMAIL     an administrator's email address     (required)
//   WAYMARK_PASSWORD  its password                         (required)
//   WAYMARK_TOKEN     an API token of the same account     (required)
//   WAYMARK_NAME      its display name                     [CI editor]
//   CHROMIUM_PATH     the browser                          [/usr/bin/chromium]
//   SCREENSHOT_DIR    where full-page screenshots go       [../ci-artifacts/screenshots]
//
// Run: node --test --test-concurrency=1 run.mjs
//
// Pages are opened signed in as that account (both browser contexts sign in
// through /sign-in before the tests); every direct API call sends its token.
// .ci/run makes the account (`waymark user add … --role admin` and
// `waymark token create`) and sets the three variables.
//
// The flows edit the demo plan (they change "Application review" and create and
// delete a package), so point them at a throwaway demo, never at real data.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const BASE = (process.env.WAYMARK_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(process.env.SCREENSHOT_DIR || path.join(here, '..', 'ci-artifacts', 'screenshots'));
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const PLAN = 1;
const PLAN_TITLE_PACKAGE = 'Application review';
const EMAIL = process.env.WAYMARK_EMAIL;
const PASSWORD = process.env.WAYMARK_PASSWORD;
const TOKEN = process.env.WAYMARK_TOKEN;
const NAME = process.env.WAYMARK_NAME || 'CI editor';

// Chromium as the machine notes say it must run here: no sandbox (root), no GPU,
// no QUIC, and nothing that phones home (the network is closed).
const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

let browser;
let desktop; // browser contexts
let phone;
const ids = {}; // found through the JSON API

// ------------------------------------------------------------------ helpers

/** Headers that sign an API request in with the CI editor's token. */
function withToken(headers = {}) {
    return { ...headers, authorization: `Bearer ${TOKEN}` };
}

async function api(pathAndQuery) {
    const res = await fetch(BASE + pathAndQuery, { headers: withToken({ accept: 'application/json' }) });
    const body = await res.text();
    assert.equal(res.status, 200, `GET ${pathAndQuery} answered ${res.status}: ${body.slice(0, 500)}`);
    return JSON.parse(body);
}

/** The list in an API answer, whatever the envelope calls it. */
function listOf(doc) {
    if (Array.isArray(doc)) return doc;
    for (const key of ['items', 'data', 'work_packages', 'related_items', 'results']) {
        if (Array.isArray(doc?.[key])) return doc[key];
    }
    throw new Error(`no list in API answer: ${JSON.stringify(doc).slice(0, 300)}`);
}

/** Ids of the work packages an API list query returns (all pages). */
async function apiPackageIds(query) {
    const doc = await api(`/api/v1/plans/${PLAN}/work-packages?per_page=500&${query}`);
    return listOf(doc).map((w) => Number(w.id)).sort((a, b) => a - b);
}

const squash = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/** Open a path in a new tab of the context; fail unless it answers 200. */
async function open(context, pagePath, { expectStatus = 200 } = {}) {
    const page = await context.newPage();
    const problems = watch(page);
    const res = await page.goto(BASE + pagePath, { waitUntil: 'load' });
    assert.ok(res, `no response for ${pagePath}`);
    assert.equal(res.status(), expectStatus, `${pagePath} answered ${res.status()}, expected ${expectStatus}`);
    page.problems = problems;
    return page;
}

/**
 * Sign in through /sign-in as the CI editor (WAYMARK_EMAIL, WAYMARK_PASSWORD),
 * the way a person does: the page's own form. The sign-in page is opened first
 * (with `next` as its return path) unless `onPage` says the page is on it
 * already. The page ends where signing in took it, and the session cookie is
 * the whole browser context's. Returns the response to the form's post (after
 * its redirect).
 */
async function signIn(page, { next, onPage = false, password = PASSWORD } = {}) {
    if (!onPage) {
        const query = next ? `?next=${encodeURIComponent(next)}` : '';
        const res = await page.goto(`${BASE}/sign-in${query}`, { waitUntil: 'load' });
        assert.equal(res.status(), 200, `/sign-in${query} answered ${res.status()}`);
    }
    await page.locator('#email').fill(EMAIL);
    await page.locator('#password').fill(password);
    const button = page.locator('main form[action="/sign-in"]').getByRole('button', { name: 'Sign in' });
    const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
    return res;
}

/** The session cookie of a browser context, if it has one. */
async function sessionCookie(context) {
    return (await context.cookies(BASE)).find((c) => c.name === 'waymark_session');
}

/**
 * Collect script errors, console errors (CSP refusals show up there) and
 * sub-resources (stylesheet, script, image) that fail to load. The document's
 * own status is checked where it is loaded: Chromium logs a 4xx document (a
 * form sent back with errors) as a console error too, so those are left out.
 */
function watch(page) {
    const problems = [];
    page.on('pageerror', (e) => problems.push(`uncaught script error: ${e.message}`));
    page.on('console', (m) => {
        if (m.type() !== 'error' || /^Failed to load resource/.test(m.text())) return;
        const where = m.location()?.url;
        problems.push(`console error: ${m.text()}${where ? ` (${where})` : ''}`);
    });
    page.on('response', (r) => {
        const req = r.request();
        // Chromium asks for /favicon.ico on its own; a page need not have one.
        if (req.resourceType() === 'document' || r.status() < 400 || /\/favicon\.ico$/.test(r.url())) return;
        problems.push(`${req.resourceType()} ${r.url()} answered ${r.status()}`);
    });
    page.on('requestfailed', (req) => {
        if (req.resourceType() !== 'document') problems.push(`${req.resourceType()} ${req.url()} failed: ${req.failure()?.errorText}`);
    });
    return problems;
}

function assertNoProblems(page, what) {
    const problems = page.problems || [];
    assert.deepEqual(problems, [], `${what}: the browser reported errors:\n  ${problems.join('\n  ')}`);
}

/** The ids of the work packages linked from the page's tables. */
async function tablePackageIds(page) {
    const hrefs = await page.$$eval('main table a[href]', (as) => as.map((a) => a.getAttribute('href')));
    const found = new Set();
    for (const h of hrefs) {
        const m = /^(?:https?:\/\/[^/]+)?\/work-packages\/(\d+)(?:[?#].*)?$/.exec(h);
        if (m) found.add(Number(m[1]));
    }
    return [...found].sort((a, b) => a - b);
}

/** Submit the form that holds `control` with its own submit button. */
async function submitFormOf(page, control) {
    const form = control.locator('xpath=ancestor::form[1]');
    const button = form.locator('button[type=submit], button:not([type]), input[type=submit]').first();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** The overview's filter form: the form holding a control named `name`. */
function filterControl(page, name) {
    return page.locator(`main form [name="${name}"]`).first();
}

// ------------------------------------------------------------------ page checks

async function runAxe(page) {
    await page.evaluate(AXE_SOURCE);
    return page.evaluate(
        async (tags) => {
            // eslint-disable-next-line no-undef
            const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
            return r.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
            }));
        },
        AXE_TAGS,
    );
}

function describeViolations(violations) {
    return violations
        .map((v) => {
            const nodes = v.nodes
                .slice(0, 5)
                .map((n) => `      at ${n.target}\n         ${n.html.slice(0, 200)}\n         ${squash(n.summary).slice(0, 300)}`)
                .join('\n');
            const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : '';
            return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
        })
        .join('\n');
}

/** Fail on serious or critical violations; print the lesser ones. */
async function assertAxeClean(page, what) {
    const violations = await runAxe(page);
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const other = violations.filter((v) => !blocking.includes(v));
    if (other.length) {
        console.log(`# ${what}: axe-core found ${other.length} minor/moderate issue(s), not failing:\n${describeViolations(other).replace(/^/gm, '# ')}`);
    }
    assert.equal(blocking.length, 0, `axe-core found serious or critical WCAG violations on ${what}:\n${describeViolations(blocking)}`);
}

/**
 * Elements that stick out past the right edge of the window and are not
 * clipped by a scroll box (an absolutely positioned element escapes every box
 * up to its containing block, so a scroll box only clips it if it, or
 * something inside it, is positioned).
 */
async function overflowingElements(page) {
    return page.evaluate(() => {
        const vw = window.innerWidth;
        const root = [document.body, document.documentElement];
        const clipped = (el) => {
            let position = getComputedStyle(el).position;
            if (position === 'fixed') return false;
            let needPositioned = position === 'absolute';
            // body's overflow belongs to the viewport, so only boxes inside it count.
            for (let p = el.parentElement; p && !root.includes(p); p = p.parentElement) {
                const cs = getComputedStyle(p);
                if (needPositioned && cs.position === 'static') continue;
                needPositioned = false;
                if (cs.overflowX !== 'visible') return true;
                if (cs.position === 'fixed') return false;
                if (cs.position === 'absolute') needPositioned = true;
            }
            return false;
        };
        const describe = (el) => {
            const r = el.getBoundingClientRect();
            const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
            const pos = getComputedStyle(el).position;
            const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
            return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> position:${pos}, x ${Math.round(r.left)}–${Math.round(r.right)}px, in ${el.parentElement.tagName.toLowerCase()}${el.parentElement.className ? '.' + String(el.parentElement.className).trim().split(/\s+/).join('.') : ''}: "${text}"`;
        };
        const out = [];
        let count = 0;
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0 && getComputedStyle(el).position === 'static') continue;
            if (r.right <= vw + 0.5 || clipped(el)) continue;
            // Report the outermost offender only.
            const parent = el.parentElement;
            if (parent && !root.includes(parent) && parent.getBoundingClientRect().right > vw + 0.5 && !clipped(parent)) continue;
            count++;
            if (out.length < 8) out.push(describe(el));
        }
        if (count > out.length) out.push(`… and ${count - out.length} more`);
        return out;
    });
}

/** The first Tab reaches a visible skip link whose target exists, and following it moves on into the target. */
async function checkSkipLink(page) {
    await page.evaluate(() => {
        if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
        window.scrollTo(0, 0);
    });
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
        const a = document.activeElement;
        if (!a || a === document.body) return null;
        const r = a.getBoundingClientRect();
        const href = a.getAttribute('href') || '';
        const target = href.startsWith('#') && href.length > 1 ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
        return {
            tag: a.tagName.toLowerCase(),
            text: (a.textContent || '').replace(/\s+/g, ' ').trim(),
            href,
            targetExists: !!target,
            visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth,
        };
    });
    assert.ok(first, 'the first Tab focused nothing');
    assert.equal(first.tag, 'a', `the first Tab focused a <${first.tag}> ("${first.text}"), not the skip link`);
    assert.match(first.text, /skip/i, `the first Tab focused "${first.text}" (${first.href}), not a skip link`);
    assert.ok(first.targetExists, `the skip link points at ${first.href}, which is not an element id on the page`);
    assert.ok(first.visible, 'the skip link is not visible when it has focus');

    // Follow it: the next Tab must land inside (or after) its target.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const after = await page.evaluate((href) => {
        const target = document.getElementById(decodeURIComponent(href.slice(1)));
        const a = document.activeElement;
        if (!target || !a || a === document.body) return { ok: false, focused: a ? a.outerHTML.slice(0, 120) : 'nothing' };
        const inOrAfter = target === a || target.contains(a) || !!(target.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
        return { ok: inOrAfter, focused: a.outerHTML.slice(0, 120) };
    }, first.href);
    assert.ok(after.ok, `after following the skip link, Tab focused ${after.focused}, which is before its target ${first.href}`);
}

/** Headings in order: one h1, and no level skipped on the way down. */
async function checkHeadings(page) {
    const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) =>
        hs.filter((h) => h.getClientRects().length > 0 || h.closest('.visually-hidden, .sr-only')).map((h) => ({ level: Number(h.tagName[1]), text: (h.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60) })),
    );
    const h1s = levels.filter((h) => h.level === 1);
    assert.equal(h1s.length, 1, `expected exactly one h1, found ${h1s.length}: ${JSON.stringify(h1s)}`);
    assert.equal(levels[0]?.level, 1, `the first heading is an h${levels[0]?.level} ("${levels[0]?.text}"), not the h1`);
    for (let i = 1; i < levels.length; i++) {
        assert.ok(
            levels[i].level <= levels[i - 1].level + 1,
            `heading level skipped: h${levels[i - 1].level} "${levels[i - 1].text}" is followed by h${levels[i].level} "${levels[i].text}"`,
        );
    }
}

/** Every data table has header cells. */
async function checkTables(page) {
    const bad = await page.$$eval('table', (ts) =>
        ts.filter((t) => t.getAttribute('role') !== 'presentation' && !t.querySelector('th')).map((t) => t.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(bad, [], `tables without header cells:\n  ${bad.join('\n  ')}`);
}

/** Everything a page family is checked for, at desktop and phone widths. */
async function checkPage(name, pagePath, { wide = desktop, narrow = phone } = {}) {
    // Desktop: axe, headings, tables, skip link, screenshot.
    const page = await open(wide, pagePath);
    try {
        const title = await page.title();
        assert.ok(title.trim().length > 0, 'the page has no <title>');
        const lang = await page.getAttribute('html', 'lang');
        assert.ok(lang && lang.trim(), '<html> has no lang attribute');

        await assertAxeClean(page, `${pagePath} at ${DESKTOP.width}px`);

        await checkHeadings(page);
        await checkTables(page);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${DESKTOP.width}.png`), fullPage: true });
        await checkSkipLink(page);
        assertNoProblems(page, pagePath);
    } finally {
        await page.close();
    }

    // Phone: no horizontal page scroll, screenshot.
    const small = await open(narrow, pagePath);
    try {
        const viewportMeta = await small.$eval('meta[name="viewport"]', (m) => m.getAttribute('content')).catch(() => null);
        assert.ok(viewportMeta && /width=device-width/.test(viewportMeta), `no <meta name="viewport" content="width=device-width, …"> (found: ${viewportMeta})`);
        await small.screenshot({ path: path.join(SHOTS, `${name}-${PHONE.width}.png`), fullPage: true });
        const { scrollWidth, innerWidth } = await small.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
        }));
        if (scrollWidth > innerWidth) {
            const culprits = await overflowingElements(small);
            assert.fail(
                `${pagePath} scrolls sideways at ${PHONE.width}px: document is ${scrollWidth}px wide, window ${innerWidth}px. Elements sticking out:\n  ${culprits.join('\n  ') || '(none found outside scroll boxes)'}`,
            );
        }
        await checkSkipLink(small);
        await assertAxeClean(small, `${pagePath} at ${PHONE.width}px`);
        assertNoProblems(small, `${pagePath} at ${PHONE.width}px`);
    } finally {
        await small.close();
    }
}

// ------------------------------------------------------------------ setup

before(async () => {
    for (const [name, value] of Object.entries({ WAYMARK_EMAIL: EMAIL, WAYMARK_PASSWORD: PASSWORD, WAYMARK_TOKEN: TOKEN })) {
        assert.ok(value, `${name} is not set: the tests sign in as an administrator (see the top of run.mjs)`);
    }
    mkdirSync(SHOTS, { recursive: true });
    const health = await fetch(`${BASE}/healthz`).catch((e) => e);
    assert.ok(health instanceof Response && health.ok, `the server at ${BASE} does not answer /healthz (${health})`);

    // launch() starts Chromium with a new empty --user-data-dir of its own (a
    // temporary profile Playwright removes on close), so no state carries over.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    desktop = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    phone = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
    for (const c of [desktop, phone]) c.setDefaultTimeout(15_000);
    // Both contexts sign in once, through the page: every test that edits
    // through pages (and every admin page) runs as the CI editor.
    for (const c of [desktop, phone]) {
        const page = await c.newPage();
        try {
            await signIn(page);
            assert.equal(new URL(page.url()).pathname, '/', `signing in as ${EMAIL} went to ${page.url()}: ${squash(await page.locator('main').innerText()).slice(0, 300)}`);
            assert.ok(await sessionCookie(c), 'signing in set no waymark_session cookie');
        } finally {
            await page.close();
        }
    }

    const found = listOf(await api(`/api/v1/plans/${PLAN}/work-packages?q=application`));
    const pkg = found.find((w) => squash(w.title) === PLAN_TITLE_PACKAGE);
    assert.ok(pkg, `the API finds no package titled "${PLAN_TITLE_PACKAGE}" (q=application gave ${JSON.stringify(found.map((w) => w.title))})`);
    ids.package = Number(pkg.id);
    const related = listOf(await api(`/api/v1/plans/${PLAN}/related-items`));
    assert.ok(related.length > 0, 'the API lists no related items');
    ids.relatedItem = Number(related[0].id);
    ids.relatedItemName = related[0].name;
    const programmes = listOf(await api(`/api/v1/plans/${PLAN}/programmes`));
    assert.ok(programmes.length > 0, 'the API lists no programmes');
    ids.programme = Number(programmes[0].id);
    const sections = listOf(await api(`/api/v1/plans/${PLAN}/sections`));
    assert.ok(sections.length > 0, 'the API lists no sections');
    ids.section = Number(sections[0].id);
    const me = await api('/api/v1/me');
    assert.equal(me.email, EMAIL, `WAYMARK_TOKEN is ${me.email}'s, not ${EMAIL}'s`);
    ids.account = Number(me.id);
    // A baseline to compare with (the CI account is an administrator, who may take one).
    const taken = await fetch(`${BASE}/api/v1/plans/${PLAN}/baselines`, {
        method: 'POST',
        headers: withToken({ 'content-type': 'application/json', accept: 'application/json' }),
        body: JSON.stringify({ name: `Browser tests ${Date.now()}` }),
    });
    const takenBody = await taken.text();
    assert.equal(taken.status, 201, `taking a baseline answered ${taken.status}: ${takenBody.slice(0, 300)}`);
    ids.baseline = Number(JSON.parse(takenBody).id);
});

after(async () => {
    await browser?.close();
});

// ------------------------------------------------------------------ flows

test('axe-core runs under the pages\' Content-Security-Policy and catches a planted violation', async () => {
    const page = await open(desktop, `/plans/${PLAN}`);
    try {
        const clean = await runAxe(page);
        await page.evaluate(() => {
            const input = document.createElement('input');
            input.type = 'text';
            input.id = 'planted-by-browser-tests';
            document.querySelector('main').prepend(input);
        });
        const planted = await runAxe(page);
        const found = planted.filter((v) => v.nodes.some((n) => n.target.includes('#planted-by-browser-tests')));
        assert.ok(found.some((v) => v.id === 'label'), `axe-core did not report an unlabelled input (found: ${planted.map((v) => v.id).join(', ') || 'nothing'}; before planting: ${clean.map((v) => v.id).join(', ') || 'nothing'})`);
    } finally {
        await page.close();
    }
});

// ------------------------------------------------------------------ signing in and out

/** A new browser context nobody has signed in to, at desktop or phone width. */
async function visitorContext(viewport = DESKTOP) {
    const c = await browser.newContext({ viewport, locale: 'en-GB' });
    c.setDefaultTimeout(15_000);
    return c;
}

/** Fail if the page scrolls sideways, naming what sticks out. */
async function assertNoSidewaysScroll(page, what) {
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
    }));
    if (scrollWidth > innerWidth) {
        assert.fail(`${what} scrolls sideways: ${scrollWidth}px in ${innerWidth}px:\n  ${(await overflowingElements(page)).join('\n  ')}`);
    }
}

describe('signing in and out', () => {
    let wide;
    let narrow;
    before(async () => {
        wide = await visitorContext(DESKTOP);
        narrow = await visitorContext(PHONE);
    });
    after(async () => {
        await wide?.close();
        await narrow?.close();
    });

    test('the sign-in page: axe-core, headings, skip link, 390 px, screenshots', async () => {
        await checkPage('sign-in', '/sign-in', { wide, narrow });
        const page = await open(narrow, '/sign-in');
        try {
            // Usable at 390 px: the fields and the button are within the window.
            for (const selector of ['#email', '#password', 'main form[action="/sign-in"] button[type=submit]']) {
                const box = await page.locator(selector).boundingBox();
                assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${selector} is not within the 390 px window (${JSON.stringify(box)})`);
            }
            assert.equal(await page.locator('#email').getAttribute('autocomplete'), 'username');
            assert.equal(await page.locator('#password').getAttribute('type'), 'password');
            assert.equal(await page.locator('#password').getAttribute('autocomplete'), 'current-password');
        } finally {
            await page.close();
        }
    });

    for (const [label, viewport] of [['1280', DESKTOP], ['390', PHONE]]) {
        test(`a wrong password: the error summary takes focus and links to the field, nobody is signed in (${label} px)`, async () => {
            const context = viewport === DESKTOP ? wide : narrow;
            const page = await open(context, '/sign-in');
            try {
                const res = await signIn(page, { onPage: true, password: `not the password ${Date.now()}` });
                assert.equal(res.status(), 422, `a wrong password answered ${res.status()}`);
                assert.equal(new URL(page.url()).pathname, '/sign-in', `a wrong password went to ${page.url()}`);
                assert.match(await page.title(), /^Error/, `the title does not start with "Error": ${await page.title()}`);
                const summary = page.locator('main .error-summary');
                assert.equal(await summary.count(), 1, 'no error summary');
                const link = summary.locator('a[href="#email"]');
                assert.equal(await link.count(), 1, 'the error summary does not link to the email field');
                assert.match(squash(await link.innerText()), /email address and password/i, 'the summary does not say what to do');
                // Focus is on the summary, so a screen reader starts from it.
                const focused = await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary') ?? false);
                assert.ok(focused, 'focus is not on the error summary after the page loads');
                // The field says it too, and keeps the address; the password is not sent back.
                const described = await page.locator('#email').evaluate((el) =>
                    (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent || '').join(' '),
                );
                assert.match(squash(described), /email address and password/i, 'the email field is not described by its error');
                assert.equal(await page.locator('#email').inputValue(), EMAIL, 'the address typed is not kept');
                assert.equal(await page.locator('#password').inputValue(), '', 'the wrong password is sent back');
                // The same message whether or not the account exists: nothing says which.
                assert.doesNotMatch(squash(await page.locator('main').innerText()), /no account|not found|unknown/i);
                // Following the link reaches the field.
                await link.click();
                assert.equal(await page.evaluate(() => location.hash), '#email', 'the summary link does not go to the email field');
                if ((await page.evaluate(() => document.activeElement?.id)) !== 'email') {
                    console.log('# note: following the sign-in error summary link scrolls to the field but does not focus it');
                }
                await assertAxeClean(page, `the sign-in page with an error at ${label}px`);
                await assertNoSidewaysScroll(page, `the sign-in page with an error at ${label}px`);
                await page.screenshot({ path: path.join(SHOTS, `sign-in-error-${label}.png`), fullPage: true });
                assert.equal(await sessionCookie(context), undefined, 'a wrong password set a session cookie');
                const me = await context.request.get(`${BASE}/api/v1/me`);
                assert.equal(me.status(), 401, `after a wrong password, GET /api/v1/me answered ${me.status()}`);
                assertNoProblems(page, `sign-in with a wrong password at ${label}px`);
            } finally {
                await page.close();
            }
        });
    }

    test('a page that needs signing in sends a visitor to sign in, and signing in lands back on it', async () => {
        const context = await visitorContext();
        try {
            const page = await open(context, '/admin/audit');
            try {
                const at = new URL(page.url());
                assert.equal(at.pathname, '/sign-in', `a visitor opening /admin/audit reached ${page.url()}`);
                assert.equal(at.searchParams.get('next'), '/admin/audit', `the sign-in page does not return to /admin/audit: ${page.url()}`);
                const res = await signIn(page, { onPage: true });
                assert.equal(res.status(), 200, `signing in answered ${res.status()} after its redirect`);
                assert.equal(new URL(page.url()).pathname, '/admin/audit', `signing in went to ${page.url()}, not back to /admin/audit`);
                assert.equal(squash(await page.locator('h1').innerText()), 'Audit trail');
                assertNoProblems(page, 'signing in from /admin/audit');
            } finally {
                await page.close();
            }
            // An explicit return path with a query string comes back whole.
            const page2 = await context.newPage();
            try {
                await signIn(page2, { next: `/plans/${PLAN}/timeline?status=in_progress` });
                const at = new URL(page2.url());
                assert.equal(`${at.pathname}${at.search}`, `/plans/${PLAN}/timeline?status=in_progress`, `signing in with next went to ${page2.url()}`);
            } finally {
                await page2.close();
            }
        } finally {
            await context.close();
        }
    });

    test('signed in, the header names the account and has a Sign out button; signing out ends the session', async () => {
        const context = await visitorContext();
        try {
            const page = await context.newPage();
            page.problems = watch(page);
            try {
                await signIn(page, { next: `/plans/${PLAN}` });
                const account = page.locator('header nav[aria-label="Account"]');
                const name = account.getByRole('link', { name: NAME });
                assert.equal(await name.count(), 1, `the header does not name the account ("${NAME}"): ${squash(await account.innerText())}`);
                assert.equal(await name.getAttribute('href'), '/account', 'the name in the header does not link to /account');
                const signOut = account.getByRole('button', { name: 'Sign out' });
                assert.equal(await signOut.count(), 1, 'the header has no "Sign out" button');
                assert.equal(await signOut.evaluate((b) => b.closest('form')?.method), 'post', 'signing out is not a POST form');
                assert.equal(await account.getByRole('link', { name: 'Sign in' }).count(), 0, 'the header still offers "Sign in"');
                const session = await sessionCookie(context);
                assert.ok(session, 'no waymark_session cookie after signing in');
                assert.ok(session.httpOnly, 'the session cookie is not HttpOnly');
                assert.equal(session.sameSite, 'Lax', 'the session cookie is not SameSite=Lax');
                const me = await context.request.get(`${BASE}/api/v1/me`);
                assert.equal(me.status(), 200, 'GET /api/v1/me with the session cookie');
                const who = await me.json();
                assert.equal(who.email, EMAIL);
                assert.equal(who.via, 'session');
                await page.screenshot({ path: path.join(SHOTS, `signed-in-header-${DESKTOP.width}.png`) });

                await Promise.all([page.waitForURL(/\/sign-in\?signed_out=1$/), signOut.click()]);
                assert.match(squash(await page.locator('main').innerText()), /You have signed out/, 'no notice that you have signed out');
                assert.equal(await page.locator('header').getByRole('button', { name: 'Sign out' }).count(), 0, 'the header still has "Sign out"');
                assert.equal(await page.locator('header').getByRole('link', { name: 'Sign in' }).count(), 1, 'the header does not offer "Sign in"');
                assert.equal(await sessionCookie(context), undefined, 'the session cookie is still set after signing out');
                await assertAxeClean(page, 'the sign-in page after signing out');

                // A protected page is not available any more.
                const res = await page.goto(`${BASE}/admin/audit`, { waitUntil: 'load' });
                assert.equal(new URL(page.url()).pathname, '/sign-in', `after signing out, /admin/audit reached ${page.url()} (${res.status()})`);
                assert.equal((await context.request.get(`${BASE}/api/v1/me`)).status(), 401, 'after signing out, GET /api/v1/me still answers');

                // The old cookie, sent again, signs nobody in: the session ended on the server.
                const replay = await visitorContext();
                try {
                    await replay.addCookies([{ name: session.name, value: session.value, url: BASE }]);
                    const stale = await replay.newPage();
                    await stale.goto(`${BASE}/account`, { waitUntil: 'load' });
                    assert.equal(new URL(stale.url()).pathname, '/sign-in', `the signed-out session's cookie still opens /account (${stale.url()})`);
                    assert.equal((await replay.request.get(`${BASE}/api/v1/me`)).status(), 401, 'the signed-out session\'s cookie still answers GET /api/v1/me');
                } finally {
                    await replay.close();
                }
                assertNoProblems(page, 'signing in and out');
            } finally {
                await page.close();
            }
        } finally {
            await context.close();
        }
    });

    test('/account says who you are and what your role lets you do', async () => {
        const page = await open(desktop, '/account');
        try {
            assert.equal(squash(await page.locator('h1').innerText()), 'Your account');
            const main = squash(await page.locator('main').innerText());
            assert.ok(main.includes(NAME), `the account page does not show the name "${NAME}"`);
            assert.ok(main.includes(EMAIL), `the account page does not show the email ${EMAIL}`);
            assert.match(main, /admin/i, 'the account page does not show the role');
            assert.match(main, /Email address and password/, 'the account page does not say how you sign in');
            assertNoProblems(page, 'account page');
        } finally {
            await page.close();
        }
        await checkPage('account', '/account');
    });
});

describe('overview: open, filter, search', () => {
    test('the home page links to the plan; its overview lists "Application review"', async () => {
        const page = await open(desktop, '/');
        try {
            const link = page.locator(`main a[href="/plans/${PLAN}"], main a[href="${BASE}/plans/${PLAN}"]`).first();
            assert.equal(await link.count(), 1, `the home page has no link to /plans/${PLAN}`);
            await Promise.all([page.waitForURL(new RegExp(`/plans/${PLAN}$`)), link.click()]);
            const table = page.locator('main table').filter({ hasText: PLAN_TITLE_PACKAGE });
            assert.ok((await table.count()) > 0, `the overview's table does not list "${PLAN_TITLE_PACKAGE}"`);
            const listed = await tablePackageIds(page);
            assert.ok(listed.includes(ids.package), `the overview links no /work-packages/${ids.package}`);
            assertNoProblems(page, 'overview');
        } finally {
            await page.close();
        }
    });

    test('the plan at a glance: its overdue figure leads to the overdue list, as the API counts it', async () => {
        for (const [context, label] of [[desktop, 'desktop'], [phone, '390 px']]) {
            const page = await open(context, `/plans/${PLAN}`);
            try {
                const glance = page.locator('main section[aria-labelledby="dashboard-heading"]');
                assert.equal(await glance.count(), 1, `${label}: the overview has no "At a glance" section`);
                const d = await api(`/api/v1/plans/${PLAN}/dashboard`);
                const figure = glance.locator('.figure').filter({ hasText: 'overdue' });
                assert.equal(squash(await figure.locator('.figure__number').innerText()), String(d.overdue.total), `${label}: the overdue figure differs from the API`);
                const statusRows = glance.locator('table').filter({ hasText: 'Work packages by status' }).locator('tbody tr');
                assert.equal(await statusRows.count(), d.by_status.length, `${label}: one row per status`);
                await assertAxeClean(page, `the plan at a glance (${label})`);
                await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), figure.locator('a').click()]);
                assert.match(page.url(), /[?&]overdue=true(&|$)/, `the overdue figure went to ${page.url()}`);
                assert.equal(await filterControl(page, 'overdue').inputValue(), 'true', 'the overdue filter is not shown as chosen');
                assert.deepEqual(await tablePackageIds(page), await apiPackageIds('overdue=true'), 'the overdue list differs from the API');
                assert.equal(await page.locator('#dashboard-heading').count(), 0, 'a filtered list repeats the dashboard');
                assertNoProblems(page, `overdue list (${label})`);
            } finally {
                await page.close();
            }
        }
    });

    test('filter by status with the filter form', async () => {
        const page = await open(desktop, `/plans/${PLAN}`);
        try {
            const status = filterControl(page, 'status');
            assert.equal(await status.count(), 1, 'the overview has no filter control named "status"');
            await status.selectOption('approved');
            await submitFormOf(page, status);
            assert.match(page.url(), /[?&]status=approved(&|$)/, `submitting the filter went to ${page.url()}`);
            const expected = await apiPackageIds('status=approved');
            assert.deepEqual(await tablePackageIds(page), expected, 'the filtered table differs from the API for status=approved');
            assert.equal(await filterControl(page, 'status').inputValue(), 'approved', 'the status filter does not keep its value after submitting');
            assertNoProblems(page, 'overview filtered by status');
        } finally {
            await page.close();
        }
    });

    test('filter by section with the filter form', async () => {
        const page = await open(desktop, `/plans/${PLAN}`);
        try {
            const section = filterControl(page, 'section');
            assert.equal(await section.count(), 1, 'the overview has no filter control named "section"');
            const options = await section.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent.trim() })));
            const choice = options.find((o) => o.value && /10\.4/.test(o.label));
            assert.ok(choice, `no section 10.4 among the section filter's options: ${JSON.stringify(options)}`);
            await section.selectOption(choice.value);
            await submitFormOf(page, section);
            assert.match(page.url(), new RegExp(`[?&]section=${choice.value}(&|$)`), `submitting the filter went to ${page.url()}`);
            const expected = await apiPackageIds(`section=${choice.value}`);
            assert.ok(expected.length > 0, 'the API lists no package in section 10.4');
            assert.deepEqual(await tablePackageIds(page), expected, `the table filtered by section ${choice.label} differs from the API`);
            assert.ok(!expected.includes(ids.package), 'test premise: Application review is not in 10.4');
            assert.equal(await page.locator('main table').filter({ hasText: PLAN_TITLE_PACKAGE }).count(), 0, 'the section filter still shows Application review');
            assert.equal(await filterControl(page, 'section').inputValue(), choice.value, 'the section filter does not keep its value after submitting');
            assertNoProblems(page, 'overview filtered by section');
        } finally {
            await page.close();
        }
    });

    test('search for "secure" finds 10.4.3', async () => {
        const page = await open(desktop, `/plans/${PLAN}`);
        try {
            const q = filterControl(page, 'q');
            assert.equal(await q.count(), 1, 'the overview has no search box named "q"');
            await q.fill('secure');
            await submitFormOf(page, q);
            assert.match(page.url(), /[?&]q=secure(&|$)/, `submitting the search went to ${page.url()}`);
            const text = squash(await page.locator('main table').allInnerTexts());
            assert.match(text, /10\.4\.3/, `the search results do not show 10.4.3: ${text.slice(0, 400)}`);
            assert.deepEqual(await tablePackageIds(page), await apiPackageIds('q=secure'), 'the search results differ from the API');
            assertNoProblems(page, 'overview searched');
        } finally {
            await page.close();
        }
    });
});

describe('list pages with a wrong or repeated filter, and a form whose token expired', () => {
    for (const [what, pagePath, field] of [
        ['overview, a filter given twice', `/plans/${PLAN}?status=in_progress&status=delivered`, 'status'],
        ['timeline, a wrong status', `/plans/${PLAN}/timeline?status=soon`, 'status'],
        ['related items, a wrong kind', `/plans/${PLAN}/related-items?kind=planets`, 'kind'],
    ]) {
        test(`${what}: the page and its filter stay, the error beside the field`, async () => {
            const page = await open(desktop, pagePath, { expectStatus: 400 });
            try {
                assert.match(await page.title(), /^Error/, `the title does not start with "Error": ${await page.title()}`);
                assert.equal(await page.locator(`main a[href="#${field}"]`).count(), 1, `no error summary link to #${field}`);
                const description = await page.locator(`#${field}`).evaluate((el) =>
                    (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent || '').join(' '),
                );
                assert.match(squash(description), /filter/i, `the ${field} field's error is not tied to it (description: "${squash(description)}")`);
                await assertAxeClean(page, what);
            } finally {
                await page.close();
            }
        });
    }

    test('a form posted with an expired token comes back as that form, with what was typed', async () => {
        const page = await open(desktop, `/plans/${PLAN}/priorities`);
        try {
            // As after a restart: the token no longer matches the session.
            await page.locator('main form input[name="csrf_token"]').last().evaluate((el) => { el.value = '00'; });
            await page.locator('#name').fill('Typed before the restart');
            const add = page.locator('main form').last().getByRole('button', { name: /add programme/i });
            const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), add.click()]);
            assert.equal(res.status(), 422, `the expired form answered ${res.status()}`);
            assert.match(squash(await page.locator('[role="alert"]').first().innerText()), /not been saved/i, 'no notice that nothing was saved');
            assert.equal(await page.locator('#name').inputValue(), 'Typed before the restart', 'the form does not keep what was typed');
            await assertAxeClean(page, 'the priorities page with an expired form');
            const programmes = await api(`/api/v1/plans/${PLAN}/programmes`);
            assert.ok(!JSON.stringify(programmes).includes('Typed before the restart'), 'the expired form was stored');
        } finally {
            await page.close();
        }
    });
});

describe('work package: show, edit, validation', () => {
    test('clicking "Application review" opens its page with its fields', async () => {
        const page = await open(desktop, `/plans/${PLAN}`);
        try {
            const link = page.locator('main table a', { hasText: PLAN_TITLE_PACKAGE }).first();
            await Promise.all([page.waitForURL(new RegExp(`/work-packages/${ids.package}$`)), link.click()]);
            const h1 = squash(await page.locator('h1').first().innerText());
            assert.match(h1, /Application review/, `the package page's h1 is "${h1}"`);
            const wp = await api(`/api/v1/work-packages/${ids.package}`);
            const text = squash(await page.locator('main').innerText());
            const must = [];
            if (wp.scope) must.push(['scope', squash(wp.scope).slice(0, 60)]);
            if (wp.relationships) must.push(['relationships', squash(wp.relationships).slice(0, 40)]);
            if (wp.comments) must.push(['comments', squash(wp.comments).slice(0, 40)]);
            for (const code of wp.influences || []) must.push(['influence', typeof code === 'string' ? code : code.code]);
            for (const d of wp.delivery || []) if (d.quarter) must.push(['delivery quarter', d.quarter]);
            // A package the API describes with none of these fields would make the check below vacuous.
            assert.ok(must.length > 0, `the API gives "${PLAN_TITLE_PACKAGE}" no scope, relationships, comments, influences or delivery to look for: ${JSON.stringify(wp).slice(0, 300)}`);
            for (const [field, value] of must) {
                assert.ok(text.includes(value), `the package page does not show its ${field} "${value}"`);
            }
            for (const label of ['Owner', 'Status', 'Progress']) {
                assert.match(text, new RegExp(label, 'i'), `the package page does not show its ${label}`);
            }
            assertNoProblems(page, 'package page');
        } finally {
            await page.close();
        }
    });

    test('Edit: change owner, status and the progress note, save, see the change and a success banner', async () => {
        const page = await open(desktop, `/work-packages/${ids.package}`);
        try {
            const edit = page.locator('main').getByRole('link', { name: /^Edit\b/ }).first();
            assert.equal(await edit.count(), 1, 'the package page has no Edit link');
            await Promise.all([page.waitForURL(new RegExp(`/work-packages/${ids.package}/edit$`)), edit.click()]);

            await page.getByLabel(/^Owner/).fill('Head of ICT');
            await page.getByLabel(/^Latest progress note/).fill('Systems listed; the review starts in May.');
            const statusSelect = page.locator('main select').filter({ has: page.locator('option', { hasText: 'In progress' }) });
            const byLabel = page.getByLabel(/^Status/);
            if ((await byLabel.count()) === 1 && (await byLabel.evaluate((e) => e.tagName)) === 'SELECT') {
                await byLabel.selectOption({ label: 'In progress' });
            } else if ((await page.getByRole('radio', { name: 'In progress' }).count()) === 1) {
                await page.getByRole('radio', { name: 'In progress' }).check();
            } else {
                assert.fail(`no Status control labelled "Status" (select) or radio "In progress" (selects with that option: ${await statusSelect.count()})`);
            }
            const save = page.locator('main form').getByRole('button', { name: /save/i }).first();
            await Promise.all([page.waitForURL(new RegExp(`/work-packages/${ids.package}(\\?.*)?$`)), save.click()]);

            const text = squash(await page.locator('body').innerText());
            assert.match(text, /Your changes have been saved|saved/i, 'no success banner after saving');
            const main = squash(await page.locator('main').innerText());
            assert.ok(main.includes('Head of ICT'), 'the package page does not show the new owner "Head of ICT"');
            assert.ok(main.includes('In progress'), 'the package page does not show the new status "In progress"');
            assert.ok(main.includes('Systems listed; the review starts in May.'), 'the package page does not show the new progress note');
            const wp = await api(`/api/v1/work-packages/${ids.package}`);
            assert.equal(wp.owner, 'Head of ICT', 'the API does not have the new owner');
            assert.equal(wp.status, 'in_progress', 'the API does not have the new status');
            assert.equal(wp.progress_note, 'Systems listed; the review starts in May.', 'the API does not have the new progress note');
            assertNoProblems(page, 'edit and save');
        } finally {
            await page.close();
        }
    });

    test('the package\'s history says who changed which field from what to what (axe, 390 px)', async () => {
        const before = await api(`/api/v1/work-packages/${ids.package}`);
        const owner = `Owner for the history ${Date.now()}`;
        const page = await open(desktop, `/work-packages/${ids.package}/edit`);
        try {
            await page.getByLabel(/^Owner/).fill(owner);
            const save = page.locator('main form').getByRole('button', { name: /save/i }).first();
            await Promise.all([page.waitForURL(new RegExp(`/work-packages/${ids.package}(\\?.*)?$`)), save.click()]);
        } finally {
            await page.close();
        }
        for (const [context, width] of [[desktop, DESKTOP.width], [phone, PHONE.width]]) {
            const view = await open(context, `/work-packages/${ids.package}#history`);
            try {
                const heading = view.locator('main h2#history');
                assert.equal(await heading.count(), 1, 'the package page has no History heading');
                const newest = view.locator('main .history-list > li').first();
                assert.equal(await newest.count(), 1, 'the history lists no change after an edit');
                const text = squash(await newest.innerText());
                assert.ok(text.includes(NAME), `the newest history entry does not say who (${NAME}): ${text}`);
                assert.match(text, /changed/, `the newest history entry does not say it changed the package: ${text}`);
                const when = await newest.locator('time').getAttribute('datetime');
                assert.match(String(when), /^\d{4}-\d\d-\d\dT/, 'the history entry has no machine-readable time');
                const ownerLine = newest.locator('li', { hasText: /^owner:/ });
                assert.equal(await ownerLine.count(), 1, `the newest history entry lists no owner change: ${text}`);
                const line = squash(await ownerLine.innerText());
                assert.ok(line.includes(`${squash(before.owner)} → ${owner}`) || (!before.owner && line.endsWith(`→ ${owner}`)),
                    `the owner change does not read "${before.owner} → ${owner}": ${line}`);
                assert.equal(await newest.locator('li').count(), 1, `more than the owner listed in the newest entry: ${text}`);
                await assertAxeClean(view, `the package page's history at ${width}px`);
                await assertNoSidewaysScroll(view, `the package page's history at ${width}px`);
                await view.screenshot({ path: path.join(SHOTS, `history-${width}.png`), fullPage: true });
                assertNoProblems(view, `history at ${width}px`);
            } finally {
                await view.close();
            }
        }
    });

    test('the status filter now finds the edited package', async () => {
        const page = await open(desktop, `/plans/${PLAN}`);
        try {
            const status = filterControl(page, 'status');
            await status.selectOption('in_progress');
            await submitFormOf(page, status);
            const listed = await tablePackageIds(page);
            assert.ok(listed.includes(ids.package), `status=in_progress does not list the edited package (lists ${listed})`);
            assert.deepEqual(listed, await apiPackageIds('status=in_progress'), 'the table differs from the API for status=in_progress');
        } finally {
            await page.close();
        }
    });

    test('an invalid edit (progress 150) shows an error summary linking to the field', async () => {
        const before = await api(`/api/v1/work-packages/${ids.package}`);
        const page = await open(desktop, `/work-packages/${ids.package}/edit`);
        try {
            const progress = page.getByLabel(/^Progress/);
            assert.equal(await progress.count(), 1, 'the edit form has no field labelled "Progress"');
            const fieldId = await progress.getAttribute('id');
            assert.ok(fieldId, 'the progress field has no id for the error summary to link to');
            await progress.fill('150');
            const save = page.locator('main form').getByRole('button', { name: /save/i }).first();
            const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), save.click()]);
            assert.ok([400, 422].includes(res.status()), `an invalid form answered ${res.status()}, expected 400 or 422 with the form again`);
            assert.match(await page.title(), /^Error/i, `the page title does not start with "Error": ${await page.title()}`);
            const summaryFocused = await page.evaluate(() => {
                const a = document.activeElement;
                return !!a && a !== document.body && !!a.querySelector?.(`a[href^="#"]`);
            });
            if (!summaryFocused) console.log('# note: the error summary does not take focus when the page loads');

            // The summary: a link to the progress field, near the top of main.
            const links = page.locator(`main a[href="#${fieldId}"]`);
            assert.ok((await links.count()) >= 1, `no error summary link to #${fieldId}`);
            const linkText = squash(await links.first().innerText());
            assert.match(linkText, /progress|100|percent|%/i, `the summary link to the field says "${linkText}"`);
            const summaryFirst = await page.evaluate((id) => {
                const link = document.querySelector(`main a[href="#${id}"]`);
                const field = document.getElementById(id);
                return !!(link.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING);
            }, fieldId);
            assert.ok(summaryFirst, 'the error summary comes after the field, not before the form');
            // The field keeps what was typed and says it is wrong.
            assert.equal(await page.locator(`#${fieldId}`).inputValue(), '150', 'the form does not keep the value typed');
            const description = await page.locator(`#${fieldId}`).evaluate((el) =>
                (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent || '').join(' '),
            );
            assert.match(squash(description), /progress|100|percent|%/i, `the progress field's error is not tied to it with aria-describedby (description: "${squash(description)}")`);

            // Following the link reaches the field.
            await links.first().click();
            const reached = await page.evaluate((id) => {
                const field = document.getElementById(id);
                const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
                const r = field.getBoundingClientRect();
                return {
                    hash: location.hash,
                    targetIsField: target === field,
                    focused: document.activeElement === field,
                    inView: r.top >= 0 && r.bottom <= window.innerHeight,
                };
            }, fieldId);
            assert.equal(reached.hash, `#${fieldId}`, `following the summary link went to ${reached.hash}`);
            assert.ok(reached.targetIsField, 'the summary link does not target the field itself');
            assert.ok(reached.inView, 'following the summary link does not bring the field into view');
            if (!reached.focused) console.log('# note: following the error summary link scrolls to the field but does not focus it');

            await assertAxeClean(page, 'the edit form with errors');

            const afterDoc = await api(`/api/v1/work-packages/${ids.package}`);
            assert.equal(afterDoc.progress, before.progress, 'the invalid progress was stored');
            assertNoProblems(page, 'invalid edit');
        } finally {
            await page.close();
        }
    });

    test('create a package with the new form, then delete it after confirming', async () => {
        const page = await open(desktop, `/plans/${PLAN}/work-packages/new`);
        try {
            const title = `Browser test package ${Date.now()}`;
            await page.getByLabel(/^Title/).fill(title);
            await page.getByLabel(/^Number/).fill('99');
            const section = page.getByLabel(/^Section/);
            assert.equal(await section.count(), 1, 'the new-package form has no control labelled "Section"');
            assert.equal(await section.evaluate((e) => e.tagName), 'SELECT', 'the Section control is not a select');
            const first = await section.locator('option').evaluateAll((os) => os.map((o) => o.value).find((v) => v));
            assert.ok(first, 'the Section select offers no section');
            await section.selectOption(first);
            const create = page.locator('main form').getByRole('button', { name: /create|save|add/i }).first();
            await Promise.all([page.waitForURL(/\/work-packages\/\d+(\?.*)?$/), create.click()]);
            const created = Number(/\/work-packages\/(\d+)/.exec(page.url())[1]);
            assert.match(squash(await page.locator('h1').first().innerText()), new RegExp(title), 'the new package page does not show its title');
            assert.match(squash(await page.locator('body').innerText()), /created/i, 'no banner saying the package was created');

            const del = page.locator('main').getByRole('link', { name: /^Delete\b/ }).first();
            assert.equal(await del.count(), 1, 'the package page has no Delete link');
            await Promise.all([page.waitForURL(new RegExp(`/work-packages/${created}/delete$`)), del.click()]);
            assert.match(squash(await page.locator('main').innerText()), new RegExp(title), 'the confirmation page does not name the package');
            const confirm = page.locator('main form').getByRole('button', { name: /delete/i }).first();
            await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), confirm.click()]);
            assert.match(squash(await page.locator('body').innerText()), /deleted/i, 'no banner saying the package was deleted');
            const gone = await fetch(`${BASE}/api/v1/work-packages/${created}`, { headers: withToken() });
            assert.equal(gone.status, 404, `the deleted package still answers ${gone.status} in the API`);
            assertNoProblems(page, 'create and delete');
        } finally {
            await page.close();
        }
    });
});

describe('audit trail: list, filter, page, verify', () => {
    test('the audit page lists the edits newest first and filters them with its form', async () => {
        const doc = await api('/api/v1/audit?per_page=5');
        const items = listOf(doc);
        assert.ok(items.length > 0, 'the API lists no audit entries after the flows above edited the plan');
        const page = await open(desktop, '/admin/audit');
        try {
            assert.equal(squash(await page.locator('h1').innerText()), 'Audit trail');
            assert.ok((await page.locator('code.hash', { hasText: doc.head.hash }).count()) === 1, 'the page does not show the chain\'s head hash');
            const firstTime = page.locator('main .audit-entry time').first();
            assert.match(String(await firstTime.getAttribute('datetime')), /^\d{4}-\d\d-\d\dT.*Z$/, 'the entry\'s <time> has no machine-readable datetime');
            assert.match(squash(await firstTime.innerText()), /\d{4}, \d\d:\d\d:\d\d (GMT|BST)$/, 'the entry\'s time is not readable UK time');
            const shown = async () => (await page.locator('main .audit-entry .audit-entry__meta .muted', { hasText: /^Entry / }).allInnerTexts()).map((t) => Number(t.replace(/\D/g, '')));
            const all = await shown();
            assert.equal(all[0], doc.head.sequence, 'the newest entry is not first');
            assert.deepEqual(all, [...all].sort((a, b) => b - a), 'the entries are not newest first');

            // Filter by action with the form: the list is what the API gives.
            const action = filterControl(page, 'action');
            await action.selectOption('delete');
            await submitFormOf(page, action);
            assert.match(page.url(), /[?&]action=delete(&|$)/, `submitting the filter went to ${page.url()}`);
            const deletes = listOf(await api('/api/v1/audit?action=delete&per_page=50')).map((e) => e.sequence);
            assert.ok(deletes.length > 0, 'the flows above deleted a package, but the API lists no delete');
            assert.deepEqual(await shown(), deletes, 'the filtered page differs from the API for action=delete');
            assert.equal(await filterControl(page, 'action').inputValue(), 'delete', 'the action filter does not keep its value');
            assertNoProblems(page, 'audit page');
        } finally {
            await page.close();
        }
    });

    test('a wrong date is said beside its field, and the page keeps the form (axe, 390 px)', async () => {
        for (const context of [desktop, phone]) {
            const page = await open(context, '/admin/audit?from=2026-02-30&actor=visitor', { expectStatus: 400 });
            try {
                assert.match(await page.title(), /^Error/, 'the page title does not start with "Error"');
                assert.equal(await page.locator('main a[href="#from"]').count(), 1, 'no error summary link to the from date');
                const described = await page.locator('#from').getAttribute('aria-describedby');
                assert.match(String(described), /from-error/, 'the from field is not described by its error');
                assert.equal(await page.locator('#from').inputValue(), '2026-02-30', 'the typed date is not kept');
                assert.equal(await page.locator('#actor').inputValue(), 'visitor', 'the other filter is not kept');
                await assertAxeClean(page, `the audit page with a wrong date at ${context === phone ? PHONE.width : DESKTOP.width}px`);
                const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
                assert.ok(scrollWidth <= innerWidth, `the audit page with errors scrolls sideways: ${scrollWidth}px in ${innerWidth}px`);
            } finally {
                await page.close();
            }
        }
    });

    test('older and newer pages follow each other by entry number', async () => {
        const page = await open(desktop, '/admin/audit?per_page=2');
        try {
            const older = page.locator('main a[rel="next"]');
            assert.equal(await older.count(), 1, 'no link to older entries with two to a page');
            await Promise.all([page.waitForURL(/before=\d+/), older.click()]);
            const newer = page.locator('main a[rel="prev"]');
            assert.equal(await newer.count(), 1, 'no link back to newer entries');
            await Promise.all([page.waitForURL(/after=\d+/), newer.click()]);
            const doc = await api('/api/v1/audit?per_page=2');
            const shown = (await page.locator('main .audit-entry__meta .muted', { hasText: /^Entry / }).allInnerTexts()).map((t) => Number(t.replace(/\D/g, '')));
            assert.deepEqual(shown, listOf(doc).map((e) => e.sequence), 'back on the newer page, the entries differ from the newest two');
        } finally {
            await page.close();
        }
    });

    test('verify the chain from the audit page', async () => {
        const page = await open(desktop, '/admin/audit');
        try {
            const verify = page.locator('main a', { hasText: 'Verify the chain' });
            await Promise.all([page.waitForURL(/\/admin\/audit\/verify$/), verify.click()]);
            assert.match(squash(await page.locator('main').innerText()), /The chain is intact/, 'verifying the demo\'s chain does not say it is intact');
            assertNoProblems(page, 'verify page');
        } finally {
            await page.close();
        }
    });
});

// ------------------------------------------------------------------ no lost updates

/** Change a package through the API as a careful client: read its ETag, send it in If-Match. */
async function apiChangePackage(id, fields) {
    const read = await fetch(`${BASE}/api/v1/work-packages/${id}`, { headers: withToken({ accept: 'application/json' }) });
    assert.equal(read.status, 200, `GET package ${id} answered ${read.status}`);
    const etag = read.headers.get('etag');
    assert.match(etag || '', /^"\d+"$/, `GET package ${id} sent no ETag (${etag})`);
    const res = await fetch(`${BASE}/api/v1/work-packages/${id}`, {
        method: 'PATCH',
        headers: withToken({ 'content-type': 'application/json', 'if-match': etag }),
        body: JSON.stringify(fields),
    });
    const body = await res.text();
    assert.equal(res.status, 200, `PATCH package ${id} answered ${res.status}: ${body.slice(0, 300)}`);
    return JSON.parse(body);
}

describe('no lost updates: a form opened before someone else saved', () => {
    for (const [context, width] of [['desktop', DESKTOP.width], ['phone', PHONE.width]]) {
        test(`comes back with what was typed and what they changed, at ${width}px`, async () => {
            const page = await open(context === 'desktop' ? desktop : phone, `/work-packages/${ids.package}/edit`);
            try {
                const typed = `Typed at ${width}px while someone else saved`;
                await page.getByLabel(/^Comments/).fill(typed);
                // Meanwhile, someone else changes the owner.
                const owner = `Owner set elsewhere ${Date.now()}`;
                const theirs = await apiChangePackage(ids.package, { owner });

                const save = page.locator('main form').getByRole('button', { name: /save/i }).first();
                const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), save.click()]);
                assert.equal(res.status(), 409, `a stale form answered ${res.status()}, expected 409 with the form again`);
                assert.match(await page.title(), /^Error/i, `the page title does not start with "Error": ${await page.title()}`);
                const main = squash(await page.locator('main').innerText());
                assert.match(main, /not been saved/i, 'no notice that nothing was saved');
                assert.match(main, /What someone else changed/, 'no list of what the other person changed');
                // Their change, field by field: the owner row, now holding theirs.
                const row = page.locator('main .changes__item').filter({ has: page.locator('a[href="#owner"]') });
                assert.equal(await row.count(), 1, 'the list of changes has no entry for the owner');
                // Only the owner changed: no other field is listed or flagged
                // (line breaks sent as CR LF by the browser are no change).
                assert.equal(await page.locator('main .changes__item').count(), 1, `more than the owner listed as changed: ${squash(await page.locator('main .changes').innerText())}`);
                assert.match(squash(await row.innerText()), new RegExp(owner), 'the owner row does not show their value');
                // What I typed is kept; the field only they changed shows theirs.
                assert.equal(await page.getByLabel(/^Comments/).inputValue(), typed, 'the form lost what was typed');
                assert.equal(await page.getByLabel(/^Owner/).inputValue(), owner, 'the owner field does not show their change');
                await assertAxeClean(page, `the conflict page at ${width}px`);
                const { scrollWidth, innerWidth } = await page.evaluate(() => ({
                    scrollWidth: document.documentElement.scrollWidth,
                    innerWidth: window.innerWidth,
                }));
                if (scrollWidth > innerWidth) {
                    assert.fail(`the conflict page scrolls sideways at ${width}px:\n  ${(await overflowingElements(page)).join('\n  ')}`);
                }
                await page.screenshot({ path: path.join(SHOTS, `conflict-${width}.png`), fullPage: true });

                // Saving again keeps both.
                await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main form').getByRole('button', { name: /save/i }).first().click()]);
                const now = await api(`/api/v1/work-packages/${ids.package}`);
                assert.equal(now.comments, typed, 'saving again did not keep what was typed');
                assert.equal(now.owner, owner, 'saving again lost their change');
                assert.notEqual(now.version, theirs.version, 'saving again did not make a new version');
                assertNoProblems(page, `conflict at ${width}px`);
            } finally {
                await page.close();
            }
        });
    }
});

// ------------------------------------------------------------------ every page family

describe('page families: axe-core (WCAG 2.2 AA), headings, tables, skip link, 390 px, screenshots', () => {
    const families = () => [
        ['home', '/'],
        ['overview', `/plans/${PLAN}`],
        ['work-package', `/work-packages/${ids.package}`],
        ['edit-work-package', `/work-packages/${ids.package}/edit`],
        ['new-work-package', `/plans/${PLAN}/work-packages/new`],
        ['delete-work-package', `/work-packages/${ids.package}/delete`],
        ['influences', `/plans/${PLAN}/influences`],
        ['influence', `/plans/${PLAN}/influences/3.1.1`],
        ['related-items', `/plans/${PLAN}/related-items`],
        ['related-item', `/related-items/${ids.relatedItem}`],
        ['timeline', `/plans/${PLAN}/timeline`],
        ['priorities', `/plans/${PLAN}/priorities`],
        ['edit-programme', `/programmes/${ids.programme}/edit`],
        ['delete-programme', `/programmes/${ids.programme}/delete`],
        ['plan-settings', `/plans/${PLAN}/settings`],
        ['sections', `/plans/${PLAN}/sections`],
        ['edit-section', `/sections/${ids.section}/edit`],
        ['delete-section', `/sections/${ids.section}/delete`],
        ['merge-influence', `/plans/${PLAN}/influences/3.1.1/merge`],
        ['delete-influence', `/plans/${PLAN}/influences/3.1.1/delete`],
        ['merge-related-item', `/related-items/${ids.relatedItem}/merge`],
        ['delete-related-item', `/related-items/${ids.relatedItem}/delete`],
        ['audit', '/admin/audit'],
        ['audit-verify', '/admin/audit/verify'],
        ['change-password', '/account/password'],
        ['users', '/admin/users'],
        ['user', `/admin/users/${ids.account}`],
        ['import', '/plans/import'],
        ['update-plan', `/plans/${PLAN}/update`],
        ['baselines', `/plans/${PLAN}/baselines`],
        ['baseline', `/plans/${PLAN}/baselines/${ids.baseline}`],
    ];
    const names = ['home', 'overview', 'work-package', 'edit-work-package', 'new-work-package', 'delete-work-package', 'influences', 'influence', 'related-items', 'related-item', 'timeline', 'priorities', 'edit-programme', 'delete-programme', 'plan-settings', 'sections', 'edit-section', 'delete-section', 'merge-influence', 'delete-influence', 'merge-related-item', 'delete-related-item', 'audit', 'audit-verify', 'change-password', 'users', 'user', 'import', 'update-plan', 'baselines', 'baseline'];
    for (const name of names) {
        test(name, async () => {
            const [, pagePath] = families().find(([n]) => n === name);
            await checkPage(name, pagePath);
        });
    }
});

// ------------------------------------------------------------------ the decision log

describe('decision log: record in the form, search, the package lists it, change, delete (axe, 390 px)', () => {
    const HOSTILE = `Browser decision <script>window.__decided = 1</script> "double" 'single' ; DROP TABLE decision; --`;
    let decision; // made through the API for the page checks

    async function apiWrite(method, pathAndQuery, body, headers = {}) {
        const res = await fetch(BASE + pathAndQuery, {
            method,
            headers: withToken({ 'content-type': 'application/json', ...headers }),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.text() };
    }

    before(async () => {
        const res = await apiWrite('POST', `/api/v1/plans/${PLAN}/decisions`, {
            date: '2007-03-14',
            meeting: 'ICT Strategy Group, March 2007',
            text: HOSTILE,
            rationale: 'Checked by the browser tests.',
            decided_by: 'ICT Strategy Group',
            work_package_ids: [ids.package],
            programme_ids: [ids.programme],
        });
        assert.equal(res.status, 201, `recording a decision answered ${res.status}: ${res.body.slice(0, 300)}`);
        decision = Number(JSON.parse(res.body).id);
    });

    after(async () => {
        if (decision) await apiWrite('DELETE', `/api/v1/decisions/${decision}`, undefined, { 'if-match': '*' });
    });

    for (const [name, pagePath] of [
        ['decisions', () => `/plans/${PLAN}/decisions`],
        ['new-decision', () => `/plans/${PLAN}/decisions/new`],
        ['edit-decision', () => `/decisions/${decision}/edit`],
        ['delete-decision', () => `/decisions/${decision}/delete`],
    ]) {
        test(`page checks: ${name}`, async () => {
            await checkPage(name, pagePath());
        });
    }

    test('text with markup, quotes and SQL is shown as written and runs nothing', async () => {
        const page = await open(desktop, `/plans/${PLAN}/decisions`);
        try {
            const text = squash(await page.locator(`#decision-${decision}`).innerText());
            assert.ok(text.includes(squash(HOSTILE)), `the log does not show the decision as written: ${text.slice(0, 300)}`);
            assert.equal(await page.evaluate(() => window.__decided), undefined, 'the decision text ran as a script');
        } finally {
            await page.close();
        }
    });

    test('a decision recorded through the form is in the log, found by the search and listed on its package', async () => {
        const words = `Browser-recorded ${Date.now()}`;
        const page = await open(desktop, `/plans/${PLAN}/decisions`);
        let made;
        try {
            await Promise.all([page.waitForURL(/\/decisions\/new$/), page.locator('main a', { hasText: 'Record a decision' }).click()]);
            // A mistake first: the error summary links to the field.
            await page.locator('#meeting').fill('Programme board');
            await page.locator('#text').fill(words);
            const [bad] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Record decision' }).click()]);
            assert.equal(bad.status(), 422, `a decision without a date answered ${bad.status()}`);
            assert.equal(await page.locator('main a[href="#date"]').count(), 1, 'no error summary link to the date');
            assert.equal(await page.locator('#text').inputValue(), words, 'the form does not keep what was typed');
            await assertAxeClean(page, 'the decision form with an error');

            await page.locator('#date').fill('2007-06-01');
            const pkg = await api(`/api/v1/work-packages/${ids.package}`);
            await page.getByLabel(`${pkg.reference} ${pkg.title}`, { exact: true }).check();
            const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Record decision' }).click()]);
            assert.equal(res.status(), 200, `recording answered ${res.status()}`);
            assert.match(squash(await page.locator('.banner').first().innerText()), /recorded/i, 'no banner saying it was recorded');
            made = Number(new URL(page.url()).hash.replace('#decision-', ''));
            assert.ok(made > 0, `the log's address names no decision: ${page.url()}`);
            assert.ok(squash(await page.locator(`#decision-${made}`).innerText()).includes(words), 'the new decision is not in the log');

            await page.locator('#q').fill(words.split(' ')[1]);
            await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Search' }).click()]);
            assert.equal(await page.locator('main section.decision').count(), 1, 'the search does not find just the new decision');
            await assertAxeClean(page, 'the decision log searched');

            const wp = await open(desktop, `/work-packages/${ids.package}`);
            try {
                assert.equal(await wp.locator(`#decisions ~ ul a[href="/plans/${PLAN}/decisions#decision-${made}"]`).count(), 1, 'the package page does not list the decision');
            } finally {
                await wp.close();
            }
        } finally {
            await page.close();
            if (made) await apiWrite('DELETE', `/api/v1/decisions/${made}`, undefined, { 'if-match': '*' });
        }
    });
});

// ------------------------------------------------------------------ approvals

describe('approvals: an approver approves a proposed package with a comment, shown in its history (axe, 390 px)', () => {
    const COMMENT = `Approved in the browser <script>window.__approved = 1</script> "double" 'single' ; DROP TABLE work_package; --`;
    let proposed; // a package made through the API: it starts proposed

    async function apiWrite(method, pathAndQuery, body, headers = {}) {
        const res = await fetch(BASE + pathAndQuery, {
            method,
            headers: withToken({ 'content-type': 'application/json', ...headers }),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.text() };
    }

    before(async () => {
        const res = await apiWrite('POST', `/api/v1/plans/${PLAN}/work-packages`, {
            section_id: ids.section,
            title: `Proposed in the browser tests ${Date.now()}`,
        });
        assert.equal(res.status, 201, `making a package answered ${res.status}: ${res.body.slice(0, 300)}`);
        const made = JSON.parse(res.body);
        assert.equal(made.status, 'proposed', 'a new package does not start proposed');
        proposed = Number(made.id);
    });

    after(async () => {
        if (proposed) await apiWrite('DELETE', `/api/v1/work-packages/${proposed}`, undefined, { 'if-match': '*' });
    });

    for (const [name, pagePath] of [
        ['approve-work-package', () => `/work-packages/${proposed}/approve`],
        ['reject-work-package', () => `/work-packages/${proposed}/reject`],
        ['approve-plan', () => `/plans/${PLAN}/approve`],
        ['supersede-plan', () => `/plans/${PLAN}/supersede`],
    ]) {
        test(`page checks: ${name}`, async () => {
            await checkPage(name, pagePath());
        });
    }

    test('the demo plan is approved, with its baseline', async () => {
        const plan = await api(`/api/v1/plans/${PLAN}`);
        assert.equal(plan.status, 'approved', `the demo plan is ${plan.status}`);
        const baselines = listOf(await api(`/api/v1/plans/${PLAN}/baselines`));
        assert.ok(baselines.some((b) => /^Plan approved /.test(b.name)), `no approval baseline among ${JSON.stringify(baselines.map((b) => b.name))}`);
        const page = await open(desktop, `/plans/${PLAN}`);
        try {
            assert.match(squash(await page.locator('main .plan-status').innerText()), /Plan status: Approved/, 'the overview does not say the plan is approved');
        } finally {
            await page.close();
        }
    });

    for (const [context, width] of [['desktop', DESKTOP.width], ['phone', PHONE.width]]) {
        test(`approve with a comment and read it in the history, at ${width}px`, async () => {
            if (context === 'phone') {
                // The desktop run approved it: propose it again (an approver may) to approve it once more.
                const now = await api(`/api/v1/work-packages/${proposed}`);
                if (now.status !== 'proposed') {
                    await apiChangePackage(proposed, { status: 'cancelled' });
                    await apiChangePackage(proposed, { status: 'proposed' });
                }
            }
            const page = await open(context === 'desktop' ? desktop : phone, `/work-packages/${proposed}`);
            try {
                await Promise.all([page.waitForURL(/\/approve$/), page.locator('main a', { hasText: /^Approve/ }).click()]);
                await assertAxeClean(page, `the approve form at ${width}px`);
                await assertNoSidewaysScroll(page, `the approve form at ${width}px`);
                await page.getByLabel(/^Comment/).fill(COMMENT);
                const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main form').getByRole('button', { name: /^Approve/ }).click()]);
                assert.equal(res.status(), 200, `approving answered ${res.status()}`);
                assert.equal(new URL(page.url()).pathname, `/work-packages/${proposed}`, `approving went to ${page.url()}`);
                assert.match(squash(await page.locator('.banner').first().innerText()), /approved/i, 'no banner saying it was approved');
                const main = squash(await page.locator('main').innerText());
                assert.match(main, /Status Approved/, 'the package does not show its new status');
                const history = squash(await page.locator('main .history-list').innerText());
                assert.ok(history.includes('approved it'), `the history does not say who approved it: ${history.slice(0, 300)}`);
                assert.ok(history.includes(squash(COMMENT)), `the history does not show the comment as written: ${history.slice(0, 400)}`);
                assert.equal(await page.evaluate(() => window.__approved), undefined, 'the comment ran as a script');
                assert.equal(await page.locator('main a[href$="/approve"]').count(), 0, 'an approved package still offers Approve');
                await assertAxeClean(page, `the approved package at ${width}px`);
                assertNoProblems(page, `approving at ${width}px`);
            } finally {
                await page.close();
            }
        });
    }
});

// ------------------------------------------------------------------ baselines

describe('baselines: take one in the form, move a delivery, read its slip in the comparison (axe, 390 px)', () => {
    const TITLE = `Baseline slip <script>window.__slipped = 1</script> ${Date.now()}`;
    let made; // a package delivering in Q1 2008 when the baseline is taken

    before(async () => {
        const res = await fetch(`${BASE}/api/v1/plans/${PLAN}/work-packages`, {
            method: 'POST',
            headers: withToken({ 'content-type': 'application/json' }),
            body: JSON.stringify({ section_id: ids.section, title: TITLE, delivery: 'Q1 2008' }),
        });
        const body = await res.text();
        assert.equal(res.status, 201, `making a package answered ${res.status}: ${body.slice(0, 300)}`);
        made = Number(JSON.parse(body).id);
    });

    after(async () => {
        if (made) {
            await fetch(`${BASE}/api/v1/work-packages/${made}`, { method: 'DELETE', headers: withToken({ 'if-match': '*' }) });
        }
    });

    test('a baseline taken through the form, then the package moved three quarters, shows as slipped 3 quarters later', async () => {
        const name = `Browser baseline ${Date.now()}`;
        const page = await open(desktop, `/plans/${PLAN}/baselines`);
        let comparison;
        try {
            await page.locator('main form #name').fill(name);
            const [res] = await Promise.all([
                page.waitForNavigation({ waitUntil: 'load' }),
                page.locator('main form').getByRole('button', { name: /^Take a baseline/ }).click(),
            ]);
            assert.equal(res.status(), 200, `taking a baseline answered ${res.status()}`);
            comparison = new URL(page.url()).pathname;
            assert.match(comparison, new RegExp(`^/plans/${PLAN}/baselines/\\d+$`), `taking a baseline went to ${page.url()}`);
            assert.ok(squash(await page.locator('h1').innerText()).includes(name), 'the comparison does not name the baseline taken');
            assertNoProblems(page, 'taking a baseline');
        } finally {
            await page.close();
        }
        await apiChangePackage(made, { delivery: 'Q4 2008' });
        for (const [context, width] of [[desktop, DESKTOP.width], [phone, PHONE.width]]) {
            const view = await open(context, comparison);
            try {
                const row = view.locator('main tr', { hasText: 'Baseline slip' });
                assert.equal(await row.count(), 1, `the comparison at ${width}px has no row for the moved package`);
                const text = squash(await row.innerText());
                assert.ok(text.includes('Q1 2008') && text.includes('Q4 2008'), `the row does not show the delivery then and now: ${text}`);
                assert.ok(text.includes('3 quarters later'), `the row does not say it slipped 3 quarters: ${text}`);
                assert.ok(text.includes('<script>'), `the title is not shown as written: ${text}`);
                assert.equal(await view.evaluate(() => window.__slipped), undefined, 'the title ran as a script');
                await assertAxeClean(view, `the comparison at ${width}px`);
                await assertNoSidewaysScroll(view, `the comparison at ${width}px`);
                assertNoProblems(view, `the comparison at ${width}px`);
            } finally {
                await view.close();
            }
        }
    });
});

// ------------------------------------------------------------------ the RAID log

describe('RAID log: the heat map and its table, overdue risks, record a risk in the form, hostile text (axe, 390 px)', () => {
    const HOSTILE = `Browser risk <script>window.__raided = 1</script> "double" 'single' ; DROP TABLE raid_item; --`;
    let risk; // made through the API for the page checks
    let assumption;

    async function apiWrite(method, pathAndQuery, body, headers = {}) {
        const res = await fetch(BASE + pathAndQuery, {
            method,
            headers: withToken({ 'content-type': 'application/json', ...headers }),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.text() };
    }

    before(async () => {
        const res = await apiWrite('POST', `/api/v1/plans/${PLAN}/raid`, {
            kind: 'risk',
            title: HOSTILE,
            owner: 'Head of ICT',
            likelihood: 5,
            impact: 5,
            mitigation: 'Checked by the browser tests.',
            next_review: '2007-04-01',
            work_package_ids: [ids.package],
            programme_ids: [ids.programme],
        });
        assert.equal(res.status, 201, `recording a risk answered ${res.status}: ${res.body.slice(0, 300)}`);
        risk = Number(JSON.parse(res.body).id);
        const other = await apiWrite('POST', `/api/v1/plans/${PLAN}/raid`, { kind: 'assumption', title: 'Schools keep their broadband funding' });
        assert.equal(other.status, 201, `recording an assumption answered ${other.status}: ${other.body.slice(0, 300)}`);
        assumption = Number(JSON.parse(other.body).id);
    });

    after(async () => {
        for (const id of [risk, assumption]) {
            if (id) await apiWrite('DELETE', `/api/v1/raid/${id}`, undefined, { 'if-match': '*' });
        }
    });

    for (const [name, pagePath] of [
        ['raid', () => `/plans/${PLAN}/raid`],
        ['new-risk', () => `/plans/${PLAN}/raid/new?kind=risk`],
        ['new-dependency', () => `/plans/${PLAN}/raid/new?kind=dependency`],
        ['edit-risk', () => `/raid/${risk}/edit`],
        ['delete-risk', () => `/raid/${risk}/delete`],
    ]) {
        test(`page checks: ${name}`, async () => {
            await checkPage(name, pagePath());
        });
    }

    test('the heat map writes each cell\'s count, matches its table, and is an image with a title and description', async () => {
        const map = await api(`/api/v1/plans/${PLAN}/raid/heat-map`);
        const page = await open(desktop, `/plans/${PLAN}/raid`);
        try {
            const svg = page.locator('svg.heat-map');
            assert.equal(await svg.getAttribute('role'), 'img');
            const title = squash(await svg.locator('title#heat-map-title').textContent());
            const desc = squash(await svg.locator('desc#heat-map-desc').textContent());
            assert.match(title, /^Risk heat map of /, `the heat map's title: ${title}`);
            assert.ok(desc.includes(squash(HOSTILE)), `the description does not name the highest risk as written: ${desc}`);
            // Every cell's count is text in the picture, and the same number is in the table.
            const cells = map.cells;
            assert.equal(cells.length, 25);
            for (const c of cells) {
                const inSvg = squash(await svg.locator('g').nth((5 - c.likelihood) * 5 + (c.impact - 1)).locator('text').textContent());
                assert.equal(inSvg, String(c.count), `the heat map's cell ${c.likelihood}×${c.impact} says ${inSvg}, the API ${c.count}`);
                const row = page.locator('table.table--heat tbody tr').nth(5 - c.likelihood);
                const inTable = squash(await row.locator('td').nth(c.impact - 1).innerText());
                assert.ok(inTable.startsWith(String(c.count)), `the table's cell ${c.likelihood}×${c.impact} says ${inTable}, the API ${c.count}`);
            }
            const top = cells.find((c) => c.likelihood === 5 && c.impact === 5);
            assert.ok(top.count >= 1, 'the 5×5 cell does not count the browser risk');
            // The count is readable: black text on a light fill, large.
            const fill = await svg.locator('g').nth(4).locator('rect').getAttribute('fill');
            const textFill = await svg.locator('g').nth(4).locator('text').getAttribute('fill');
            assert.equal(fill, '#f6b8b0');
            assert.equal(textFill, '#0b0c0c');
            // The overdue list names the risk as written; nothing ran.
            const overdue = squash(await page.locator('#overdue ~ ul').first().innerText());
            assert.ok(overdue.includes(squash(HOSTILE)), `the overdue list does not show the risk as written: ${overdue.slice(0, 300)}`);
            const item = squash(await page.locator(`#raid-${risk}`).innerText());
            assert.ok(item.includes(squash(HOSTILE)), `the log does not show the risk as written: ${item.slice(0, 300)}`);
            assert.equal(await page.evaluate(() => window.__raided), undefined, 'the risk title ran as a script');
            // A count links to the risks in its cell.
            await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('table.table--heat tbody tr').nth(0).locator('td').nth(4).locator('a').click()]);
            assert.match(page.url(), /likelihood=5&impact=5/);
            assert.ok(await page.locator(`#raid-${risk}`).count() === 1, 'the cell\'s link does not list the risk');
            assert.equal(await page.locator(`#raid-${assumption}`).count(), 0, 'the cell\'s link lists an assumption');
        } finally {
            await page.close();
        }
        const small = await open(phone, `/plans/${PLAN}/raid`);
        try {
            const box = await small.locator('svg.heat-map').boundingBox();
            assert.ok(box && box.width <= PHONE.width, `the heat map is ${box?.width}px wide at ${PHONE.width}px`);
            assert.equal(await small.evaluate(() => window.__raided), undefined, 'the risk title ran as a script');
        } finally {
            await small.close();
        }
    });

    test('the demo\'s example RAID items say they are examples, and its example risks are drawn in their cells', async () => {
        const log = await api(`/api/v1/plans/${PLAN}/raid`);
        const examples = log.items.filter((i) => i.title.startsWith('Example: '));
        assert.deepEqual(examples.map((i) => i.kind), ['risk', 'risk', 'risk', 'risk', 'assumption', 'issue', 'dependency'], 'the demo\'s example RAID log');
        const map = await api(`/api/v1/plans/${PLAN}/raid/heat-map`);
        const page = await open(desktop, `/plans/${PLAN}/raid`);
        try {
            for (const item of examples) {
                assert.ok(item.description.includes('(demonstration data)'), `not labelled as an example: ${item.description}`);
                assert.ok(item.work_packages.length + item.programmes.length > 0, `concerns nothing: ${item.title}`);
                const text = squash(await page.locator(`#raid-${item.id}`).innerText());
                assert.ok(text.includes(item.title) && text.includes('demonstration data'), `the log does not show the example as such: ${text.slice(0, 300)}`);
                if (item.kind === 'risk') {
                    const cell = map.cells.find((c) => c.likelihood === item.likelihood && c.impact === item.impact);
                    assert.ok(cell && cell.count >= 1, `the heat map does not count ${item.title}`);
                }
            }
        } finally {
            await page.close();
        }
    });

    test('a risk recorded through the form is drawn, listed on its package, and a likelihood of 6 is refused beside its field', async () => {
        const words = `Browser-recorded risk ${Date.now()}`;
        const page = await open(desktop, `/plans/${PLAN}/raid`);
        let made;
        try {
            await Promise.all([page.waitForURL(/\/raid\/new\?kind=risk$/), page.locator('main a', { hasText: 'Add a risk' }).click()]);
            await page.locator('#title').fill(words);
            await page.locator('#impact').selectOption('3');
            const [bad] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Record it' }).click()]);
            assert.equal(bad.status(), 422, `a risk without a likelihood answered ${bad.status()}`);
            assert.equal(await page.locator('main a[href="#likelihood"]').count(), 1, 'no error summary link to the likelihood');
            assert.equal(await page.locator('#title').inputValue(), words, 'the form does not keep what was typed');
            await assertAxeClean(page, 'the risk form with an error');

            await page.locator('#likelihood').selectOption('2');
            const pkg = await api(`/api/v1/work-packages/${ids.package}`);
            await page.getByLabel(`${pkg.reference} ${pkg.title}`, { exact: true }).check();
            const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Record it' }).click()]);
            assert.equal(res.status(), 200, `recording answered ${res.status()}`);
            assert.match(squash(await page.locator('.banner').first().innerText()), /recorded/i, 'no banner saying it was recorded');
            made = Number(new URL(page.url()).hash.replace('#raid-', ''));
            assert.ok(made > 0, `the log's address names no item: ${page.url()}`);
            const text = squash(await page.locator(`#raid-${made}`).innerText());
            assert.ok(text.includes(words) && text.includes('Score 6: Medium'), `the new risk is not in the log as recorded: ${text}`);

            const wp = await open(desktop, `/work-packages/${ids.package}`);
            try {
                assert.equal(await wp.locator(`#raid ~ ul a[href="/plans/${PLAN}/raid#raid-${made}"]`).count(), 1, 'the package page does not list the risk');
            } finally {
                await wp.close();
            }
        } finally {
            await page.close();
            if (made) await apiWrite('DELETE', `/api/v1/raid/${made}`, undefined, { 'if-match': '*' });
        }
    });
});

describe('priorities: the ranking, the criteria and the scoring form (axe, 390 px, hostile text inert)', () => {
    const HOSTILE = `Browser criterion <script>window.__ranked = 1</script> "double" 'single' ; DROP TABLE priority_score; --`;
    let criterion; // made through the API, deleted after

    async function apiWrite(method, pathAndQuery, body, headers = {}) {
        const res = await fetch(BASE + pathAndQuery, {
            method,
            headers: withToken({ 'content-type': 'application/json', ...headers }),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.text() };
    }

    before(async () => {
        const res = await apiWrite('POST', `/api/v1/plans/${PLAN}/criteria`, { name: HOSTILE, weight: 5, description: HOSTILE });
        assert.equal(res.status, 201, `adding a criterion answered ${res.status}: ${res.body.slice(0, 300)}`);
        criterion = Number(JSON.parse(res.body).id);
        const scored = await apiWrite('POST', `/api/v1/plans/${PLAN}/scores`, { criterion_id: criterion, programme_id: ids.programme, score: 3, note: HOSTILE });
        assert.equal(scored.status, 201, `scoring answered ${scored.status}: ${scored.body.slice(0, 300)}`);
    });

    after(async () => {
        if (criterion) await apiWrite('DELETE', `/api/v1/criteria/${criterion}`, undefined, { 'if-match': '*' });
    });

    for (const [name, pagePath] of [
        ['ranking', () => `/plans/${PLAN}/ranking`],
        ['criteria', () => `/plans/${PLAN}/criteria`],
        ['new-criterion', () => `/plans/${PLAN}/criteria/new`],
        ['programme-scores', () => `/programmes/${ids.programme}/scores`],
        ['package-scores', () => `/work-packages/${ids.package}/scores`],
    ]) {
        test(`page checks: ${name}`, async () => {
            await checkPage(name, pagePath());
        });
    }

    test('the ranking says ties and missing scores in words, labels the examples, and shows hostile text inert (the SVG too)', async () => {
        const page = await open(desktop, `/plans/${PLAN}/ranking`);
        try {
            const main = squash(await page.locator('main').innerText());
            assert.ok(main.includes('Not ranked: scores missing'), 'no list of items missing scores');
            assert.ok(main.includes(squash(HOSTILE)), 'the criterion name is not shown as written');
            assert.match(squash(await page.locator('.examples-notice').innerText()), /examples/i, 'no notice that the criteria are examples');
            assert.equal(await page.evaluate(() => window.__ranked), undefined, 'the criterion text ran as a script');
            assert.equal(await page.locator('main script').count(), 0, 'a script element in the page body');
            assert.equal(await page.locator('svg.ranking-chart').count(), 1, 'no chart');
        } finally {
            await page.close();
        }
    });

    test('a score saved through the form is in the ranking; 6 is refused beside its field', async () => {
        const page = await open(phone, `/programmes/${ids.programme}/scores`);
        try {
            const select = page.locator(`#score-${criterion}`);
            await select.evaluate((el) => {
                const o = document.createElement('option');
                o.value = '6';
                o.textContent = '6';
                el.appendChild(o);
            });
            await select.selectOption('6');
            const [bad] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Save scores' }).click()]);
            assert.equal(bad.status(), 422, `a score of 6 answered ${bad.status()}`);
            assert.equal(await page.locator(`main a[href="#score-${criterion}"]`).count(), 1, 'no error summary link to the score');
            await assertAxeClean(page, 'the scoring form with an error at 390 px');
            await page.locator(`#score-${criterion}`).selectOption('4');
            const [ok] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Save scores' }).click()]);
            assert.equal(ok.status(), 200, `saving answered ${ok.status()}`);
            assert.match(new URL(page.url()).pathname, /\/ranking$/);
            assert.match(squash((await page.locator('.banner').allInnerTexts()).join(' ')), /saved/i, 'no banner saying the scores were saved');
            assert.equal(await page.evaluate(() => window.__ranked), undefined, 'the note ran as a script');
        } finally {
            await page.close();
        }
    });
});

// ------------------------------------------------------------------ import a plan

describe('import a plan in the browser: upload, preview, change a column, import (axe, 390 px)', () => {
    const CSV = [
        'Section,Work package,Scope,Estimated delivery,Whoever,Budget',
        '10.1 Core systems,1. Replace the finance system,All finance,Q4 2026,Jo Bloggs,100k',
        '10.1 Core systems,2. Move email,Every mailbox,Q1 2027,Sam Smith,5k',
        '10.2 Schools,1. Broadband,Every school,Q2 2027,Ali Khan,20k',
    ].join('\n');
    const file = { name: 'browser-import.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) };

    /** Upload the CSV through the page and land on its preview. */
    async function uploadAndPreview(context, title) {
        const page = await open(context, '/plans/import');
        await page.locator('#file').setInputFiles(file);
        await page.locator('#title').fill(title);
        const button = page.getByRole('button', { name: 'Upload and preview' });
        const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
        assert.equal(res.status(), 200, `the upload answered ${res.status()}: ${squash(await page.locator('main').innerText()).slice(0, 400)}`);
        assert.equal(squash(await page.locator('main h1').innerText()), 'Check the import');
        return page;
    }

    async function press(page, name) {
        const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name }).click()]);
        return res;
    }

    test('the plan list links to the page; a CSV is previewed, a column remapped, and the plan imported', async () => {
        const home = await open(desktop, '/');
        try {
            assert.equal(await home.locator('main a[href="/plans/import"]').count(), 1, 'the plan list has no "Import a plan" link');
        } finally {
            await home.close();
        }
        const title = `Imported in the browser ${Date.now()}`;
        const page = await uploadAndPreview(desktop, title);
        try {
            const counts = squash(await page.locator('main dl.summary').innerText());
            assert.match(counts, /Work packages 3/, `counts: ${counts}`);
            assert.match(counts, /Sections 2/, `counts: ${counts}`);
            const whoever = page.getByLabel('Field for the column Whoever');
            assert.equal(await whoever.inputValue(), 'notes');
            assert.match(await page.locator('main').innerText(), /Jo Bloggs/, 'the notes preview does not show the unknown column');
            await assertAxeClean(page, 'the import preview');

            await whoever.selectOption('owner');
            const redrawn = await press(page, 'Update the preview');
            assert.equal(redrawn.status(), 200);
            assert.equal(await page.getByLabel('Field for the column Whoever').inputValue(), 'owner', 'the choice is not kept');
            const notes = await page.locator('main [aria-label="What the plan\'s notes will hold"]').innerText();
            assert.doesNotMatch(notes, /Jo Bloggs/, 'the owner column still goes to the notes');
            assert.match(notes, /100k/);

            const stored = await press(page, 'Import the plan');
            assert.equal(stored.status(), 200);
            assert.match(new URL(page.url()).pathname, /^\/plans\/\d+$/, `importing went to ${page.url()}`);
            assert.match(await page.locator('main').innerText(), /The plan has been imported\./);
            assert.match(await page.locator('main').innerText(), /Replace the finance system/);
            assertNoProblems(page, 'the import flow');
        } finally {
            await page.close();
        }
    });

    test('at 390 px the pages pass axe-core and do not scroll sideways; cancel stores nothing', async () => {
        const upload = await open(phone, '/plans/import');
        try {
            await assertAxeClean(upload, 'the upload page at 390px');
            const { scrollWidth, innerWidth } = await upload.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
            assert.ok(scrollWidth <= innerWidth, `the upload page scrolls sideways: ${scrollWidth}px in ${innerWidth}px`);
        } finally {
            await upload.close();
        }
        const title = `Cancelled in the browser ${Date.now()}`;
        const page = await uploadAndPreview(phone, title);
        try {
            await assertAxeClean(page, 'the import preview at 390px');
            const overflow = await overflowingElements(page);
            assert.deepEqual(overflow, [], `the preview sticks out at 390px:\n${overflow.join('\n')}`);
            await press(page, 'Cancel');
            assert.match(await page.locator('main').innerText(), /nothing has been stored/);
            const plans = listOf(await api('/api/v1/plans'));
            assert.ok(!plans.some((p) => p.title === title), 'a cancelled import was stored');
        } finally {
            await page.close();
        }
    });

    test('a plan is updated from a newer file: the changes are shown field by field (axe, 390 px), then applied', async () => {
        // A plan to update, imported through the page.
        const title = `Updated in the browser ${Date.now()}`;
        const imported = await uploadAndPreview(desktop, title);
        let planPath;
        try {
            await press(imported, 'Import the plan');
            planPath = new URL(imported.url()).pathname;
            assert.match(planPath, /^\/plans\/\d+$/, `importing went to ${imported.url()}`);
        } finally {
            await imported.close();
        }
        const planId = planPath.split('/').pop();
        const before = listOf(await api(`/api/v1/plans/${planId}/work-packages?per_page=100`));
        const first = before.find((w) => w.reference === '10.1.1');
        assert.ok(first, 'no 10.1.1 in the imported plan');

        const NEWER = [
            'Section,Work package,Scope,Estimated delivery,Owner',
            '10.1 Core systems,1. Replace the finance system,All finance,Q2 2027,Head of Finance',
            '10.1 Core systems,2. Move email,Every mailbox,Q1 2027,Sam Smith',
            '10.1 Core systems,3. Retire the old intranet,Every page,Q3 2027,Sam Smith',
        ].join('\n');
        const overview = await open(desktop, planPath);
        try {
            const link = overview.getByRole('link', { name: 'Update this plan from a file' });
            assert.equal(await link.count(), 1, 'the plan has no "Update this plan from a file" link');
            await Promise.all([overview.waitForNavigation({ waitUntil: 'load' }), link.click()]);
            assert.match(squash(await overview.locator('main h1').innerText()), /^Update .* from a file$/);
            await assertAxeClean(overview, 'the update upload page');
            await overview.locator('#file').setInputFiles({ name: 'plan-2027.csv', mimeType: 'text/csv', buffer: Buffer.from(NEWER) });
            const res = await press(overview, 'Upload and preview');
            assert.equal(res.status(), 200, squash(await overview.locator('main').innerText()).slice(0, 400));
            assert.equal(squash(await overview.locator('main h1').innerText()), 'Check the update');
            const counts = squash(await overview.locator('main dl.summary').first().innerText());
            assert.match(counts, /Work packages added 1/, counts);
            assert.match(counts, /Work packages changed 2/, counts); // 10.1.1, and 10.1.2 gains an owner
            assert.match(counts, /Work packages not in the file 1/, counts);
            const change = overview.locator('main table', { hasText: '10.1.1 Replace the finance system' });
            const rows = squash(await change.innerText());
            assert.match(rows, /delivery Q4 2026 Q2 2027/, rows);
            assert.match(rows, /owner (\(empty\)|Whoever) Head of Finance/, rows);
            await assertAxeClean(overview, 'the update preview');

            await overview.getByLabel(/Remove the work packages that are not in the file/).check();
            await press(overview, 'Apply these changes');
            assert.equal(new URL(overview.url()).pathname, planPath);
            assert.match(await overview.locator('main').innerText(), /The plan has been updated from the file\./);
            assertNoProblems(overview, 'the update flow');
        } finally {
            await overview.close();
        }
        const after = listOf(await api(`/api/v1/plans/${planId}/work-packages?per_page=100`));
        assert.deepEqual(after.map((w) => w.reference).sort(), ['10.1.1', '10.1.2', '10.1.3']);
        const kept = after.find((w) => w.reference === '10.1.1');
        assert.equal(kept.id, first.id, '10.1.1 is not the same package after the update');
        assert.equal(kept.owner, 'Head of Finance');

        // The preview at 390 px: axe, nothing sticks out; cancel changes nothing.
        const phonePage = await open(phone, `${planPath}/update`);
        try {
            await phonePage.locator('#file').setInputFiles({ name: 'plan-2027.csv', mimeType: 'text/csv', buffer: Buffer.from(NEWER.replace('Q3 2027', 'Q4 2027')) });
            await press(phonePage, 'Upload and preview');
            assert.equal(squash(await phonePage.locator('main h1').innerText()), 'Check the update');
            await assertAxeClean(phonePage, 'the update preview at 390px');
            const overflow = await overflowingElements(phonePage);
            assert.deepEqual(overflow, [], `the update preview sticks out at 390px:\n${overflow.join('\n')}`);
            await press(phonePage, 'Cancel');
            assert.match(await phonePage.locator('main').innerText(), /nothing has been changed/);
        } finally {
            await phonePage.close();
        }
        const unchanged = listOf(await api(`/api/v1/plans/${planId}/work-packages?per_page=100`));
        assert.deepEqual(unchanged.find((w) => w.reference === '10.1.3').delivery, after.find((w) => w.reference === '10.1.3').delivery);
    });

    test('an empty upload is said in an error summary linking to the file field', async () => {
        const page = await open(desktop, '/plans/import');
        try {
            const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Upload and preview' }).click()]);
            assert.equal(res.status(), 422);
            assert.match(await page.title(), /^Error/);
            assert.equal(await page.locator('main .error-summary a[href="#file"]').count(), 1, 'no error summary link to the file field');
            await assertAxeClean(page, 'the upload page with an error');
        } finally {
            await page.close();
        }
    });
});
// ------------------------------------------------------------------ progress notes and the report

describe('progress notes and the progress report: add a note, the report printed to PDF (axe, 390 px)', () => {
    const HOSTILE = `Browser note <script>window.__noted = 1</script> "double" 'single' ; DROP TABLE progress_note; --`;
    let note; // made through the API for the page checks

    async function apiWrite(method, pathAndQuery, body, headers = {}) {
        const res = await fetch(BASE + pathAndQuery, {
            method,
            headers: withToken({ 'content-type': 'application/json', ...headers }),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.text() };
    }

    before(async () => {
        // No RAG: the package's own RAG stays as the other tests expect it.
        const res = await apiWrite('POST', `/api/v1/work-packages/${ids.package}/progress-notes`, { date: '2007-03-14', text: HOSTILE });
        assert.equal(res.status, 201, `adding a note answered ${res.status}: ${res.body.slice(0, 300)}`);
        note = Number(JSON.parse(res.body).id);
    });

    after(async () => {
        if (note) await apiWrite('DELETE', `/api/v1/progress-notes/${note}`, undefined, { 'if-match': '*' });
    });

    for (const [name, pagePath] of [
        ['progress-report', () => `/plans/${PLAN}/reports/progress?since=2000-01-01`],
        ['progress-report-baseline', () => `/plans/${PLAN}/reports/progress?baseline=${ids.baseline}`],
        ['new-progress-note', () => `/work-packages/${ids.package}/progress-notes/new`],
    ]) {
        test(`page checks: ${name}`, async () => {
            await checkPage(name, pagePath());
        });
    }

    test('a progress note added through the package page is listed newest first, shown as written', async () => {
        const words = `Browser progress ${Date.now()}`;
        const page = await open(desktop, `/work-packages/${ids.package}`);
        try {
            const details = page.locator('details.add-note');
            if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
            // A mistake first: no text, the form on its own page with the error.
            await page.locator('#text').fill('');
            const [bad] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Add progress note' }).click()]);
            assert.equal(bad.status(), 422, `a note without text answered ${bad.status()}`);
            assert.equal(await page.locator('main a[href="#text"]').count(), 1, 'no error summary link to the text');
            await assertAxeClean(page, 'the note form with an error');

            await page.locator('#text').fill(words);
            await page.locator('#rag').selectOption('none');
            const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Add progress note' }).click()]);
            assert.equal(res.status(), 200, `adding answered ${res.status()}`);
            assert.match(squash(await page.locator('.banner').first().innerText()), /progress note has been added/i, 'no banner saying it was added');
            const first = squash(await page.locator('#progress-notes ~ ol.notes li').first().innerText());
            assert.ok(first.includes(words), `the newest note is not first: ${first.slice(0, 200)}`);
            const all = squash(await page.locator('#progress-notes ~ ol.notes').innerText());
            assert.ok(all.includes(squash(HOSTILE)), 'the package page does not show the hostile note as written');
            assert.equal(await page.evaluate(() => window.__noted), undefined, 'the note ran as a script');
            await assertAxeClean(page, 'the package page with notes');
        } finally {
            await page.close();
        }
        const notes = listOf(await api(`/api/v1/work-packages/${ids.package}/progress-notes`));
        const made = notes.find((n) => n.text === words);
        assert.ok(made, 'the API does not list the note added in the browser');
        await apiWrite('DELETE', `/api/v1/progress-notes/${made.id}`, undefined, { 'if-match': '*' });
    });

    test('the report page prints to an A4 PDF holding the report, not the navigation', async () => {
        const page = await open(desktop, `/plans/${PLAN}/reports/progress?since=2000-01-01`);
        try {
            const shown = squash(await page.locator('main').innerText());
            assert.ok(shown.includes(squash(HOSTILE)), 'the report page does not show the note as written');
            assert.equal(await page.evaluate(() => window.__noted), undefined, 'the note ran as a script in the report');
            const file = path.join(SHOTS, 'progress-report.pdf');
            await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
            const { execFileSync } = await import('node:child_process');
            const text = squash(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
            for (const expected of ['Progress report', 'Summary', 'By status', 'By RAG', 'Delivered since', 'Slipped', 'Due next period', 'Progress of each package', 'Decisions taken since', 'Compared with the plan on']) {
                assert.ok(text.includes(expected), `the PDF lacks "${expected}": ${text.slice(0, 400)}`);
            }
            assert.ok(text.includes('DROP TABLE progress_note;'), 'the PDF lacks the note as written');
            assert.ok(text.includes('<script>window.__noted = 1</script>'), 'the PDF does not show the markup as text');
            for (const absent of ['Choose the report', 'Back to the plan', 'Skip to main content']) {
                assert.ok(!text.includes(absent), `the PDF prints "${absent}"`);
            }
            const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
            assert.match(info, /Page size:.*\(A4\)/, `the PDF is not A4: ${info}`);
        } finally {
            await page.close();
        }
    });
});

