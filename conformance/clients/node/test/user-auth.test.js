// Choice-based sign-in (USER_AUTH) with Amplify JS v6 (aws-amplify), pointed at
// the emulator with `userPoolEndpoint`: a one-time code by email as the
// preferred first factor, the first-factor selection (the password by SRP or
// in the clear, or an email code), a password given as the preferred
// challenge, a user who signed up without a password, and passkeys.
//
// Amplify lists and deletes passkeys in Node as it does in a browser, but
// registering one (associateWebAuthnCredential) and signing in with one call
// navigator.credentials, which Node lacks: there Amplify stops with
// PasskeyNotSupported. With lib/passkeys.js's withBrowserWebAuthn, Amplify's
// own code runs in Node while its navigator.credentials calls run in Chromium
// with a virtual authenticator (lib/browser.js).
//
// Amplify keeps one signed-in user per process, so the tests run one after
// another and each signs out before the next; node --test gives this file a
// process of its own. In Node, the tokens live in Amplify's in-memory storage.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";

import {
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListWebAuthnCredentialsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { Amplify } from "aws-amplify";
import {
  associateWebAuthnCredential,
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  deleteWebAuthnCredential,
  fetchAuthSession,
  getCurrentUser,
  listWebAuthnCredentials,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { ConsoleLogger, sharedInMemoryStorage } from "aws-amplify/utils";

import { PASSWORD, lastCode, makeConfirmedUser, makeSignInClient } from "../lib/accounts.js";
import { openBrowser } from "../lib/browser.js";
import { deletePoolQuietly, endpoint, makeClient, uniqueName } from "../lib/cognito.js";
import {
  PASSKEY_PAGE,
  makePasskeyPool,
  registerPasskey,
  tokenVerifiers,
  withBrowserWebAuthn,
} from "../lib/passkeys.js";

// Amplify warns at every call that the endpoint is not AWS's; that is the point.
ConsoleLogger.LOG_LEVEL = "ERROR";

// ALLOW_USER_AUTH alone covers every first factor: password, SRP, codes, passkeys.
const FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
const MASKED_EMAIL = /^[^*@]\*\*\*@[^*@]\*\*\*$/;
const DONE = { isSignedIn: true, nextStep: { signInStep: "DONE" } };

/**
 * Runs `run` with timers of a minute or more unreferenced: Amplify's sign-up with
 * autoSignIn arms a three-minute timer it never clears, which would keep this
 * process alive after its tests.
 */
async function withLongTimersUnref(run) {
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (callback, ms, ...args) => {
    const timer = original(callback, ms, ...args);
    if (ms >= 60_000) {
      timer.unref();
    }
    return timer;
  };
  try {
    return await run();
  } finally {
    globalThis.setTimeout = original;
  }
}

async function rejectsNamed(promise, name) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    return true;
  });
}

