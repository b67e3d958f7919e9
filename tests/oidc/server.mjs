// Test-only OpenID Connect provider for grant-advisor's integration tests.
//
// It wraps the npm package `oidc-provider` (pinned in tests/package.json / tests/package-lock.json) and is
// started by the pytest fixtures in tests/oidc_support.py:
//
//   node tests/oidc/server.mjs
//
// It listens on 127.0.0.1 (plain http, loopback only) on an ephemeral port unless OIDC_TEST_PORT
// is set, and prints exactly ONE JSON line on stdout once it is listening (issuer, port, profile,
// clients with their secrets, key file paths, ...). Everything else goes to stderr. SIGTERM and
// SIGINT close it.
//
// NEVER deploy this: every secret below is public, any login/password is accepted on the dev
// login page, and the consent page grants whatever is asked.
//
// Environment (all optional):
//   OIDC_TEST_PORT                 port to listen on (default 0 = ephemeral)
//   OIDC_TEST_PROFILE              full (default) | no-device | no-ciba | plain-pkce, see PROFILES
//   OIDC_TEST_KEY_DIR              where the test key pairs are written (PEM). Existing
//                                  key files there are reused, so a pytest session generates
//                                  them once. Default: a fresh temp dir removed on exit.
//   OIDC_TEST_CIBA_DELAY_MS        delay before CIBA hints `alice` / `bob-denies` are decided
//                                  (default 1000)
//   OIDC_TEST_POLL_INTERVAL        if set (seconds, integer >= 1): TEST CODE adds `interval` to
//                                  device authorization and CIBA responses and answers
//                                  `slow_down` to polls arriving sooner than that (see below).
//                                  Unset (default) = plain oidc-provider behaviour: no interval
//                                  is sent and polling speed is never policed.
//   OIDC_TEST_SLOW_DOWN_INCREMENT  seconds added to a device/CIBA request's required interval
//                                  after each slow_down (default 5, as RFC 8628 §3.5 tells
//                                  clients to do)
//   OIDC_TEST_STRICT_CLIENT_AUTH   "0" turns off the strict client_secret_basic/post check
//                                  (see "Strict client authentication" below). Default on.
//   DEBUG=oidc-provider:*          oidc-provider's own debug logging (stderr)
//
// ---------------------------------------------------------------------------------------------
// Clients (all statically registered; ids and secrets are also in the ready line):
//
//   client_id          auth method           grants                            notes
//   cc-basic           client_secret_basic   client_credentials                secret contains
//                                                                               % + : and space
//   cc-post            client_secret_post    client_credentials
//   cc-pkjwt           private_key_jwt RS256 client_credentials                key: cc-pkjwt.key.pem
//   native-app         none (public)         authorization_code, refresh_token native, loopback
//                                                                               redirect, any port
//   web-app            client_secret_basic   authorization_code, refresh_token see note below
//   device-client      none (public)         device_code, refresh_token
//   ciba-client        client_secret_basic   ciba (poll mode)
//   exchange-client    client_secret_basic   token-exchange (TEST CODE grant)
//   jwt-bearer-client  client_secret_basic   jwt-bearer (TEST CODE grant)      key: jwt-bearer.key.pem
//
// private_key_jwt (RS256) twins of four confidential clients above, for the samples'
// private_key_jwt variants. All four register cc-pkjwt's public key: a test signs their client
// assertions with keys['cc-pkjwt'] (iss = sub = client id, aud = issuer or endpoint URL, jti):
//
//   web-app-pkjwt      private_key_jwt RS256 authorization_code, refresh_token as web-app
//   ciba-pkjwt         private_key_jwt RS256 ciba (poll mode)                  as ciba-client
//   exchange-pkjwt     private_key_jwt RS256 token-exchange (TEST CODE grant)
//   jwt-bearer-pkjwt   private_key_jwt RS256 jwt-bearer (TEST CODE grant)      as jwt-bearer-client
//
// Every client secret contains characters that change under application/x-www-form-urlencoded
// encoding ('+', '/', '=', '%', ':' or space), so a sample that skips RFC 6749 §2.3.1
// (form-urlencode id and secret before Base64) or puts an unencoded secret into a form body
// (e.g. curl -d instead of --data-urlencode) fails against this server.
//
// Redirect URI for native-app and web-app: http://127.0.0.1/callback. Both are registered with
// application_type "native", for which oidc-provider compares loopback redirect URIs
// (127.0.0.1, [::1], localhost over http) WITHOUT the port (RFC 8252 §7.3), so a sample may
// listen on any ephemeral port: http://127.0.0.1:54321/callback matches. Host and path must
// still match: http://localhost:54321/callback and http://[::1]:54321/callback are rejected
// (RFC 8252 §8.3 recommends the IP literal), as is any other path. web-app is "native"
// only to get that loopback behaviour; a real web app would register a fixed https URI and be
// application_type "web" (for which oidc-provider requires an exact match including the port).
//
// PKCE: S256 only (oidc-provider 9 cannot do `plain` at all) and REQUIRED for every client using
// the authorization code flow, confidential ones included (pkce.required below), so a sample
// that forgets PKCE fails here.
//
// Resource server (RFC 8707 resource indicators): https://api.example.test, scopes
// `api:read api:write`, JWT access tokens (typ at+jwt, aud https://api.example.test, RS256,
// signed with the provider key published at jwks_uri). A second one,
// https://other-api.example.test (scope `other:read`), exists as a token-exchange target.
//   * client_credentials WITHOUT `resource` works: defaultResource below picks
//     https://api.example.test for that grant, so the token is the same JWT as with
//     resource=https://api.example.test. An unknown resource gives invalid_target.
//   * authorization_code / device / CIBA without `resource` and with `openid` give an opaque
//     access token for the userinfo endpoint (oidc-provider's rule); with
//     resource=https://api.example.test on both the authorization and the token request they
//     give a JWT for the API.
//
// Accounts: any login is accepted on the dev login page (password ignored); the account id is
// the login. Claims: sub, name, preferred_username (profile), email, email_verified (email).
//
// CIBA (poll mode): the login_hint decides what the "authentication device" does:
//   alice        approved after OIDC_TEST_CIBA_DELAY_MS (default 1 s)
//   bob-denies   denied (access_denied) after the same delay
//   carol-slow   never answered: polls get authorization_pending until the request expires
//                (use requested_expiry=1 to test expired_token)
//   anything else: the backchannel authentication request fails with unknown_user_id
// oidc-provider sends no `interval` in the CIBA response either (CIBA says clients then default
// to 5 s), unless OIDC_TEST_POLL_INTERVAL is set.
//
// Device flow: oidc-provider 9.13.3 sends NO `interval` in the device authorization response
// (RFC 8628 says clients then default to 5 s), and it never answers `slow_down`: polling at any
// rate just gets authorization_pending until the user acts. OIDC_TEST_POLL_INTERVAL turns on
// the TEST CODE below that sends an interval and polices it.
//
// Profiles (OIDC_TEST_PROFILE), for tests of server-metadata checks:
//   full        everything above (default)
//   no-device   device flow disabled: no device_authorization_endpoint in discovery, no
//               device_code grant, device-client not registered
//   no-ciba     CIBA disabled: no backchannel_authentication_endpoint, ciba-client and
//               ciba-pkjwt not registered
//   plain-pkce  like full, but the discovery document is REWRITTEN by test code to advertise
//               code_challenge_methods_supported: ["plain"]. oidc-provider 9 hard-codes
//               ["S256"] and cannot verify `plain`, so this profile is for metadata checks only:
//               the authorization/token endpoints still accept and require S256 only.
//
// Other oidc-provider 9.13.3 behaviour worth knowing (checked by the harness tests):
//   * Refresh tokens only with scope offline_access AND prompt=consent on the authorization
//     request (without prompt=consent offline_access is silently dropped); the device flow
//     issues them for offline_access alone. Reusing an authorization code or a rotated refresh
//     token fails with invalid_grant AND revokes the whole grant (every token from it).
//   * Every authorization response (success and error) carries iss (RFC 9207); discovery says
//     authorization_response_iss_parameter_supported: true.
//   * Basic credentials are form-urldecoded ('+' -> space, then percent-decoding); a malformed
//     escape (e.g. a raw '%t') gives 400 invalid_request "... not properly encoded".
//   * A client using a grant it is not registered for gets invalid_request, not
//     unauthorized_client.
//   * Errors are rendered as HTML when the request's Accept header prefers text/html.
//   * JWT access tokens cannot be introspected (unsupported_token_type); opaque ones can.
//   * A denied CIBA request's token error is access_denied with error_description
//     "access_denied" (the description given to backchannelResult is not passed on).
//   * oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" on Node 20; every
//     flow above works on Node 20.20 all the same.
// ---------------------------------------------------------------------------------------------

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

