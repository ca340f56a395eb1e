// Multi-factor authentication with amazon-cognito-identity-js, as browser and
// Node applications use it: an authenticator app enrolled by a signed-in user
// and answering `totpRequired`, SMS codes answering `mfaRequired`, and the
// set-up a pool with MFA on asks of a user without a factor (`mfaSetup`). The
// tokens are checked with aws-jwt-verify against the pool's JWKS.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import identity from "amazon-cognito-identity-js";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";

import {
  PASSWORD,
  getJson,
  httpFetcher,
  makeConfirmedUser,
  makeSignInClient,
} from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient } from "../lib/cognito.js";
import { MASKED_PHONE, WITH_PHONE, makeMfaPool, smsCodes } from "../lib/mfa.js";
import { Authenticator, base32Decode, totp } from "../lib/totp.js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

// The library's callbacks, as promises.

/**
 * Signs in; resolves with `{ session }`, or with the MFA callback the library
 * called: `{ callback, challengeName, parameters }`.
 */
function signIn(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  const challenge = (resolve, callback) => (challengeName, parameters) =>
    resolve({ callback, challengeName, parameters });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      totpRequired: challenge(resolve, "totpRequired"),
      mfaRequired: challenge(resolve, "mfaRequired"),
      mfaSetup: challenge(resolve, "mfaSetup"),
      selectMFAType: challenge(resolve, "selectMFAType"),
    });
  });
}

function sendMFACode(user, code, mfaType) {
  return new Promise((resolve, reject) => {
    user.sendMFACode(code, { onSuccess: resolve, onFailure: reject }, mfaType);
  });
}

function associateSoftwareToken(user) {
  return new Promise((resolve, reject) => {
    user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject });
  });
}

/** Signed in: the VerifySoftwareToken answer. Signing in (MFA_SETUP): the session. */
function verifySoftwareToken(user, code, deviceName) {
  return new Promise((resolve, reject) => {
    user.verifySoftwareToken(code, deviceName, { onSuccess: resolve, onFailure: reject });
  });
}

