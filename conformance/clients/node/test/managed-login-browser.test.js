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
  AdminSetUserMFAPreferenceCommand,
  SetUICustomizationCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { NEW_PASSWORD, PASSWORD, makeConfirmedUser, makeSignInClient } from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient } from "../lib/cognito.js";
import {
  authorizeUrl,
  choosePassword,
  enterCode,
  errorShown,
  exchangeCode,
  follow,
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
import { PHONE, WITH_PHONE, enrolAuthenticator, makeMfaPool } from "../lib/mfa.js";
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

  it("signs in with a password, keeps the session, honours prompt, signs out", async () => {
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
    const visited = pathsVisited(page, seen);
    assert.ok(!visited.includes(`/${login.domain}/login`), visited.join("\n"));
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

    // Signing out with an authorization request instead of logout_uri shows the page again.
    const relogin = new URLSearchParams({
      client_id: login.clientId,
      redirect_uri: app.callback,
      response_type: "code",
      scope: "openid",
    });
    await page.goto(`${endpoint}/${login.domain}/logout?${relogin}`);
    assert.equal(new URL(page.url()).pathname, `/${login.domain}/login`);
    assert.equal(await heading(page), "Sign in");
  });

  it("answers the implicit grant with tokens in the fragment", async () => {
    const login = await loginPool({
      client: { AllowedOAuthFlows: ["implicit"], AllowedOAuthScopes: ["openid", "email"] },
    });
    await makeConfirmedUser(admin, login.poolId, "ivy");
    const page = await newPage(browser);
    const state = random();
    const nonce = random();
    await page.goto(
      authorizeUrl(endpoint, login, app, { response_type: "token", scope: "openid", state, nonce }),
    );
    await signIn(page, "ivy", PASSWORD);
    const back = new URL(page.url());
    assert.equal(back.pathname, "/callback");
    assert.equal(back.search, "", "nothing in the query");
    const fragment = Object.fromEntries(new URLSearchParams(back.hash.slice(1)));
    assert.deepEqual(
      { token_type: fragment.token_type, expires_in: fragment.expires_in, state: fragment.state },
      { token_type: "Bearer", expires_in: "3600", state },
    );
    assert.ok(fragment.access_token);
    const claims = await verifyIdToken(endpoint, login.poolId, login.clientId, fragment.id_token);
    assert.equal(claims["cognito:username"], "ivy");
    assert.equal(claims.nonce, nonce);
  });

  it("shows a person's errors: wrong password, unknown user, bad redirect URI", async () => {
    const login = await loginPool();
    await makeConfirmedUser(admin, login.poolId, "bruno");
    const page = await newPage(browser);

    await authorize(page, login);
    await signIn(page, "bruno", "Wr0ng-Password!");
    assert.equal(await heading(page), "Sign in");
    assert.equal(await errorShown(page), "Incorrect username or password.");
    assert.equal(await page.getByLabel("Username").inputValue(), "bruno");
    await screenshot(page, "error-wrong-password");
    // Someone who has no account hears the same.
    await signIn(page, "nobody", PASSWORD);
    assert.equal(await errorShown(page), "Incorrect username or password.");
    // The right password still works after both.
    const request = await authorize(page, login);
    await signIn(page, "bruno", PASSWORD);
    assert.equal((await finish(page, login, request))["cognito:username"], "bruno");

    // A redirect URI that is not the client's is shown, never followed.
    const calls = app.calls.length;
    const refused = await page.goto(
      authorizeUrl(endpoint, login, { callback: "https://evil.example/callback" }),
    );
    assert.equal(refused.status(), 400);
    assert.equal(await heading(page), "Something went wrong");
    assert.match(await errorShown(page), /redirect/i);
    assert.equal(app.calls.length, calls);
  });

  it("has an admin-created user choose a new password", async () => {
    const login = await loginPool();
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: login.poolId,
        Username: "carla",
        TemporaryPassword: TEMPORARY_PASSWORD,
        MessageAction: "SUPPRESS",
      }),
    );
    const page = await newPage(browser);

    const request = await authorize(page, login);
    await signIn(page, "carla", TEMPORARY_PASSWORD);
    assert.equal(await heading(page), "Change your password");
    await choosePassword(page, NEW_PASSWORD, `${NEW_PASSWORD}x`);
    await submit(page, "Change password");
    assert.equal(await errorShown(page), "The passwords do not match.");
    await choosePassword(page, NEW_PASSWORD);
    await screenshot(page, "new-password");
    await submit(page, "Change password");
    assert.equal((await finish(page, login, request))["cognito:username"], "carla");

    const user = await admin.send(
      new AdminGetUserCommand({ UserPoolId: login.poolId, Username: "carla" }),
    );
    assert.equal(user.UserStatus, "CONFIRMED");
    // The new password is the one from now on.
    const again = await authorize(page, login, { prompt: "login" });
    await signIn(page, "carla", NEW_PASSWORD);
    await finish(page, login, again);
  });

  it(
    "lets a person whose new password the policy refuses try another on the same page",
    async () => {
      const login = await loginPool();
      await admin.send(
        new AdminCreateUserCommand({
          UserPoolId: login.poolId,
          Username: "cyrus",
          TemporaryPassword: TEMPORARY_PASSWORD,
          MessageAction: "SUPPRESS",
        }),
      );
      const page = await newPage(browser);
      const request = await authorize(page, login);
      await signIn(page, "cyrus", TEMPORARY_PASSWORD);
      await choosePassword(page, "short");
      await submit(page, "Change password");
      assert.equal(await heading(page), "Change your password");
      assert.match(await errorShown(page), /Password not long enough/);
      await choosePassword(page, NEW_PASSWORD);
      await submit(page, "Change password");
      assert.equal(await errorShown(page), null);
      await finish(page, login, request);
    },
  );

  it("sets up an authenticator app when MFA is required, then asks for its code", async () => {
    const poolId = await makeMfaPool(admin, "ON", { totp: true });
    pools.push(poolId);
    const login = await loginPool({ poolId });
    await makeConfirmedUser(admin, poolId, "dana");

    const setUp = await newPage(browser);
    const first = await authorize(setUp, login);
    await signIn(setUp, "dana", PASSWORD);
    assert.equal(await heading(setUp), "Set up your authenticator app");
    const qr = setUp.getByRole("img", { name: "QR code of the key" });
    assert.ok(await qr.isVisible());
    assert.ok((await qr.locator("svg").boundingBox()).width >= 150);
    const key = (await setUp.locator("code").textContent()).trim();
    assert.match(key, /^[A-Z2-7]{32,}$/);
    await screenshot(setUp, "mfa-setup");
    const authenticator = new Authenticator(key);
    await enterCode(setUp, await authenticator.wrongCode(), "Verify");
    assert.equal(await heading(setUp), "Set up your authenticator app");
    assert.equal(await errorShown(setUp), "The code is not right. Try again.");
    await enterCode(setUp, await authenticator.code(), "Verify");
    assert.equal((await finish(setUp, login, first))["cognito:username"], "dana");

    // Another browser: the password, then the app's code.
    const page = await newPage(browser);
    const second = await authorize(page, login);
    await signIn(page, "dana", PASSWORD);
    assert.equal(await heading(page), "Enter your code");
    await screenshot(page, "mfa-code");
    await enterCode(page, await authenticator.wrongCode(), "Sign in");
    assert.equal(await errorShown(page), "The code is not right. Try again.");
    await screenshot(page, "error-wrong-code");
    await enterCode(page, await authenticator.code(), "Sign in");
    const claims = await finish(page, login, second);
    assert.equal(claims["cognito:username"], "dana");
  });

  it("asks for the code a pool with SMS MFA texted", async () => {
    const poolId = await makeMfaPool(admin, "ON", { sms: true, totp: false });
    pools.push(poolId);
    const login = await loginPool({ poolId });
    await makeConfirmedUser(admin, poolId, "emil", WITH_PHONE);
    const page = await newPage(browser);

    const request = await authorize(page, login);
    await signIn(page, "emil", PASSWORD);
    assert.equal(await heading(page), "Enter your code");
    assert.match(await page.locator(".textDescription-customizable").textContent(), /0100/);
    const code = await sentCode(endpoint, poolId, "emil", "mfa_code");
    await enterCode(page, otherCode(code), "Sign in");
    assert.equal(await errorShown(page), "The code is not right. Try again.");
    await enterCode(page, code, "Sign in");
    const claims = await finish(page, login, request);
    assert.equal(claims.phone_number, PHONE);
  });

  it("lets a person with two factors choose one", async () => {
    const poolId = await makeMfaPool(admin, "OPTIONAL", { sms: true, totp: true });
    pools.push(poolId);
    const login = await loginPool({ poolId });
    await makeConfirmedUser(admin, poolId, "hana", WITH_PHONE);
    const apiClient = await makeSignInClient(admin, poolId, ["ALLOW_USER_PASSWORD_AUTH"]);
    await enrolAuthenticator(admin, apiClient, "hana");
    await admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: "hana",
        SMSMfaSettings: { Enabled: true, PreferredMfa: false },
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
      }),
    );
    const page = await newPage(browser);

    const request = await authorize(page, login);
    await signIn(page, "hana", PASSWORD);
    assert.equal(await heading(page), "Choose how to verify");
    const choices = await page.getByRole("button").allTextContents();
    assert.deepEqual(choices.sort(), ["Authenticator app", "Text message"]);
    await screenshot(page, "mfa-choose");
    await submit(page, "Text message");
    assert.equal(await heading(page), "Enter your code");
    await enterCode(page, await sentCode(endpoint, poolId, "hana", "mfa_code"), "Sign in");
    assert.equal((await finish(page, login, request))["cognito:username"], "hana");
  });

  it("signs up with the required attributes, confirms the code, is signed in", async () => {
    const login = await loginPool({
      pool: {
        AutoVerifiedAttributes: ["email"],
        Schema: [
          { Name: "email", AttributeDataType: "String", Required: true, Mutable: true },
          { Name: "given_name", AttributeDataType: "String", Required: true, Mutable: true },
        ],
      },
    });
    const page = await newPage(browser);

    const request = await authorize(page, login);
    await follow(page, page.getByText("Need an account? Sign up"));
    assert.equal(await heading(page), "Sign up");
    await page.getByLabel("Username").fill("fern");
    await page.getByLabel("Email").fill("fern@example.com");
    await page.getByLabel("Given name").fill("Fern");
    await choosePassword(page, PASSWORD);
    await screenshot(page, "sign-up");
    await submit(page, "Sign up");
    assert.equal(await heading(page), "Confirm your account");
    assert.match(await page.locator(".textDescription-customizable").textContent(), /f\*+@e\*+/);
    await screenshot(page, "confirm-sign-up");

    const code = await heldCode(endpoint, login.poolId, "fern", "sign_up");
    await enterCode(page, otherCode(code), "Confirm account");
    assert.equal(await heading(page), "Confirm your account");
    assert.match(await errorShown(page), /Invalid verification code provided/);
    await enterCode(page, code, "Confirm account");
    const claims = await finish(page, login, request);
    assert.equal(claims["cognito:username"], "fern");
    assert.equal(claims.given_name, "Fern");
    assert.equal(claims.email, "fern@example.com");
    assert.equal(claims.email_verified, true);
  });

  it("resets a forgotten password with the code sent, then signs in with the new one", async () => {
    const login = await loginPool();
    await makeConfirmedUser(admin, login.poolId, "gus", {
      email: "gus@example.com",
      email_verified: "true",
    });
    const page = await newPage(browser);

    const request = await authorize(page, login);
    await follow(page, page.getByText("Forgot your password?"));
    assert.equal(await heading(page), "Forgot your password?");
    await page.getByLabel("Username").fill("gus");
    await screenshot(page, "forgot-password");
    await submit(page, "Reset my password");
    assert.equal(await heading(page), "Reset your password");

    const code = await heldCode(endpoint, login.poolId, "gus", "forgot_password");
    await page.getByLabel("Code").fill(otherCode(code));
    await choosePassword(page, NEW_PASSWORD);
    await submit(page, "Change password");
    assert.match(await errorShown(page), /Invalid verification code provided/);
    await page.getByLabel("Code").fill(code);
    await choosePassword(page, NEW_PASSWORD);
    await screenshot(page, "reset-password");
    await submit(page, "Change password");
    assert.equal(await heading(page), "Sign in");
    assert.match(await page.getByRole("status").textContent(), /password was changed/);

    await signIn(page, "gus", PASSWORD);
    assert.equal(await errorShown(page), "Incorrect username or password.");
    await signIn(page, "gus", NEW_PASSWORD);
    assert.equal((await finish(page, login, request))["cognito:username"], "gus");
  });

  it("draws the pool's branding: the CSS and logo of SetUICustomization", async () => {
    const login = await loginPool();
    const logo = await drawLogo();
    await admin.send(
      new SetUICustomizationCommand({
        UserPoolId: login.poolId,
        ClientId: login.clientId,
        CSS: [
          ".banner-customizable { background-color: #232f3e; padding: 16px; border-radius: 6px; }",
          ".submitButton-customizable { background-color: #1d8102; }",
          ".label-customizable { color: #232f3e; }",
        ].join("\n"),
        ImageFile: logo,
      }),
    );
    const page = await newPage(browser);

    await authorize(page, login);
    const image = page.locator("img.logo-customizable");
    assert.ok(await image.isVisible());
    assert.ok((await image.getAttribute("src")).startsWith("data:image/png;base64,"));
    assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0));
    const button = page.getByRole("button", { name: "Sign in" });
    const background = (element) => element.evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(await background(button), "rgb(29, 129, 2)");
    const banner = page.locator(".banner-customizable");
    assert.equal(await background(banner), "rgb(35, 47, 62)");
    await screenshot(page, "branded-sign-in");
  });

  /** A small PNG logo, drawn by the browser. */
  async function drawLogo() {
    const page = await newPage(browser);
    await page.setContent(
      `<div id="logo" style="display:inline-block;padding:6px 14px;background:#ff9900;color:#232f3e;
        font:700 22px system-ui,sans-serif;border-radius:6px">Example&nbsp;App</div>`,
    );
    const png = await page.locator("#logo").screenshot();
    await page.context().close();
    return png;
  }
});