const started = process.hrtime.bigint();
const log = (...args) => console.error('[oidc-test-server]', ...args);
// Nothing but the ready line may go to stdout.
console.log = console.error;
console.info = console.error;

const PROFILES = new Set(['full', 'no-device', 'no-ciba', 'plain-pkce']);
const profile = process.env.OIDC_TEST_PROFILE || 'full';
if (!PROFILES.has(profile)) {
  log(`unknown OIDC_TEST_PROFILE ${JSON.stringify(profile)}; expected one of ${[...PROFILES].join(', ')}`);
  process.exit(2);
}

function intEnv(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    log(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const requestedPort = intEnv('OIDC_TEST_PORT', 0, 0);
const cibaDelayMs = intEnv('OIDC_TEST_CIBA_DELAY_MS', 1000, 0);
const pollInterval = intEnv('OIDC_TEST_POLL_INTERVAL', undefined, 1);
const slowDownIncrement = intEnv('OIDC_TEST_SLOW_DOWN_INCREMENT', 5, 0);
const strictClientAuth = process.env.OIDC_TEST_STRICT_CLIENT_AUTH !== '0';
const deviceEnabled = profile !== 'no-device';
const cibaEnabled = profile !== 'no-ciba';

const GRANT = {
  deviceCode: 'urn:ietf:params:oauth:grant-type:device_code',
  ciba: 'urn:openid:params:grant-type:ciba',
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  jwtBearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
};
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const API = 'https://api.example.test';
const OTHER_API = 'https://other-api.example.test';
const RESOURCE_SERVERS = {
  [API]: {
    scope: 'api:read api:write', audience: API, accessTokenFormat: 'jwt', accessTokenTTL: 3600,
  },
  [OTHER_API]: {
    scope: 'other:read', audience: OTHER_API, accessTokenFormat: 'jwt', accessTokenTTL: 3600,
  },
};

const REDIRECT_URI = 'http://127.0.0.1/callback';
const USER_SCOPE = 'openid profile email offline_access';

const SECRETS = {
  'cc-basic': 's3cr%t+with:colon and space',
  'cc-post': 'cc-post-secret+/=',
  'web-app': 'web-app+secret/1=',
  'ciba-client': 'ciba+secret/2=',
  'exchange-client': 'exchange+secret/3=',
  'jwt-bearer-client': 'jwt-bearer+secret/4=',
};

// ---------------------------------------------------------------------------------------------
// Keys (RSA 2048, RS256): the provider's signing key (op-signing.key.pem) and the two client
// key pairs whose private halves the tests need (cc-pkjwt.key.pem, jwt-bearer.key.pem). They
// live in OIDC_TEST_KEY_DIR and are reused when present (RSA generation dominates start-up).
// ---------------------------------------------------------------------------------------------

const generateKeyPair = promisify(crypto.generateKeyPair);
const ownKeyDir = !process.env.OIDC_TEST_KEY_DIR;
const keyDir = process.env.OIDC_TEST_KEY_DIR
  || fs.mkdtempSync(path.join(os.tmpdir(), 'oidc-test-keys-'));
fs.mkdirSync(keyDir, { recursive: true });

async function loadOrCreateKey(name) {
  const privatePath = path.join(keyDir, `${name}.key.pem`);
  const publicPath = path.join(keyDir, `${name}.pub.pem`);
  let privateKey;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(privatePath));
  } catch {
    ({ privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 }));
    // Write to a unique temp name and rename, so concurrent servers sharing a key dir never
    // see half-written files.
    const tmp = `${privatePath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.renameSync(tmp, privatePath);
  }
  const publicKey = crypto.createPublicKey(privateKey);
  if (!fs.existsSync(publicPath)) {
    const tmp = `${publicPath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, publicKey.export({ type: 'spki', format: 'pem' }));
    fs.renameSync(tmp, publicPath);
  }
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = crypto.hash('sha256', `${jwk.n}.${jwk.e}`, 'base64url').slice(0, 16);
  return {
    privatePath, publicPath, privateKey, publicKey, kid, jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' },
  };
}

