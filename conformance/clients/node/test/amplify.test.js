// Multi-factor authentication with Amplify JS v6 (aws-amplify), pointed at the
// emulator with `userPoolEndpoint`: an authenticator app set up by a signed-in
// user and asked for at sign-in, the choice between SMS and the app, and the
// set-up a pool with MFA on asks of a user without a factor.
//
// Amplify keeps one signed-in user per process, so the tests run one after
// another and each signs out before the next; node --test gives this file a
// process of its own. In Node, the tokens live in Amplify's in-memory storage.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";

import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  fetchAuthSession,
  fetchMFAPreference,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { ConsoleLogger, sharedInMemoryStorage } from "aws-amplify/utils";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

import {
  PASSWORD,
  getJson,
  httpFetcher,
  makeConfirmedUser,
  makeSignInClient,
} from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient } from "../lib/cognito.js";
import { MASKED_PHONE, WITH_PHONE, makeMfaPool, smsCodes } from "../lib/mfa.js";
import { Authenticator } from "../lib/totp.js";

// Amplify warns at every call that the endpoint is not AWS's; that is the point.
ConsoleLogger.LOG_LEVEL = "ERROR";

const FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

async function rejectsNamed(promise, name) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    return true;
  });
}

describe("Amplify JS v6 MFA", () => {
  const admin = makeClient();
  // MFA optional, with SMS and an authenticator app; MFA on, authenticator app only.
  const optional = {};
  const required = {};

  async function setUp(app, mode, factors) {
    app.poolId = await makeMfaPool(admin, mode, factors);
    app.clientId = await makeSignInClient(admin, app.poolId, FLOWS);
    const config = await getJson(`${endpoint}/${app.poolId}/.well-known/openid-configuration`);
    app.accessVerifier = JwtRsaVerifier.create(
      {
        issuer: config.issuer,
        audience: null,
        jwksUri: config.jwks_uri,
        customJwtCheck: ({ payload }) => assert.equal(payload.token_use, "access"),
      },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
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
   * Checks that `username` is signed in through `app`, with verified tokens;
   * answers the sorted methods (`amr`) of the sign-in.
   */
  async function assertSignedIn(app, username) {
    const { tokens } = await fetchAuthSession();
    const claims = await app.accessVerifier.verify(tokens.accessToken.toString());
    assert.equal(claims.username, username);
    assert.equal(claims.client_id, app.clientId);
    assert.equal(tokens.idToken.payload["cognito:username"], username);
    const current = await getCurrentUser();
    assert.equal(current.username, username);
    assert.equal(current.userId, claims.sub);
    assert.equal(current.signInDetails.authFlowType, "USER_SRP_AUTH");
    return [...tokens.idToken.payload.amr].sort();
  }

  const TOTP_METHODS = ["mfa", "otp", "pwd"];

  const DONE = { isSignedIn: true, nextStep: { signInStep: "DONE" } };

  before(async () => {
    await setUp(optional, "OPTIONAL", { sms: true, totp: true });
    await setUp(required, "ON", { totp: true });
  });

  afterEach(async () => {
    await signOut();
  });

  after(async () => {
    await deletePoolQuietly(admin, optional.poolId);
    await deletePoolQuietly(admin, required.poolId);
    admin.destroy();
  });

  it("sets up TOTP, prefers it, and confirms the next sign-in with a code", async () => {
    configure(optional);
    await makeConfirmedUser(admin, optional.poolId, "kai");
    // MFA is optional and kai has no factor yet: the password is enough.
    assert.deepEqual(await signIn({ username: "kai", password: PASSWORD }), DONE);

    const { sharedSecret, getSetupUri } = await setUpTOTP();
    assert.match(sharedSecret, /^[A-Z2-7]+=*$/);
    assert.equal(getSetupUri("Emulator").searchParams.get("secret"), sharedSecret);
    const app = new Authenticator(sharedSecret);
    await rejectsNamed(
      verifyTOTPSetup({ code: await app.wrongCode() }),
      "EnableSoftwareTokenMFAException",
    );
    await verifyTOTPSetup({
      code: await app.code(),
      options: { friendlyDeviceName: "kai's phone" },
    });
    await updateMFAPreference({ totp: "PREFERRED" });
    const preference = await fetchMFAPreference();
    assert.deepEqual(preference.enabled, ["TOTP"]);
    assert.equal(preference.preferred, "TOTP");
    await signOut();

    const step = await signIn({ username: "kai", password: PASSWORD });
    assert.equal(step.isSignedIn, false);
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    await rejectsNamed(
      confirmSignIn({ challengeResponse: await app.wrongCode() }),
      "CodeMismatchException",
    );
    // The sign-in goes on: the right code finishes it.
    assert.deepEqual(await confirmSignIn({ challengeResponse: await app.code() }), DONE);
    assert.deepEqual(await assertSignedIn(optional, "kai"), TOTP_METHODS);
  });

  it("lets a user with SMS and TOTP and no preference choose either", async () => {
    configure(optional);
    await makeConfirmedUser(admin, optional.poolId, "lea", WITH_PHONE);
    assert.deepEqual(await signIn({ username: "lea", password: PASSWORD }), DONE);
    const app = new Authenticator((await setUpTOTP()).sharedSecret);
    await verifyTOTPSetup({ code: await app.code() });
    await updateMFAPreference({ sms: "ENABLED", totp: "ENABLED" });
    const preference = await fetchMFAPreference();
    assert.deepEqual([...preference.enabled].sort(), ["SMS", "TOTP"]);
    assert.equal(preference.preferred, undefined);
    await signOut();

    // The authenticator app...
    let step = await signIn({ username: "lea", password: PASSWORD });
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_MFA_SELECTION");
    assert.deepEqual([...step.nextStep.allowedMFATypes].sort(), ["SMS", "TOTP"]);
    step = await confirmSignIn({ challengeResponse: "TOTP" });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    assert.deepEqual(await confirmSignIn({ challengeResponse: await app.code() }), DONE);
    assert.deepEqual(await assertSignedIn(optional, "lea"), TOTP_METHODS);
    await signOut();

    // ... or a text message, sent once chosen.
    step = await signIn({ username: "lea", password: PASSWORD });
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_MFA_SELECTION");
    assert.deepEqual(await smsCodes(optional.poolId, "lea"), []);
    step = await confirmSignIn({ challengeResponse: "SMS" });
    assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    assert.deepEqual(step.nextStep.codeDeliveryDetails, {
      deliveryMedium: "SMS",
      destination: MASKED_PHONE,
    });
    const codes = await smsCodes(optional.poolId, "lea");
    assert.equal(codes.length, 1);
    assert.deepEqual(await confirmSignIn({ challengeResponse: codes[0] }), DONE);
    const methods = await assertSignedIn(optional, "lea");
    assert.ok(methods.includes("pwd") && methods.includes("mfa"), methods);
  });

  it("sets up TOTP during sign-in when the pool requires MFA", async () => {
    configure(required);
    await makeConfirmedUser(admin, required.poolId, "max");
    const step = await signIn({ username: "max", password: PASSWORD });
    assert.equal(step.isSignedIn, false);
    assert.equal(step.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
    const { sharedSecret } = step.nextStep.totpSetupDetails;
    assert.match(sharedSecret, /^[A-Z2-7]+=*$/);

    const app = new Authenticator(sharedSecret);
    assert.deepEqual(
      await confirmSignIn({
        challengeResponse: await app.code(),
        options: { friendlyDeviceName: "max's phone" },
      }),
      DONE,
    );
    assert.deepEqual(await assertSignedIn(required, "max"), TOTP_METHODS);
    assert.deepEqual((await fetchMFAPreference()).enabled, ["TOTP"]);
    await signOut();

    // From now on the app's code is asked for at every sign-in.
    const next = await signIn({ username: "max", password: PASSWORD });
    assert.equal(next.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    assert.deepEqual(await confirmSignIn({ challengeResponse: await app.code() }), DONE);
    assert.deepEqual(await assertSignedIn(required, "max"), TOTP_METHODS);
  });
});
