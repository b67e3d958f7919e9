// Test-only OpenID provider for the FAPI-style sample (authorization_code_fapi): PAR
// required, PKCE S256 required, private_key_jwt (PS256/ES256) and DPoP-bound access tokens.
// tests/oidc/server.mjs (the shared harness) has no client registered that way, so
// tests/integration/test_samples_e2e.py starts this one beside it. It reuses the harness's
// pinned oidc-provider from tests/node_modules.
//
//   OIDC_FAPI_CLIENT_KEY  path of the client's PUBLIC key (PEM) to register   (required)
//
// Listens on 127.0.0.1, an ephemeral port; prints ONE JSON line on stdout when ready:
// {"issuer", "client_id", "redirect_uri"}. Closes on SIGTERM or when stdin closes.
// NEVER deploy this: its login page accepts anyone.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider from 'oidc-provider'; // tests/node_modules (npm ci --prefix tests)

// stdout carries only the ready line (oidc-provider prints notices with console.info)
console.log = console.error;
console.info = console.error;
const publicKey = crypto.createPublicKey(fs.readFileSync(process.env.OIDC_FAPI_CLIENT_KEY));
const REDIRECT_URI = 'http://127.0.0.1/callback';

const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'fapi-client',
    // native only for port-agnostic loopback redirect URIs (RFC 8252 §7.3) in the test
    application_type: 'native',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'PS256',
    jwks: { keys: [publicKey.export({ format: 'jwk' })] },
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    require_pushed_authorization_requests: true,
    dpop_bound_access_tokens: true,
  }],
  clientAuthMethods: ['private_key_jwt'],
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
    dPoP: { enabled: true },
  },
  findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
for (const event of ['grant.error', 'authorization.error', 'pushed_authorization_request.error']) {
  provider.on(event, (ctx, err) => console.error(`${event}: ${err.error}: ${err.error_description}`));
}
server.on('request', provider.callback());

process.stdout.write(`${JSON.stringify({ issuer, client_id: 'fapi-client', redirect_uri: REDIRECT_URI })}\n`);
const stop = () => { server.close(); server.closeAllConnections(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