const [opKey, pkjwtKey, jwtBearerKey] = await Promise.all([
  loadOrCreateKey('op-signing'),
  loadOrCreateKey('cc-pkjwt'),
  loadOrCreateKey('jwt-bearer'),
]);
const opPublicKey = opKey.publicKey;
const opSigningJwk = { ...opKey.privateKey.export({ format: 'jwk' }), kid: opKey.kid, alg: 'RS256', use: 'sig' };

// TEST CODE: issuers trusted for RFC 7523 jwt-bearer assertions, and the client allowed to
// present each issuer's assertions.
const TRUSTED_ASSERTION_ISSUERS = new Map([
  ['jwt-bearer-client', {
    key: jwtBearerKey.publicKey, clientIds: new Set(['jwt-bearer-client', 'jwt-bearer-pkjwt']),
  }],
]);

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

const noRedirect = { response_types: [], redirect_uris: [] };
// A confidential client authenticating with private_key_jwt (RS256) and cc-pkjwt's key.
function pkjwtClient(clientId, grantTypes) {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: { keys: [pkjwtKey.jwk] },
    grant_types: grantTypes,
    ...noRedirect,
  };
}
const clients = [
  // Confidential, HTTP Basic with a secret full of characters that RFC 6749 §2.3.1 encoding
  // changes: % + : and space. Correct header: Basic base64("cc-basic:s3cr%25t%2Bwith%3Acolon+and+space").
  {
    client_id: 'cc-basic',
    client_secret: SECRETS['cc-basic'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    ...noRedirect,
  },
  // Confidential, client_id + client_secret in the form body.
  {
    client_id: 'cc-post',
    client_secret: SECRETS['cc-post'],
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    ...noRedirect,
  },
  // Confidential, private_key_jwt (RFC 7523 §2.2 client assertion): iss=sub=cc-pkjwt,
  // aud = issuer or token endpoint, exp and a unique jti required, RS256.
  {
    client_id: 'cc-pkjwt',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: { keys: [pkjwtKey.jwk] },
    grant_types: ['client_credentials'],
    ...noRedirect,
  },
  // Public native app: PKCE S256, loopback redirect on any port, refresh tokens (with
  // offline_access + prompt=consent), rotated on every use.
  {
    client_id: 'native-app',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    scope: USER_SCOPE,
  },
  // Confidential "web" app. application_type native ONLY to get port-agnostic loopback redirect
  // URIs for the test (see header); authenticates with client_secret_basic and must use PKCE.
  {
    client_id: 'web-app',
    client_secret: SECRETS['web-app'],
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    scope: USER_SCOPE,
  },
  // Public device (RFC 8628) client.
  deviceEnabled && {
    client_id: 'device-client',
    token_endpoint_auth_method: 'none',
    grant_types: [GRANT.deviceCode, 'refresh_token'],
    scope: USER_SCOPE,
    ...noRedirect,
  },
  // Confidential CIBA client, poll mode. The login_hint decides the outcome (see header).
  cibaEnabled && {
    client_id: 'ciba-client',
    client_secret: SECRETS['ciba-client'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [GRANT.ciba],
    backchannel_token_delivery_mode: 'poll',
    scope: USER_SCOPE,
    ...noRedirect,
  },
  // Confidential client for the RFC 8693 token exchange grant (TEST CODE grant, see below).
  {
    client_id: 'exchange-client',
    client_secret: SECRETS['exchange-client'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [GRANT.tokenExchange],
    ...noRedirect,
  },
  // Confidential client for the RFC 7523 §2.1 JWT bearer grant (TEST CODE grant, see below).
  {
    client_id: 'jwt-bearer-client',
    client_secret: SECRETS['jwt-bearer-client'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [GRANT.jwtBearer],
    ...noRedirect,
  },
  // private_key_jwt twins of web-app, ciba-client, exchange-client and jwt-bearer-client,
  // with cc-pkjwt's public key (see the header).
  {
    ...pkjwtClient('web-app-pkjwt', ['authorization_code', 'refresh_token']),
    application_type: 'native', // loopback redirect on any port, as for web-app
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    scope: USER_SCOPE,
  },
  cibaEnabled && {
    ...pkjwtClient('ciba-pkjwt', [GRANT.ciba]),
    backchannel_token_delivery_mode: 'poll',
    scope: USER_SCOPE,
  },
  pkjwtClient('exchange-pkjwt', [GRANT.tokenExchange]),
  pkjwtClient('jwt-bearer-pkjwt', [GRANT.jwtBearer]),
].filter(Boolean);

// ---------------------------------------------------------------------------------------------
// Provider configuration
// ---------------------------------------------------------------------------------------------

async function findAccount(ctx, sub) {
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        name: `Test User ${sub}`,
        preferred_username: sub,
        email: `${sub}@example.test`,
        email_verified: true,
      };
    },
  };
}

const CIBA_HINTS = new Set(['alice', 'bob-denies', 'carol-slow']);

function configuration() {
  return {
    clients,
    jwks: { keys: [opSigningJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    findAccount,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // PKCE (S256, the only method oidc-provider 9 implements) for every authorization request,
    // not only for public clients (oidc-provider's default).
    pkce: { required: () => true },
    // Rotate refresh tokens on every use, for confidential clients too (the default rotates
    // public clients always, confidential ones only after 70% of the lifetime).
    rotateRefreshToken: () => true,
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL || 3600,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: (ctx) => {
        const requested = Number(ctx?.oidc?.params?.requested_expiry);
        return Number.isSafeInteger(requested) && requested > 0 ? Math.min(600, requested) : 600;
      },
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL || 600,
      DeviceCode: 600,
      Grant: 86400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 86400,
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: deviceEnabled },
      ciba: {
        enabled: cibaEnabled,
        deliveryModes: ['poll'],
        async processLoginHint(ctx, loginHint) {
          return CIBA_HINTS.has(loginHint) ? loginHint : undefined;
        },
        async processLoginHintToken() {
          throw new errors.InvalidRequest('login_hint_token is not supported by this test server, use login_hint');
        },
        async verifyUserCode() {},
        async validateRequestContext() {},
        async triggerAuthenticationDevice(ctx, request, account, client) {
          // TEST CODE standing in for the user's authentication device.
          const hint = account.accountId;
          if (hint === 'carol-slow') return;
          const timer = setTimeout(() => {
            decideBackchannelRequest(request, hint === 'alice').catch((err) => {
              log('CIBA decision failed:', err);
            });
          }, cibaDelayMs);
          timer.unref();
        },
      },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf;
          // client_credentials without `resource` gets the test API as audience.
          if (ctx.oidc.route === 'token' && ctx.oidc.params.grant_type === 'client_credentials') {
            return API;
          }
          return undefined;
        },
        async getResourceServerInfo(ctx, resourceIndicator) {
          const info = RESOURCE_SERVERS[resourceIndicator];
          if (!info) {
            throw new errors.InvalidTarget(`unknown resource indicator; this test server knows ${Object.keys(RESOURCE_SERVERS).join(', ')}`);
          }
          return info;
        },
        async useGrantedResource() {
          return false;
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP server. The issuer needs the port, so listen first and build the provider afterwards.
// ---------------------------------------------------------------------------------------------

const server = http.createServer();
server.listen(requestedPort, '127.0.0.1');
await new Promise((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, configuration());

async function decideBackchannelRequest(request, approve) {
  if (!approve) {
    await provider.backchannelResult(
      request,
      new errors.AccessDenied('end-user denied the request (test hint bob-denies)'),
    );
    return;
  }
  const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
  grant.addOIDCScope(request.scope);
  const resources = request.resource === undefined ? [] : [].concat(request.resource);
  for (const resource of resources) {
    const rsScopes = new Set(RESOURCE_SERVERS[resource]?.scope.split(' '));
    grant.addResourceScope(resource, request.scope.split(' ').filter((s) => rsScopes.has(s)).join(' '));
  }
  await grant.save();
  await provider.backchannelResult(request, grant, { authTime: Math.floor(Date.now() / 1000) });
}

// ---------------------------------------------------------------------------------------------
// TEST CODE: helpers shared by the middleware and grant types below.
// ---------------------------------------------------------------------------------------------

function oauthError(ErrorClass, description) {
  const err = new ErrorClass();
  err.error_description = description;
  return err;
}

function jsonError(ctx, status, error, description) {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error, error_description: description };
}

const FORM_ENDPOINTS = new Set([
  provider.pathFor('token'),
  provider.pathFor('introspection'),
  provider.pathFor('revocation'),
  provider.pathFor('pushed_authorization_request'),
  ...(deviceEnabled ? [provider.pathFor('device_authorization')] : []),
  ...(cibaEnabled ? [provider.pathFor('backchannel_authentication')] : []),
]);

async function readFormBody(ctx) {
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req.iterator({ destroyOnReturn: false })) {
    size += chunk.length;
    if (size > 56 * 1024) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  // oidc-provider reads an already-consumed body from req.body (it logs a one-time warning
  // about an "already parsed request body", which is expected here).
  ctx.req.body = raw;
  return new URLSearchParams(raw);
}

function basicClientId(header) {
  const match = /^basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i === -1) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
  } catch {
    return undefined; // oidc-provider answers this one itself (invalid_request)
  }
}

// --- TEST CODE: strict client authentication -------------------------------------------------
// oidc-provider accepts a client_secret in the form body from a client registered for
// client_secret_basic and an Authorization: Basic header from one registered for
// client_secret_post (both paths allow both methods). To make samples that use the wrong
// method fail, this middleware answers 401 invalid_client when the method used differs from the
// registered one. OIDC_TEST_STRICT_CLIENT_AUTH=0 disables it.
async function strictClientAuthCheck(ctx, form) {
  if (!strictClientAuth) return false;
  const usedBasic = /^basic\s/i.test(ctx.headers.authorization ?? '');
  const usedPost = form.has('client_secret');
  if (!usedBasic && !usedPost) return false;
  const clientId = usedBasic ? basicClientId(ctx.headers.authorization) : form.get('client_id');
  let client;
  try {
    client = clientId ? await provider.Client.find(clientId) : undefined;
  } catch {
    client = undefined;
  }
  if (!client) return false;
  const registered = client.clientAuthMethod;
  const used = usedBasic ? 'client_secret_basic' : 'client_secret_post';
  if (['client_secret_basic', 'client_secret_post'].includes(registered) && registered !== used) {
    if (usedBasic) {
      ctx.set('WWW-Authenticate', `Basic realm="${issuer}", error="invalid_client"`);
    }
    jsonError(ctx, 401, 'invalid_client', `client is registered for ${registered} but authenticated with ${used} (strict check of the test server)`);
    return true;
  }
  return false;
}

// --- TEST CODE: polling interval and slow_down (only with OIDC_TEST_POLL_INTERVAL) -----------
// RFC 8628 §3.5 / CIBA §7.3: a client polling sooner than `interval` gets slow_down and must
// add 5 seconds to its interval; the server's required interval for that request grows by
// OIDC_TEST_SLOW_DOWN_INCREMENT each time.
const pollState = new Map(); // device_code / auth_req_id -> { last, interval }

function slowDownCheck(ctx, form) {
  if (pollInterval === undefined) return false;
  const grantType = form.get('grant_type');
  let key;
  if (grantType === GRANT.deviceCode) key = form.get('device_code');
  else if (grantType === GRANT.ciba) key = form.get('auth_req_id');
  if (!key) return false;
  const now = Date.now();
  const state = pollState.get(key) ?? { last: 0, interval: pollInterval };
  pollState.set(key, state);
  if (state.last && now - state.last < state.interval * 1000) {
    state.last = now;
    state.interval += slowDownIncrement;
    jsonError(ctx, 400, 'slow_down', `polled too quickly; wait at least ${state.interval} seconds between requests (test server policy)`);
    return true;
  }
  state.last = now;
  return false;
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && FORM_ENDPOINTS.has(ctx.path) && ctx.is('application/x-www-form-urlencoded')) {
    let form;
    try {
      form = await readFormBody(ctx);
    } catch (err) {
      jsonError(ctx, 400, 'invalid_request', `failed to read the request body: ${err.message}`);
      return;
    }
    if (await strictClientAuthCheck(ctx, form)) return;
    if (ctx.path === provider.pathFor('token') && slowDownCheck(ctx, form)) return;
  }

  await next();

  if (ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
  if (pollInterval !== undefined && (
    (deviceEnabled && ctx.path === provider.pathFor('device_authorization'))
    || (cibaEnabled && ctx.path === provider.pathFor('backchannel_authentication'))
  )) {
    ctx.body.interval = pollInterval;
  }
  // TEST CODE for the plain-pkce profile: advertise only `plain` (metadata tests only).
  if (profile === 'plain-pkce' && ctx.path.startsWith('/.well-known/')) {
    ctx.body.code_challenge_methods_supported = ['plain'];
  }
});

// ---------------------------------------------------------------------------------------------
// TEST CODE: RFC 8693 token exchange. oidc-provider has no token exchange; this grant handler
// stands in for a server feature and is NOT oidc-provider behaviour.
//   subject_token       an access token issued by this server: opaque (looked up with
//                       AccessToken.find / ClientCredentials.find) or JWT (signature verified
//                       with the provider key)
//   subject_token_type  must be urn:ietf:params:oauth:token-type:access_token
//   requested_token_type  optional, only ...:access_token
//   audience / resource optional, at most one value in total, a known resource server
//                       (default https://api.example.test)
//   scope               optional, must be scopes of the target resource server; default: the
//                       subject token's scopes that the target knows
//   actor_token         not supported (invalid_request)
// Response: access_token, issued_token_type, token_type, expires_in[, scope].
// ---------------------------------------------------------------------------------------------

function asList(value) {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

async function findSubjectToken(value) {
  if (typeof value !== 'string' || !value) return undefined;
  if (value.split('.').length === 3) {
    try {
      const { payload } = await jose.jwtVerify(value, opPublicKey, {
        issuer, typ: 'at+jwt', algorithms: ['RS256'],
      });
      return {
        sub: payload.sub, clientId: payload.client_id, scope: payload.scope, aud: payload.aud,
      };
    } catch {
      return undefined;
    }
  }
  const at = await provider.AccessToken.find(value);
  if (at && !at.isExpired) {
    return {
      sub: at.accountId, clientId: at.clientId, scope: at.scope, aud: at.aud,
    };
  }
  const cc = await provider.ClientCredentials.find(value);
  if (cc && !cc.isExpired) {
    return {
      sub: cc.clientId, clientId: cc.clientId, scope: cc.scope, aud: cc.aud,
    };
  }
  return undefined;
}

function resolveTarget(values) {
  if (values.length > 1) {
    throw new errors.InvalidTarget('only one audience or resource value is supported by this test server');
  }
  const target = values[0] ?? API;
  const info = RESOURCE_SERVERS[target];
  if (!info) {
    throw new errors.InvalidTarget(`unknown audience/resource ${JSON.stringify(target)}; known: ${Object.keys(RESOURCE_SERVERS).join(', ')}`);
  }
  return { target, info };
}

function resolveScope(requested, info, fallbackScope) {
  const known = new Set(info.scope.split(' '));
  if (requested) {
    const scopes = requested.split(' ').filter(Boolean);
    const unknown = scopes.filter((s) => !known.has(s));
    if (unknown.length) {
      throw new errors.InvalidScope(`scope not available for the requested audience: ${unknown.join(' ')}`, unknown.join(' '));
    }
    return scopes.join(' ') || undefined;
  }
  return (fallbackScope ?? '').split(' ').filter((s) => known.has(s)).join(' ') || undefined;
}

async function issueAccessToken(ctx, {
  sub, gty, scope, target, info,
}) {
  const token = new provider.AccessToken({
    accountId: sub,
    client: ctx.oidc.client,
    gty,
    scope,
    resourceServer: new provider.ResourceServer(target, info),
  });
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  return {
    access_token: value,
    token_type: token.tokenType,
    expires_in: token.expiration,
    ...(token.scope ? { scope: token.scope } : undefined),
  };
}

async function tokenExchangeHandler(ctx) {
  const { params } = ctx.oidc;
  for (const name of ['subject_token', 'subject_token_type']) {
    if (!params[name]) {
      throw new errors.InvalidRequest(`missing required parameter '${name}'`);
    }
  }
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest(`unsupported subject_token_type; this test server accepts only ${ACCESS_TOKEN_TYPE}`);
  }
  if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest(`unsupported requested_token_type; this test server issues only ${ACCESS_TOKEN_TYPE}`);
  }
  if (params.actor_token || params.actor_token_type) {
    throw new errors.InvalidRequest('actor_token is not supported by this test server');
  }
  const subject = await findSubjectToken(params.subject_token);
  if (!subject) {
    throw oauthError(errors.InvalidGrant, 'subject_token is invalid, expired, revoked or was not issued by this server');
  }
  const { target, info } = resolveTarget([...asList(params.audience), ...asList(params.resource)]);
  const scope = resolveScope(params.scope, info, subject.scope);
  const body = await issueAccessToken(ctx, {
    sub: subject.sub, gty: 'token_exchange', scope, target, info,
  });
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { ...body, issued_token_type: ACCESS_TOKEN_TYPE };
}

