// A passkey on the managed login: Chromium (Debian's, driven by playwright-core) with a
// virtual platform authenticator registers a passkey for a user through the API from a
// page of the pool's domain, then signs in on the login page with "Sign in with a
// passkey": the page's own script asks the browser for the assertion, and the browser
// comes back to the app with a code whose ID token says a passkey was used (`hwk`).
//
// WebAuthn wants a secure context: the pages are reached at http://localhost, and the
// pool's relying party is `localhost`.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  CompleteWebAuthnRegistrationCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD, makeConfirmedUser } from "../lib/accounts.js";
import { PLATFORM } from "../lib/browser.js";
import { deletePoolQuietly, endpoint, makeClient } from "../lib/cognito.js";
import {
  authorizeUrl,
  exchangeCode,
  heading,
  launchChromium,
  makeLoginPool,
  newPage,
  pkce,
  random,
  screenshot,
  startApp,
  submit,
  verifyIdToken,
} from "../lib/login.js";

/** The server's address with `localhost` for its host: a secure context for WebAuthn. */
const LOCAL = endpoint.replace("://127.0.0.1", "://localhost");

describe("passkeys on the managed login", () => {
  const admin = makeClient();
  let browser;
  let app;
  let poolId;

  before(async () => {
    browser = await launchChromium();
    app = await startApp();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (poolId) {
      await deletePoolQuietly(admin, poolId);
    }
    admin.destroy();
  });

  it("registers a passkey, then signs in with it on the login page", async () => {
    const login = await makeLoginPool(admin, app, {
      client: { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] },
    });
    poolId = login.poolId;
    await admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "WEB_AUTHN"] } },
      }),
    );
    await admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: "required" },
      }),
    );
    await makeConfirmedUser(admin, poolId, "petra");

    const page = await newPage(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", { options: PLATFORM });

    // Registration, from a page of the pool's domain (the origin the passkey is for).
    const signedIn = await admin.send(
      new InitiateAuthCommand({
        ClientId: login.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "petra", PASSWORD },
      }),
    );
    const AccessToken = signedIn.AuthenticationResult.AccessToken;
    const started = await admin.send(new StartWebAuthnRegistrationCommand({ AccessToken }));
    const { verifier, challenge } = pkce();
    const state = random();
    const url = authorizeUrl(LOCAL, login, app, {
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    await page.goto(url);
    assert.equal(await heading(page), "Sign in");
    const credential = await page.evaluate(async (options) => {
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
      const made = await navigator.credentials.create({ publicKey });
      return made.toJSON();
    }, started.CredentialCreationOptions);
    await admin.send(
      new CompleteWebAuthnRegistrationCommand({ AccessToken, Credential: credential }),
    );

    // Sign-in: the username, then the browser's passkey.
    await page.locator('form[action*="/passkey"] input[name="username"]').fill("petra");
    await submit(page, "Sign in with a passkey");
    assert.equal(await heading(page), "Sign in with a passkey");
    await screenshot(page, "passkey");
    await submit(page, "Use my passkey");
    await page.waitForURL((u) => u.pathname === "/callback");

    const back = app.last();
    assert.equal(back.state, state);
    const tokens = await exchangeCode(endpoint, login, app, back.code, verifier);
    const claims = await verifyIdToken(endpoint, poolId, login.clientId, tokens.id_token);
    assert.equal(claims["cognito:username"], "petra");
    assert.ok(claims.amr.includes("hwk"), JSON.stringify(claims.amr));
  });
});
