// OpenID Connect relying parties against the managed login over HTTPS: a server of
// this file's own with `--tls` (a certificate signed by a local CA in a temporary
// `--tls-dir`), which openid-client v6 reaches through a fetch trusting that CA and
// Chromium through `--ignore-certificate-errors-spki-list` naming the CA's key.
//
// First openid-client as an app's own code uses it: discovery() from the pool's
// issuer, buildAuthorizationUrl() with PKCE, state and nonce, the sign-in page filled
// in by Chromium, authorizationCodeGrant(), refreshTokenGrant(), fetchUserInfo(),
// tokenRevocation() and buildEndSessionUrl() (Cognito's /logout takes `client_id`
// and `logout_uri`). Then a server-side app that signs its users in as Auth.js's
// Cognito provider does (lib/oidc-app.js), with a confidential client.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import * as oidc from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { SimpleFetcher } from "aws-jwt-verify/https";

import { PASSWORD, makeConfirmedUser } from "../lib/accounts.js";
import {
  fetchTrusting,
  follow,
  heading,
  launchChromium,
  makeLoginPool,
  newPage,
  signIn,
  startApp,
  trustingFlag,
} from "../lib/login.js";
import { startOidcApp } from "../lib/oidc-app.js";
import { startCognitoServer } from "../lib/triggers.js";