// ---------------------------------------------------------------------------------------------
// TEST CODE: RFC 7523 §2.1 JWT bearer authorization grant. Not oidc-provider behaviour.
// assertion: a JWT signed (RS256/PS256/ES256) by a trusted issuer's key: this server trusts
// iss "jwt-bearer-client" with the key pair in OIDC_TEST_KEY_DIR/jwt-bearer.key.pem, presented
// by the client jwt-bearer-client or jwt-bearer-pkjwt. Checked: signature, iss, sub (any non-empty value, becomes
// the token's sub), aud (the issuer identifier or the token endpoint URL), exp (required, not
// expired, 15 s leeway), nbf/iat if present, jti replay if present.
// Optional scope (api:read / api:write) and resource (default https://api.example.test).
// ---------------------------------------------------------------------------------------------

async function jwtBearerHandler(ctx) {
  const { params, client } = ctx.oidc;
  if (!params.assertion) {
    throw new errors.InvalidRequest("missing required parameter 'assertion'");
  }
  let claims;
  try {
    claims = jose.decodeJwt(params.assertion);
  } catch {
    throw oauthError(errors.InvalidGrant, 'assertion is not a JWT');
  }
  const trusted = TRUSTED_ASSERTION_ISSUERS.get(claims.iss);
  if (!trusted || !trusted.clientIds.has(client.clientId)) {
    throw oauthError(errors.InvalidGrant, 'assertion iss is not a trusted issuer for this client');
  }
  let payload;
  try {
    ({ payload } = await jose.jwtVerify(params.assertion, trusted.key, {
      algorithms: ['RS256', 'PS256', 'ES256'],
      audience: [issuer, provider.urlFor('token')],
      requiredClaims: ['iss', 'sub', 'aud', 'exp'],
      clockTolerance: 15,
    }));
  } catch (err) {
    throw oauthError(errors.InvalidGrant, `assertion rejected: ${err.message}`);
  }
  if (typeof payload.sub !== 'string' || !payload.sub) {
    throw oauthError(errors.InvalidGrant, 'assertion sub must be a non-empty string');
  }
  if (payload.jti !== undefined) {
    const unique = await provider.ReplayDetection.unique(payload.iss, String(payload.jti), payload.exp + 15);
    if (!unique) {
      throw oauthError(errors.InvalidGrant, 'assertion jti was already used');
    }
  }
  const { target, info } = resolveTarget(asList(params.resource));
  const scope = resolveScope(params.scope, info, undefined);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await issueAccessToken(ctx, {
    sub: payload.sub, gty: 'jwt_bearer', scope, target, info,
  });
}

