// A real OpenID provider (the `oidc-provider` package) on loopback, for
// Waymark's single sign-on tests. Not for production: accounts are fixed and
// anyone who names one is signed in as it.
//
//   node provider.mjs --port 9100 --redirect-uri http://127.0.0.1:8080/auth/oidc/callback \
//       --client-secret SECRET [--mode good|wrong-key]
//
// It serves one confidential client, `waymark` (client_secret_basic, PKCE
// required, authorization code only), and signs ID tokens with RS256. The
// ID token carries `email`, `email_verified`, `name` and `groups`, as Entra ID
// and Keycloak do once configured (see docs/sso.md).
//
// Sign-in is a plain HTML form (no script): GET /interaction/{uid} shows it,
// POST /interaction/{uid}/login with `login=alice` signs in as that account.
// Consent is granted without asking, as for an administrator-approved
// first-party application. A test drives it over HTTP (see e2e.mjs).
//
// --mode wrong-key: the ID token is still signed with key A, but the published
// key set (jwks_uri) holds only key B, under the same key id. A relying party
// that checks signatures against the published keys must refuse the sign-in.
//
// Prints one line `oidc-provider ready: ISSUER (mode MODE)` when it listens.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
    options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'redirect-uri': { type: 'string' },
        'client-id': { type: 'string', default: 'waymark' },
        'client-secret': { type: 'string' },
        mode: { type: 'string', default: 'good' },
    },
});

function fail(message) {
    console.error(`provider.mjs: ${message}`);
    process.exit(2);
}

if (!args.port) fail('--port is required');
if (!args['redirect-uri']) fail('--redirect-uri is required');
if (!args['client-secret']) fail('--client-secret is required');
if (!['good', 'wrong-key'].includes(args.mode)) fail(`--mode is good or wrong-key, not ${args.mode}`);

const issuer = `http://${args.host}:${args.port}`;

// The test accounts. `alice` is in a group Waymark's CI maps to a role;
// `carol` is in two mapped groups (the higher role is hers); `bob` is only in
// groups it does not map, so Waymark must refuse him.
const ACCOUNTS = {
    alice: {
        email: 'alice@example.org',
        name: 'Alice Example',
        groups: ['staff', 'waymark-managers'],
    },
    carol: {
        email: 'carol@example.org',
        name: 'Carol Example',
        groups: ['staff', 'waymark-managers', 'waymark-admins'],
    },
    bob: {
        email: 'bob@example.org',
        name: 'Bob Example',
        groups: ['staff'],
    },
};

const KID = 'ci-signing-key';

function rsaJwk(withPrivate) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = (withPrivate ? privateKey : publicKey).export({ format: 'jwk' });
    return { ...jwk, kid: KID, use: 'sig', alg: 'RS256' };
}

const signingKey = rsaJwk(true);
// The key published in wrong-key mode: another RSA key under the same kid.
const otherKey = rsaJwk(false);

const configuration = {
    clients: [
        {
            client_id: args['client-id'],
            client_secret: args['client-secret'],
            redirect_uris: [args['redirect-uri']],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
            id_token_signed_response_alg: 'RS256',
        },
    ],
    jwks: { keys: [signingKey] },
    // Every client must send a PKCE challenge (S256), so a relying party that
    // forgets it fails here rather than in production.
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile'],
    claims: {
        // Groups come with every ID token, as Entra ID's "groups" optional
        // claim and Keycloak's group mapper do: no scope asks for them.
        openid: ['sub', 'groups'],
        email: ['email', 'email_verified'],
        profile: ['name'],
    },
    // Put the claims in the ID token itself (Entra ID, Keycloak and Google
    // do), not only behind the userinfo endpoint.
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
        const account = ACCOUNTS[id];
        if (!account) return undefined;
        return {
            accountId: id,
            async claims() {
                return {
                    sub: id,
                    email: account.email,
                    email_verified: true,
                    name: account.name,
                    groups: account.groups,
                };
            },
        };
    },
    // Consent without asking (an administrator-approved application).
    async loadExistingGrant(ctx) {
        const grantId = ctx.oidc.result?.consent?.grantId
            || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (grantId) {
            return ctx.oidc.provider.Grant.find(grantId);
        }
        const grant = new ctx.oidc.provider.Grant({
            clientId: ctx.oidc.client.clientId,
            accountId: ctx.oidc.session.accountId,
        });
        grant.addOIDCScope('openid email profile');
        grant.addOIDCClaims(['sub', 'groups', 'email', 'email_verified', 'name']);
        await grant.save();
        return grant;
    },
    interactions: {
        url(ctx, interaction) {
            return `/interaction/${interaction.uid}`;
        },
    },
    features: {
        devInteractions: { enabled: false },
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: {
        Session: 600,
        Interaction: 600,
        Grant: 600,
        AuthorizationCode: 60,
        AccessToken: 600,
        IdToken: 600,
    },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;

function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
        size += chunk.length;
        if (size > 16 * 1024) throw new Error('form too large');
        chunks.push(chunk);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

provider.use(async (ctx, next) => {
    const started = Date.now();
    try {
        if (args.mode === 'wrong-key' && ctx.method === 'GET' && ctx.path === '/jwks') {
            ctx.type = 'application/jwk-set+json';
            ctx.body = JSON.stringify({ keys: [otherKey] });
            return;
        }

        const login = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
        if (login && ctx.method === 'GET' && !login[2]) {
            const details = await provider.interactionDetails(ctx.req, ctx.res);
            ctx.type = 'html';
            ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to the test provider</title></head>
<body><h1>Sign in to the test provider</h1>
<p>Signing in to <code>${escapeHtml(details.params.client_id)}</code>. Accounts: ${Object.keys(ACCOUNTS).map(escapeHtml).join(', ')}.</p>
<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
<label for="login">Account</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Sign in</button>
</form></body></html>`;
            return;
        }
        if (login && ctx.method === 'POST' && login[2]) {
            await provider.interactionDetails(ctx.req, ctx.res);
            const form = await readForm(ctx.req);
            const accountId = form.get('login') ?? '';
            const result = ACCOUNTS[accountId]
                ? { login: { accountId } }
                : { error: 'access_denied', error_description: 'no such test account' };
            const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
                mergeWithLastSubmission: false,
            });
            ctx.status = 303;
            ctx.redirect(returnTo);
            return;
        }
        await next();
    } finally {
        console.error(`${ctx.method} ${ctx.path} -> ${ctx.status} (${Date.now() - started} ms)`);
    }
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('authorization.error', (ctx, err) => console.error('authorization.error', err.message, err.error_description ?? ''));
provider.on('grant.error', (ctx, err) => console.error('grant.error', err.message, err.error_description ?? ''));

const server = provider.listen(Number(args.port), args.host, () => {
    console.log(`oidc-provider ready: ${issuer} (mode ${args.mode})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        server.close();
        process.exit(0);
    });
}