function setUserMfaPreference(user, sms, softwareToken) {
  return new Promise((resolve, reject) => {
    user.setUserMfaPreference(sms, softwareToken, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function rejectsNamed(promise, name) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    return true;
  });
}

describe("amazon-cognito-identity-js MFA", () => {
  const admin = makeClient();
  // MFA optional, with SMS and an authenticator app; MFA on, authenticator app only.
  const optional = {};
  const required = {};

  async function setUp(app, mode, factors) {
    app.poolId = await makeMfaPool(admin, mode, factors);
    app.clientId = await makeSignInClient(admin, app.poolId, FLOWS);
    app.userPool = new CognitoUserPool({
      UserPoolId: app.poolId,
      ClientId: app.clientId,
      endpoint,
    });
    const config = await getJson(`${endpoint}/${app.poolId}/.well-known/openid-configuration`);
    app.accessVerifier = JwtRsaVerifier.create(
      {
        issuer: config.issuer,
        audience: null,
        jwksUri: config.jwks_uri,
        customJwtCheck: ({ payload }) => {
          assert.equal(payload.token_use, "access");
          assert.equal(payload.client_id, app.clientId);
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
    app.user = (username) => new CognitoUser({ Username: username, Pool: app.userPool });
    app.mfaSettings = async (Username) => {
      const got = await admin.send(new AdminGetUserCommand({ UserPoolId: app.poolId, Username }));
      return [got.UserMFASettingList, got.PreferredMfaSetting];
    };
  }

  /** Checks a session's access token and answers its claims. */
  async function verified(app, session) {
    assert.ok(session.isValid());
    assert.ok(session.getRefreshToken().getToken());
    return app.accessVerifier.verify(session.getAccessToken().getJwtToken());
  }

  before(async () => {
    await setUp(optional, "OPTIONAL", { sms: true, totp: true });
    await setUp(required, "ON", { totp: true });
  });

  after(async () => {
    await deletePoolQuietly(admin, optional.poolId);
    await deletePoolQuietly(admin, required.poolId);
    admin.destroy();
  });

  it("computes the codes of RFC 6238's test vectors", () => {
    // Appendix B, SHA-1: the key is the ASCII "12345678901234567890".
    const key = base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert.equal(key.toString(), "12345678901234567890");
    assert.equal(totp(key, 59, 8), "94287082");
    assert.equal(totp(key, 1111111109, 8), "07081804");
    assert.equal(totp(key, 1234567890, 8), "89005924");
    assert.equal(totp(key, 20000000000, 8), "65353130");
    assert.equal(totp(key, 59), "287082");
  });

  it("enrols an authenticator app and answers totpRequired with its code", async () => {
    await makeConfirmedUser(admin, optional.poolId, "hana");
    const user = optional.user("hana");
    // MFA is optional and hana has no factor yet: her password is enough.
    const { session } = await signIn(user, PASSWORD);
    await verified(optional, session);

    const secretCode = await associateSoftwareToken(user);
    assert.match(secretCode, /^[A-Z2-7]+=*$/);
    const app = new Authenticator(secretCode);
    await rejectsNamed(
      verifySoftwareToken(user, await app.wrongCode(), "hana's phone"),
      "EnableSoftwareTokenMFAException",
    );
    const answer = await verifySoftwareToken(user, await app.code(), "hana's phone");
    assert.equal(answer.Status, "SUCCESS");
    assert.equal(
      await setUserMfaPreference(user, null, { Enabled: true, PreferredMfa: true }),
      "SUCCESS",
    );
    assert.deepEqual(await optional.mfaSettings("hana"), [
      ["SOFTWARE_TOKEN_MFA"],
      "SOFTWARE_TOKEN_MFA",
    ]);

    // Signing in now asks for a code (SRP, the library's default flow).
    const again = optional.user("hana");
    const challenge = await signIn(again, PASSWORD);
    assert.equal(challenge.callback, "totpRequired");
    assert.equal(challenge.challengeName, "SOFTWARE_TOKEN_MFA");
    assert.equal(challenge.parameters.FRIENDLY_DEVICE_NAME, "hana's phone");

    await rejectsNamed(
      sendMFACode(again, await app.wrongCode(), "SOFTWARE_TOKEN_MFA"),
      "CodeMismatchException",
    );
    // The same session takes the right code.
    const signedIn = await sendMFACode(again, await app.code(), "SOFTWARE_TOKEN_MFA");
    const claims = await verified(optional, signedIn);
    assert.equal(claims.username, "hana");
    const idPayload = signedIn.getIdToken().decodePayload();
    assert.equal(idPayload["cognito:username"], "hana");
    // The Developer Guide's own example of a password and a one-time code.
    assert.deepEqual([...idPayload.amr].sort(), ["mfa", "otp", "pwd"]);
  });

  it("answers mfaRequired with the texted code (USER_PASSWORD_AUTH)", async () => {
    await makeConfirmedUser(admin, optional.poolId, "ivan", WITH_PHONE);
    const user = optional.user("ivan");
    user.setAuthenticationFlowType("USER_PASSWORD_AUTH");
    await signIn(user, PASSWORD);
    assert.equal(
      await setUserMfaPreference(user, { Enabled: true, PreferredMfa: true }, null),
      "SUCCESS",
    );
    assert.deepEqual(await optional.mfaSettings("ivan"), [["SMS_MFA"], "SMS_MFA"]);
    assert.deepEqual(await smsCodes(optional.poolId, "ivan"), []);

    const again = optional.user("ivan");
    again.setAuthenticationFlowType("USER_PASSWORD_AUTH");
    const challenge = await signIn(again, PASSWORD);
    assert.equal(challenge.callback, "mfaRequired");
    assert.equal(challenge.challengeName, "SMS_MFA");
    assert.equal(challenge.parameters.CODE_DELIVERY_DELIVERY_MEDIUM, "SMS");
    assert.equal(challenge.parameters.CODE_DELIVERY_DESTINATION, MASKED_PHONE);

    const codes = await smsCodes(optional.poolId, "ivan");
    assert.equal(codes.length, 1);
    assert.match(codes[0], /^\d{6}$/);
    const session = await sendMFACode(again, codes[0]);
    const claims = await verified(optional, session);
    assert.equal(claims.username, "ivan");
    const idPayload = session.getIdToken().decodePayload();
    assert.equal(idPayload.phone_number, WITH_PHONE.phone_number);
    assert.ok(idPayload.amr.includes("pwd") && idPayload.amr.includes("mfa"), idPayload.amr);
  });

  it("sets up an authenticator app when the pool requires MFA (mfaSetup)", async () => {
    await makeConfirmedUser(admin, required.poolId, "jade");
    const user = required.user("jade");
    const challenge = await signIn(user, PASSWORD);
    assert.equal(challenge.callback, "mfaSetup");
    assert.equal(challenge.challengeName, "MFA_SETUP");
    assert.deepEqual(JSON.parse(challenge.parameters.MFAS_CAN_SETUP), ["SOFTWARE_TOKEN_MFA"]);

    // Not signed in yet: the library associates and verifies with the
    // sign-in's session, then answers MFA_SETUP with the session that gives.
    const app = new Authenticator(await associateSoftwareToken(user));
    const session = await verifySoftwareToken(user, await app.code(), "jade's phone");
    const claims = await verified(required, session);
    assert.equal(claims.username, "jade");
    const [listed] = await required.mfaSettings("jade");
    assert.deepEqual(listed, ["SOFTWARE_TOKEN_MFA"]);

    // The next sign-in asks for a code from the app.
    const again = required.user("jade");
    const next = await signIn(again, PASSWORD);
    assert.equal(next.callback, "totpRequired");
    assert.equal(next.parameters.FRIENDLY_DEVICE_NAME, "jade's phone");
    const signedIn = await sendMFACode(again, await app.code(), "SOFTWARE_TOKEN_MFA");
    assert.equal((await verified(required, signedIn)).username, "jade");
  });
});