provider.registerGrantType(
  GRANT.tokenExchange,
  tokenExchangeHandler,
  ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
    'requested_token_type', 'audience', 'resource', 'scope'],
  ['audience', 'resource'],
);
provider.registerGrantType(GRANT.jwtBearer, jwtBearerHandler, ['assertion', 'scope', 'resource'], ['resource']);

// Validate every static client now (oidc-provider does it lazily on first use), so a bad
// registration fails start-up instead of a test.
for (const { client_id: clientId } of clients) {
  await provider.Client.find(clientId);
}

for (const event of ['server_error', 'grant.error', 'authorization.error', 'backchannel.error',
  'introspection.error', 'revocation.error', 'device_authorization.error',
  'backchannel_authentication.error', 'userinfo.error', 'discovery.error']) {
  provider.on(event, (ctx, err) => {
    const e = err ?? ctx;
    log(`${event}: ${e?.error ?? e?.name ?? 'error'}: ${e?.error_description ?? e?.message ?? ''}${e?.error_detail ? ` (${e.error_detail})` : ''}`);
    if (event === 'server_error') log(e?.stack);
  });
}

server.on('request', provider.callback());

// ---------------------------------------------------------------------------------------------
// Ready line and shutdown
// ---------------------------------------------------------------------------------------------

const clientInfo = Object.fromEntries(clients.map((c) => [c.client_id, {
  client_id: c.client_id,
  client_secret: c.client_secret ?? null,
  token_endpoint_auth_method: c.token_endpoint_auth_method,
  grant_types: c.grant_types,
  redirect_uris: c.redirect_uris,
  scope: c.scope ?? null,
  application_type: c.application_type ?? 'web',
}]));