describe("openid-client and the managed login over HTTPS", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cognito-oidc-"));
  let server;
  let https;
  let ca;
  let trusted;
  let browser;
  let app;

  before(async () => {
    server = await startCognitoServer(["--tls", "--tls-dir", dir]);
    https = server.endpoint.replace(/^http:/, "https:");
    ca = readFileSync(path.join(dir, "ca.pem"));
    trusted = fetchTrusting(ca);
    browser = await launchChromium([trustingFlag(ca)]);
    app = await startApp();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    server?.client.destroy();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A pool with a login (see makeLoginPool) and a user, and the pool's issuer. */
  async function loginPool(to, options) {
    const login = await makeLoginPool(server.client, to, options);
    await makeConfirmedUser(server.client, login.poolId, "alice", {
      email: "alice@example.com",
      email_verified: "true",
      given_name: "Alice",
    });
    return { ...login, issuer: `${https}/${login.poolId}` };
  }

  /** openid-client's configuration of public client `clientId`, found from `issuer`. */
  async function discover(issuer, clientId) {
    const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
      [oidc.customFetch]: trusted,
    });
    config[oidc.customFetch] = trusted;
    return config;
  }

  it("discovers the pool's HTTPS endpoints from its issuer", async () => {
    const login = await loginPool(app);
    const metadata = (await discover(login.issuer, login.clientId)).serverMetadata();
    assert.equal(metadata.issuer, login.issuer);
    const at = (page) => `${https}/${login.domain}${page}`;
    assert.equal(metadata.authorization_endpoint, at("/oauth2/authorize"));
    assert.equal(metadata.token_endpoint, at("/oauth2/token"));
    assert.equal(metadata.userinfo_endpoint, at("/oauth2/userInfo"));
    assert.equal(metadata.revocation_endpoint, at("/oauth2/revoke"));
    assert.equal(metadata.end_session_endpoint, at("/logout"));
    assert.equal(metadata.jwks_uri, `${login.issuer}/.well-known/jwks.json`);
    assert.ok(metadata.code_challenge_methods_supported.includes("S256"));
    // Without the CA, the certificate is refused.
    await assert.rejects(
      oidc.discovery(new URL(login.issuer), login.clientId),
      (err) => /self.signed|certificate/i.test(`${err.cause?.code} ${err.cause?.message}`),
    );
  });

  it("signs in through the page, refreshes, reads userInfo, revokes, signs out", async () => {
    const login = await loginPool(app);
    const config = await discover(login.issuer, login.clientId);
    const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorize = oidc.buildAuthorizationUrl(config, {
      redirect_uri: app.callback,
      scope: "openid email profile",
      code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    const page = await newPage(browser);
    await page.goto(authorize.href);
    assert.equal(new URL(page.url()).origin, https);
    assert.equal(await heading(page), "Sign in");
    await signIn(page, "alice", PASSWORD);
    assert.equal(new URL(page.url()).pathname, "/callback");

    // The pages' cookies over HTTPS are Secure, and for the domain's pages only.
    const cookies = await page.context().cookies(`${https}/${login.domain}/login`);
    const session = cookies.find((c) => c.name === "cognito");
    assert.equal(session?.path, `/${login.domain}`);
    assert.deepEqual(
      { secure: session?.secure, httpOnly: session?.httpOnly, sameSite: session?.sameSite },
      { secure: true, httpOnly: true, sameSite: "Lax" },
    );

    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.iss, login.issuer);
    assert.equal(claims["cognito:username"], "alice");
    assert.equal(claims.email, "alice@example.com");
    const access = await JwtRsaVerifier.create(
      {
        issuer: login.issuer,
        audience: null,
        jwksUri: config.serverMetadata().jwks_uri,
        customJwtCheck: ({ payload }) => assert.equal(payload.client_id, login.clientId),
      },
      {
        jwksCache: new SimpleJwksCache({
          fetcher: new SimpleFetcher({ defaultRequestOptions: { ca } }),
        }),
      },
    ).verify(tokens.access_token);
    assert.equal(access.scope, "openid email profile");

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    const info = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
    assert.deepEqual(
      { email: info.email, given_name: info.given_name, username: info.username },
      { email: "alice@example.com", given_name: "Alice", username: "alice" },
    );
    await oidc.tokenRevocation(config, tokens.refresh_token);
    await assert.rejects(
      oidc.refreshTokenGrant(config, tokens.refresh_token),
      (err) => err.error === "invalid_grant",
    );

    // The end-session URL, with what Cognito's /logout needs.
    const logout = oidc.buildEndSessionUrl(config, {
      client_id: login.clientId,
      logout_uri: app.signedOut,
    });
    assert.equal(`${logout.origin}${logout.pathname}`, `${https}/${login.domain}/logout`);
    await page.goto(logout.href);
    assert.equal(page.url(), app.signedOut);
    // The browser's session is over: a silent request is refused.
    const again = oidc.buildAuthorizationUrl(config, {
      redirect_uri: app.callback,
      scope: "openid",
      prompt: "none",
      state,
    });
    await page.goto(again.href);
    assert.equal(new URL(page.url()).pathname, "/callback");
    assert.equal(app.last().error, "login_required");
    await page.context().close();
  });

  it("signs a person into a server-side app as Auth.js's Cognito provider does", async () => {
    let login;
    const site = await startOidcApp({
      fetch: trusted,
      register: async ({ callback, home }) => {
        login = await loginPool(
          { callback, signedOut: home },
          { client: { GenerateSecret: true } },
        );
        return { issuer: login.issuer, clientId: login.clientId, clientSecret: login.clientSecret };
      },
    });
    try {
      const page = await newPage(browser);
      await page.goto(site.home);
      assert.equal(await heading(page), "Not signed in");
      await follow(page, page.getByText("Sign in with Cognito"));
      assert.equal(new URL(page.url()).pathname, `/${login.domain}/login`);
      await signIn(page, "alice", PASSWORD);
      assert.equal(page.url(), site.home);
      assert.equal(await heading(page), "Signed in as alice@example.com");
      const [claims] = [...site.sessions.values()];
      assert.equal(claims.aud, login.clientId);
      assert.equal(claims.iss, login.issuer);

      // Signing out of the app signs out of Cognito too: the next sign-in shows the page.
      await follow(page, page.getByText("Sign out"));
      assert.equal(page.url(), site.home);
      assert.equal(await heading(page), "Not signed in");
      assert.equal(site.sessions.size, 0);
      await follow(page, page.getByText("Sign in with Cognito"));
      assert.equal(await heading(page), "Sign in");
      await page.context().close();
    } finally {
      await site.close();
    }
  });
});