describe("Amplify JS v6 choice-based sign-in (USER_AUTH)", () => {
  const admin = makeClient();
  // First factors PASSWORD and EMAIL_OTP, MFA off, email addresses verified at sign-up.
  const otp = {};
  // First factors PASSWORD and WEB_AUTHN, relying party localhost.
  const passkeys = {};
  let browser;

  async function setUp(app, poolId) {
    app.poolId = poolId;
    app.clientId = await makeSignInClient(admin, poolId, FLOWS);
    app.verify = await tokenVerifiers(poolId, app.clientId);
  }

  /** Points Amplify at the pool and app client of `app`. */
  function configure(app) {
    Amplify.configure({
      Auth: {
        Cognito: {
          userPoolId: app.poolId,
          userPoolClientId: app.clientId,
          userPoolEndpoint: endpoint,
        },
      },
    });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
  }

  /**
   * Checks that `username` is signed in through `app` by USER_AUTH, with
   * verified tokens; answers the sorted methods (`amr`) of the sign-in.
   */
  async function assertSignedIn(app, username) {
    const { tokens } = await fetchAuthSession();
    const access = await app.verify.access.verify(tokens.accessToken.toString());
    assert.equal(access.username, username);
    const id = await app.verify.id.verify(tokens.idToken.toString());
    assert.equal(id["cognito:username"], username);
    const current = await getCurrentUser();
    assert.equal(current.username, username);
    assert.equal(current.userId, access.sub);
    assert.equal(current.signInDetails.authFlowType, "USER_AUTH");
    return [...id.amr].sort();
  }

  /** A confirmed user with a password and a verified email address. */
  async function makeUser(app, username) {
    await makeConfirmedUser(admin, app.poolId, username, {
      email: `${username}@example.com`,
      email_verified: "true",
    });
  }

  /** The newest sign-in code emailed to `username`. */
  async function signInCode(app, username) {
    const code = await lastCode(app.poolId, username, "sign_in_code");
    assert.match(code, /^\d{8}$/);
    return code;
  }

  before(async () => {
    const created = await admin.send(
      new CreateUserPoolCommand({
        PoolName: uniqueName("user-auth"),
        AutoVerifiedAttributes: ["email"],
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } },
      }),
    );
    await setUp(otp, created.UserPool.Id);
    const described = await admin.send(new DescribeUserPoolCommand({ UserPoolId: otp.poolId }));
    assert.equal(described.UserPool.MfaConfiguration, "OFF");
    assert.equal(described.UserPool.UserPoolTier, "ESSENTIALS");
    await setUp(passkeys, await makePasskeyPool(admin));
  });

  afterEach(async () => {
    await signOut();
  });

  after(async () => {
    await browser?.close();
    await deletePoolQuietly(admin, otp.poolId);
    await deletePoolQuietly(admin, passkeys.poolId);
    admin.destroy();
  });

  it("signs in with an email code as the preferred challenge", async () => {
    configure(otp);
    await makeUser(otp, "ivy");
    const step = await signIn({
      username: "ivy",
      options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" },
    });
    assert.equal(step.isSignedIn, false);
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    assert.equal(step.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
    assert.match(step.nextStep.codeDeliveryDetails.destination, MASKED_EMAIL);
    const code = await signInCode(otp, "ivy");

    const wrong = String((Number(code) + 1) % 100_000_000).padStart(8, "0");
    await rejectsNamed(confirmSignIn({ challengeResponse: wrong }), "CodeMismatchException");
    // The sign-in goes on: the right code finishes it.
    assert.deepEqual(await confirmSignIn({ challengeResponse: code }), DONE);
    assert.deepEqual(await assertSignedIn(otp, "ivy"), ["otp"]);
  });

  it("offers the first factors without a preference, and continues with the password by SRP", async () => {
    configure(otp);
    await makeUser(otp, "jay");
    // Without a preferred challenge, Amplify sends no password: Cognito offers the factors.
    let step = await signIn({
      username: "jay",
      password: PASSWORD,
      options: { authFlowType: "USER_AUTH" },
    });
    assert.equal(step.isSignedIn, false);
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
    assert.deepEqual([...step.nextStep.availableChallenges].sort(), [
      "EMAIL_OTP",
      "PASSWORD",
      "PASSWORD_SRP",
    ]);
    // Amplify asks for the password once the factor is chosen.
    step = await confirmSignIn({ challengeResponse: "PASSWORD_SRP" });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_PASSWORD");
    assert.deepEqual(await confirmSignIn({ challengeResponse: PASSWORD }), DONE);
    assert.deepEqual(await assertSignedIn(otp, "jay"), ["pwd"]);
  });

  it("continues with the password in the clear, or an email code, chosen from the selection", async () => {
    configure(otp);
    await makeUser(otp, "kim");
    let step = await signIn({ username: "kim", options: { authFlowType: "USER_AUTH" } });
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
    step = await confirmSignIn({ challengeResponse: "PASSWORD" });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_PASSWORD");
    await rejectsNamed(confirmSignIn({ challengeResponse: "Wr0ng-Password!" }), "NotAuthorizedException");
    // A wrong password ends the sign-in: start over.
    step = await signIn({ username: "kim", options: { authFlowType: "USER_AUTH" } });
    step = await confirmSignIn({ challengeResponse: "PASSWORD" });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_PASSWORD");
    assert.deepEqual(await confirmSignIn({ challengeResponse: PASSWORD }), DONE);
    assert.deepEqual(await assertSignedIn(otp, "kim"), ["pwd"]);
    await signOut();

    step = await signIn({ username: "kim", options: { authFlowType: "USER_AUTH" } });
    step = await confirmSignIn({ challengeResponse: "EMAIL_OTP" });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    assert.match(step.nextStep.codeDeliveryDetails.destination, MASKED_EMAIL);
    assert.deepEqual(await confirmSignIn({ challengeResponse: await signInCode(otp, "kim") }), DONE);
    assert.deepEqual(await assertSignedIn(otp, "kim"), ["otp"]);
  });

  it("signs in at once with the password as the preferred challenge, in the clear or by SRP", async () => {
    configure(otp);
    await makeUser(otp, "lou");
    for (const preferredChallenge of ["PASSWORD", "PASSWORD_SRP"]) {
      assert.deepEqual(
        await signIn({
          username: "lou",
          password: PASSWORD,
          options: { authFlowType: "USER_AUTH", preferredChallenge },
        }),
        DONE,
        preferredChallenge,
      );
      assert.deepEqual(await assertSignedIn(otp, "lou"), ["pwd"]);
      await signOut();
    }
    await rejectsNamed(
      signIn({
        username: "lou",
        password: "Wr0ng-Password!",
        options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD" },
      }),
      "NotAuthorizedException",
    );
  });

  it("signs up a user without a password, confirms it by code, and signs it in by email code", async () => {
    configure(otp);
    const signedUp = await signUp({
      username: "mae",
      options: { userAttributes: { email: "mae@example.com" } },
    });
    assert.equal(signedUp.isSignUpComplete, false);
    assert.equal(signedUp.nextStep.signUpStep, "CONFIRM_SIGN_UP");
    assert.equal(signedUp.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
    assert.match(signedUp.nextStep.codeDeliveryDetails.destination, MASKED_EMAIL);
    const confirmed = await confirmSignUp({
      username: "mae",
      confirmationCode: await lastCode(otp.poolId, "mae", "sign_up_code"),
    });
    assert.deepEqual(confirmed, { isSignUpComplete: true, nextStep: { signUpStep: "DONE" } });

    // No password: the email code is the way in.
    let step = await signIn({ username: "mae", options: { authFlowType: "USER_AUTH" } });
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
    assert.ok(step.nextStep.availableChallenges.includes("EMAIL_OTP"), step.nextStep.availableChallenges);
    await signOut();
    step = await signIn({
      username: "mae",
      options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" },
    });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    assert.deepEqual(await confirmSignIn({ challengeResponse: await signInCode(otp, "mae") }), DONE);
    assert.deepEqual(await assertSignedIn(otp, "mae"), ["otp"]);
  });

  it("signs a user who signed up without a password in after confirming, without a second code", async () => {
    // Amplify's passwordless sign-up: SignUp and ConfirmSignUp answer a Session, and
    // InitiateAuth USER_AUTH with it takes the confirmation code as the first factor.
    configure(otp);
    const signedUp = await withLongTimersUnref(() =>
      signUp({
        username: "ned",
        options: {
          userAttributes: { email: "ned@example.com" },
          autoSignIn: { authFlowType: "USER_AUTH" },
        },
      }),
    );
    assert.equal(signedUp.nextStep.signUpStep, "CONFIRM_SIGN_UP");
    const confirmed = await confirmSignUp({
      username: "ned",
      confirmationCode: await lastCode(otp.poolId, "ned", "sign_up_code"),
    });
    assert.deepEqual(confirmed, {
      isSignUpComplete: true,
      nextStep: { signUpStep: "COMPLETE_AUTO_SIGN_IN" },
    });
    assert.deepEqual(await autoSignIn(), DONE);
    assert.ok((await assertSignedIn(otp, "ned")).length > 0);
  });

  /** Signs `username` in with its password through Amplify (USER_AUTH, PASSWORD preferred). */
  async function signInWithPassword(username) {
    assert.deepEqual(
      await signIn({
        username,
        password: PASSWORD,
        options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD" },
      }),
      DONE,
    );
  }

  it("stops Amplify's passkey ceremonies at navigator.credentials in Node alone", async () => {
    configure(passkeys);
    await makeUser(passkeys, "ola");
    await signInWithPassword("ola");
    assert.deepEqual(await listWebAuthnCredentials(), { credentials: [], nextToken: undefined });
    // associateWebAuthnCredential asks Cognito for the options (and checks them), then
    // needs navigator.credentials.create, which only a browser (a window in a secure
    // context) has.
    await rejectsNamed(associateWebAuthnCredential(), "PasskeyNotSupported");
    // A passkey made by Chromium: Cognito offers it; Amplify gets to navigator.credentials.get.
    browser ??= await openBrowser(PASSKEY_PAGE);
    await browser.newAuthenticator();
    const accessToken = (await fetchAuthSession()).tokens.accessToken.toString();
    await registerPasskey(admin, browser.page, accessToken);
    await signOut();
    await rejectsNamed(
      signIn({
        username: "ola",
        options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" },
      }),
      "PasskeyNotSupported",
    );
  });

  it("associates passkeys made by Chromium, lists them a page at a time, and deletes one", async () => {
    configure(passkeys);
    await makeUser(passkeys, "pia");
    await signInWithPassword("pia");
    browser ??= await openBrowser(PASSKEY_PAGE);
    // Two passkeys, on two authenticators, each registered by Amplify itself.
    for (let i = 0; i < 2; i++) {
      await browser.newAuthenticator();
      await withBrowserWebAuthn(browser.page, () => associateWebAuthnCredential());
    }
    // What the emulator holds, asked through the AWS SDK.
    const accessToken = (await fetchAuthSession()).tokens.accessToken.toString();
    const listed = await admin.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }));
    const held = listed.Credentials.map((c) => c.CredentialId);
    assert.equal(held.length, 2);
    assert.equal(new Set(held).size, 2);

    const { credentials, nextToken } = await listWebAuthnCredentials();
    assert.equal(nextToken, undefined);
    assert.deepEqual(
      credentials.map((c) => c.credentialId),
      held,
    );
    for (const credential of credentials) {
      assert.equal(credential.relyingPartyId, "localhost");
      assert.equal(credential.authenticatorAttachment, "platform");
      assert.deepEqual(credential.authenticatorTransports, ["internal"]);
      assert.ok(credential.friendlyCredentialName);
      assert.ok(credential.createdAt instanceof Date);
      assert.ok(Math.abs(credential.createdAt.getTime() - Date.now()) < 60_000);
    }
    const first = await listWebAuthnCredentials({ pageSize: 1 });
    assert.deepEqual(
      first.credentials.map((c) => c.credentialId),
      [held[0]],
    );
    assert.ok(first.nextToken);
    const second = await listWebAuthnCredentials({ pageSize: 1, nextToken: first.nextToken });
    assert.deepEqual(
      second.credentials.map((c) => c.credentialId),
      [held[1]],
    );
    assert.equal(second.nextToken, undefined);

    await deleteWebAuthnCredential({ credentialId: held[0] });
    assert.deepEqual(
      (await listWebAuthnCredentials()).credentials.map((c) => c.credentialId),
      [held[1]],
    );
    await rejectsNamed(deleteWebAuthnCredential({ credentialId: held[0] }), "ResourceNotFoundException");
  });

  it("signs in with a passkey through Amplify, preferred or chosen from the selection", async () => {
    configure(passkeys);
    await makeUser(passkeys, "quin");
    await signInWithPassword("quin");
    browser ??= await openBrowser(PASSKEY_PAGE);
    await browser.newAuthenticator();
    await withBrowserWebAuthn(browser.page, () => associateWebAuthnCredential());
    await signOut();

    const preferred = await withBrowserWebAuthn(browser.page, () =>
      signIn({
        username: "quin",
        options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" },
      }),
    );
    assert.deepEqual(preferred, DONE);
    const methods = await assertSignedIn(passkeys, "quin");
    assert.ok(methods.includes("hwk") && !methods.includes("pwd"), methods);
    await signOut();

    const step = await signIn({ username: "quin", options: { authFlowType: "USER_AUTH" } });
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
    assert.deepEqual([...step.nextStep.availableChallenges].sort(), [
      "PASSWORD",
      "PASSWORD_SRP",
      "WEB_AUTHN",
    ]);
    const chosen = await withBrowserWebAuthn(browser.page, () =>
      confirmSignIn({ challengeResponse: "WEB_AUTHN" }),
    );
    assert.deepEqual(chosen, DONE);
    assert.ok((await assertSignedIn(passkeys, "quin")).includes("hwk"));
  });
});