const ready = {
  issuer,
  port,
  pid: process.pid,
  profile,
  oidc_provider_version: JSON.parse(fs.readFileSync(new URL('../node_modules/oidc-provider/package.json', import.meta.url))).version,
  node_version: process.version,
  api_resource: API,
  other_api_resource: OTHER_API,
  redirect_uri: REDIRECT_URI,
  clients: clientInfo,
  keys: {
    'cc-pkjwt': { private_key_pem: pkjwtKey.privatePath, public_key_pem: pkjwtKey.publicPath, kid: pkjwtKey.kid, alg: 'RS256' },
    'jwt-bearer': { private_key_pem: jwtBearerKey.privatePath, public_key_pem: jwtBearerKey.publicPath, kid: jwtBearerKey.kid, alg: 'RS256' },
  },
  jwt_bearer_issuer: 'jwt-bearer-client',
  ciba_hints: { approve: 'alice', deny: 'bob-denies', never: 'carol-slow' },
  ciba_delay_ms: cibaDelayMs,
  poll_interval: pollInterval ?? null,
  strict_client_auth: strictClientAuth,
  startup_ms: Number((process.hrtime.bigint() - started) / 1000000n),
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
log(`listening on ${issuer} (profile ${profile}) after ${ready.startup_ms} ms`);

let closing = false;
function shutdown(signal) {
  if (closing) return;
  closing = true;
  log(`${signal} received, closing`);
  server.close();
  server.closeAllConnections();
  if (ownKeyDir) {
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
// If the parent (pytest) dies without signalling us, stdin closes: exit too (only when stdin
// is a pipe, as the fixture starts it).
if (!process.stdin.isTTY && process.env.OIDC_TEST_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => shutdown('stdin EOF'));
  process.stdin.resume();
}
