// The managed login used by a person: Debian's Chromium (playwright-core) goes to a
// pool's /oauth2/authorize on the path prefix of its domain and fills in the pages'
// forms (signing in, changing a temporary password, codes sent by SMS, setting up and
// using an authenticator app, signing up and confirming, resetting a forgotten
// password), until the pages send it back to an app of the test's own with a code;
// the code is exchanged at the token endpoint with PKCE and the ID token verified with
// aws-jwt-verify. Codes come from the test API, where Cognito would have sent them.
//
// With COGNITO_SCREENSHOTS=1, each page is saved under docs/images/managed-login/.
//
// One browser serves the file; each test has a context (cookies) and pools of its own.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  SetUICustomizationCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { NEW_PASSWORD, PASSWORD, makeConfirmedUser } from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient } from "../lib/cognito.js";
import {
  authorizeUrl,
  choosePassword,
  enterCode,
  errorShown,
  exchangeCode,
  heading,
  heldCode,
  launchChromium,
  makeLoginPool,
  newPage,
  otherCode,
  pkce,
  random,
  screenshot,
  sentCode,
  signIn,
  startApp,
  submit,
  verifyIdToken,
} from "../lib/login.js";
import { PHONE, WITH_PHONE, makeMfaPool } from "../lib/mfa.js";
import { Authenticator } from "../lib/totp.js";

const TEMPORARY_PASSWORD = "Temp0rary-Pass!";

describe("managed login in Chromium", () => {
  const admin = makeClient();
  const pools = [];
  let browser;
  let app;

  before(async () => {
    browser = await launchChromium();
    app = await startApp();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    for (const poolId of pools) {
      await deletePoolQuietly(admin, poolId);
    }
    admin.destroy();
  });

  /** A pool with a login (see makeLoginPool), deleted after the file's tests. */
  async function loginPool(options) {
    const login = await makeLoginPool(admin, app, options);
    pools.push(login.poolId);
    return login;
  }

  /**
   * Starts an authorization request with PKCE, state and nonce; answers what the app
   * needs to finish it.
   */
  async function authorize(page, login, params = {}) {
    const { verifier, challenge } = pkce();
    const state = random();
    const nonce = random();
    await page.goto(
      authorizeUrl(endpoint, login, app, {
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: "S256",
        ...params,
      }),
    );
    return { verifier, state, nonce };
  }

  /**
   * The browser is back at the app with a code for `request`: the code is exchanged and
   * the ID token verified. Answers its claims.
   */
  async function finish(page, login, request) {
    assert.equal(new URL(page.url()).pathname, "/callback", `the browser is at ${page.url()}`);
    const back = app.last();
    assert.equal(back.state, request.state);
    assert.ok(back.code, JSON.stringify(back));
    const tokens = await exchangeCode(endpoint, login, app, back.code, request.verifier);
    assert.equal(tokens.token_type, "Bearer");
    const claims = await verifyIdToken(endpoint, login.poolId, login.clientId, tokens.id_token);
    assert.equal(claims.nonce, request.nonce);
    return claims;
  }

  /** Where the browser went for its last navigations, as paths. */
  function pathsVisited(page, from) {
    return page.visited.slice(from).map((url) => new URL(url).pathname);
  }

  it("signs in with a password, keeps the session, asks again for prompt=login, signs out", async () => {
    const login = await loginPool();
    await makeConfirmedUser(admin, login.poolId, "alice", {
      email: "alice@example.com",
      email_verified: "true",
    });
    const page = await newPage(browser);

    const first = await authorize(page, login);
    assert.equal(new URL(page.url()).pathname, `/${login.domain}/login`);
    assert.equal(await heading(page), "Sign in");
    await screenshot(page, "sign-in");
    await signIn(page, "alice", PASSWORD);
    const claims = await finish(page, login, first);
    assert.equal(claims["cognito:username"], "alice");
    assert.equal(claims.email, "alice@example.com");

    // The session cookie answers the next request at once: no sign-in page.
    const seen = page.visited.length;
    const second = await authorize(page, login);
    assert.ok(!pathsVisited(page, seen).includes(`/${login.domain}/login`), page.visited.join("\n"));
    assert.equal((await finish(page, login, second)).sub, claims.sub);

    // prompt=login shows the page again.
    await authorize(page, login, { prompt: "login" });
    assert.equal(new URL(page.url()).pathname, `/${login.domain}/login`);

    // Signing out ends the session and goes to the client's sign-out URL.
    const logout = new URLSearchParams({ client_id: login.clientId, logout_uri: app.signedOut });
    await page.goto(`${endpoint}/${login.domain}/logout?${logout}`);
    assert.equal(page.url(), app.signedOut);
    const silent = await authorize(page, login, { prompt: "none" });
    assert.equal(new URL(page.url()).pathname, "/callback");
    assert.deepEqual(
      { error: app.last().error, state: app.last().state },
      { error: "login_required", state: silent.state },
    );
    assert.equal(app.last().code, undefined);
  });
});
