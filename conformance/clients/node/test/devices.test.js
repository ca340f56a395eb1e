// Remembered devices with amazon-cognito-identity-js, as a browser app uses
// them: the library confirms the device a sign-in names (ConfirmDevice with
// the SRP verifier it computes), keeps the device's key, group key and secret
// in its Storage (here an in-memory localStorage shared by the CognitoUser
// objects of one "browser"), proves the device with device SRP at the next
// sign-in instead of asking for the second factor, and sends the device key
// when it refreshes. The requests it sends and the answers it gets are
// recorded, so each test checks the challenges the server asked on the wire.
// The tokens are checked with aws-jwt-verify against the pool's JWKS.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import identity from "amazon-cognito-identity-js";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { ForgetDeviceCommand } from "@aws-sdk/client-cognito-identity-provider";

import {
  PASSWORD,
  getJson,
  httpFetcher,
  makeConfirmedUser,
  makeSignInClient,
} from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient, region } from "../lib/cognito.js";
import {
  LIBRARY_DEVICE_NAME,
  MemoryStorage,
  call,
  challengeSteps,
  deviceAttributes,
  makeDevicePool,
  recordRequests,
  refreshSession,
  sendMFACode,
  signIn,
  storedDevice,
  trackedDevices,
} from "../lib/devices.js";
import { enrolAuthenticator, makeMfaPool } from "../lib/mfa.js";

const { CognitoUser, CognitoUserPool } = identity;

const FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
const DEVICE_KEY = new RegExp(
  `^${region}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
);

// The library's SRP sign-in, up to the password.
const PASSWORD_STEP = "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER";
// A remembered device proving itself.
const DEVICE_SRP = [
  "RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH",
  "RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER",
  "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> tokens",
];

describe("amazon-cognito-identity-js remembered devices", () => {
  const admin = makeClient();
  // Devices remembered when the user says so, and in place of the second
  // factor; MFA optional with an authenticator app.
  const onPrompt = {};
  // Devices remembered at once; MFA off.
  const always = {};

  async function setUp(app, poolId) {
    app.poolId = poolId;
    app.clientId = await makeSignInClient(admin, poolId, FLOWS);
    const config = await getJson(`${endpoint}/${poolId}/.well-known/openid-configuration`);
    const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
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
      { jwksCache },
    );
    app.idVerifier = JwtRsaVerifier.create(
      { issuer: config.issuer, audience: app.clientId, jwksUri: config.jwks_uri },
      { jwksCache },
    );
  }

  /**
   * A browser: one localStorage, the pool and users the app makes on it, and
   * the requests the library sent from it.
   */
  function browser(app) {
    const storage = new MemoryStorage();
    const pool = new CognitoUserPool({
      UserPoolId: app.poolId,
      ClientId: app.clientId,
      endpoint,
      Storage: storage,
    });
    const calls = recordRequests(pool);
    return {
      storage,
      pool,
      calls,
      user: (username) => new CognitoUser({ Username: username, Pool: pool, Storage: storage }),
      device: (username) => storedDevice(storage, app.clientId, username),
      /** The challenge steps of the requests sent since `mark()`. */
      mark() {
        const from = calls.length;
        return () => challengeSteps(calls, from);
      },
    };
  }

  /** Checks a session's tokens; answers the access token's claims. */
  async function verified(app, session) {
    assert.ok(session.isValid());
    assert.ok(session.getRefreshToken().getToken());
    await app.idVerifier.verify(session.getIdToken().getJwtToken());
    return app.accessVerifier.verify(session.getAccessToken().getJwtToken());
  }

  /** The ChallengeResponses of the newest PASSWORD_VERIFIER the browser sent. */
  function lastPasswordVerifier(tab) {
    const sent = tab.calls.filter((c) => c.params.ChallengeName === "PASSWORD_VERIFIER");
    assert.ok(sent.length > 0, "no PASSWORD_VERIFIER was sent");
    return sent.at(-1).params.ChallengeResponses;
  }

  /**
   * A user of `onPrompt` with an authenticator app, enrolled from a sign-in
   * whose tracked device is forgotten again: the user starts with no device.
   */
  async function userWithAuthenticator(username) {
    await makeConfirmedUser(admin, onPrompt.poolId, username);
    const { app, result } = await enrolAuthenticator(admin, onPrompt.clientId, username);
    if (result.NewDeviceMetadata) {
      await admin.send(
        new ForgetDeviceCommand({
          AccessToken: result.AccessToken,
          DeviceKey: result.NewDeviceMetadata.DeviceKey,
        }),
      );
    }
    assert.deepEqual(await trackedDevices(onPrompt.poolId, username), []);
    return app;
  }

  /**
   * Signs `username` in from `tab` with the app's code; the library confirms
   * the new device, and the user asks to remember it. Returns the signed-in
   * user and the sign-in's outcome.
   */
  async function signInAndRemember(tab, username, app) {
    const user = tab.user(username);
    const challenge = await signIn(user, PASSWORD);
    assert.equal(challenge.callback, "totpRequired");
    const outcome = await sendMFACode(user, await app.code(), "SOFTWARE_TOKEN_MFA");
    assert.equal(outcome.userConfirmationNecessary, true);
    assert.equal(await call(user, "setDeviceStatusRemembered"), "SUCCESS");
    return { user, ...outcome };
  }

  before(async () => {
    await setUp(
      onPrompt,
      await makeMfaPool(admin, "OPTIONAL", {
        totp: true,
        deviceConfiguration: {
          ChallengeRequiredOnNewDevice: true,
          DeviceOnlyRememberedOnUserPrompt: true,
        },
      }),
    );
    await setUp(
      always,
      await makeDevicePool(admin, {
        ChallengeRequiredOnNewDevice: false,
        DeviceOnlyRememberedOnUserPrompt: false,
      }),
    );
  });

  after(async () => {
    await deletePoolQuietly(admin, onPrompt.poolId);
    await deletePoolQuietly(admin, always.poolId);
    admin.destroy();
  });

  it("remembers a device after the app's code, then signs in by device SRP without a code", async () => {
    const app = await userWithAuthenticator("mia");
    const tab = browser(onPrompt);

    // A new device: the code is asked, and the sign-in ends with
    // NewDeviceMetadata, which the library confirms on its own.
    const first = tab.user("mia");
    const steps = tab.mark();
    const challenge = await signIn(first, PASSWORD);
    assert.equal(challenge.callback, "totpRequired");
    assert.equal(challenge.challengeName, "SOFTWARE_TOKEN_MFA");
    const { session, userConfirmationNecessary } = await sendMFACode(
      first,
      await app.code(),
      "SOFTWARE_TOKEN_MFA",
    );
    assert.deepEqual(steps(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA",
      "RespondToAuthChallenge SOFTWARE_TOKEN_MFA -> tokens, new device",
      "ConfirmDevice -> ok",
    ]);
    // The pool remembers devices only when the user says so.
    assert.equal(userConfirmationNecessary, true);

    const stored = tab.device("mia");
    assert.match(stored.deviceKey, DEVICE_KEY);
    assert.equal(first.deviceKey, stored.deviceKey);
    assert.ok(stored.deviceGroupKey);
    assert.ok(stored.randomPassword);
    const confirm = tab.calls.find((c) => c.operation === "ConfirmDevice");
    assert.equal(confirm.params.DeviceKey, stored.deviceKey);
    assert.equal(confirm.params.DeviceName, LIBRARY_DEVICE_NAME);
    assert.equal(confirm.answer.UserConfirmationNecessary, true);
    const claims = await verified(onPrompt, session);
    assert.equal(claims.username, "mia");
    assert.equal(claims.device_key, stored.deviceKey);

    const [tracked] = await trackedDevices(onPrompt.poolId, "mia");
    assert.deepEqual(
      [tracked.device_key, tracked.device_name, tracked.confirmed, tracked.remembered],
      [stored.deviceKey, LIBRARY_DEVICE_NAME, true, false],
    );
    assert.equal(await call(first, "setDeviceStatusRemembered"), "SUCCESS");
    assert.equal((await trackedDevices(onPrompt.poolId, "mia"))[0].remembered, true);

    // Signing out here keeps the device in the browser's storage.
    first.signOut();
    const lastUser = `CognitoIdentityServiceProvider.${onPrompt.clientId}.LastAuthUser`;
    assert.equal(tab.storage.getItem(lastUser), null);
    assert.deepEqual(tab.device("mia"), stored);

    // The next sign-in from this browser proves the device instead of the code.
    const second = tab.user("mia");
    const again = tab.mark();
    const back = await signIn(second, PASSWORD);
    assert.equal(back.callback, undefined, `the library was asked ${back.challengeName}`);
    assert.deepEqual(again(), [PASSWORD_STEP, ...DEVICE_SRP]);
    assert.equal(lastPasswordVerifier(tab).DEVICE_KEY, stored.deviceKey);
    assert.equal(back.userConfirmationNecessary, undefined);
    const signedIn = await verified(onPrompt, back.session);
    assert.equal(signedIn.username, "mia");
    assert.equal(signedIn.device_key, stored.deviceKey);
    assert.equal(second.deviceKey, stored.deviceKey);
    // The device keeps its identity: no new device was tracked.
    assert.deepEqual(
      (await trackedDevices(onPrompt.poolId, "mia")).map((d) => d.device_key),
      [stored.deviceKey],
    );
  });

  it("lists, gets and stops remembering the device, then forgets it", async () => {
    const app = await userWithAuthenticator("noor");
    const tab = browser(onPrompt);
    const { user: first } = await signInAndRemember(tab, "noor", app);
    const key = tab.device("noor").deviceKey;
    first.signOut();
    const user = tab.user("noor");
    const back = await signIn(user, PASSWORD);
    assert.ok(back.session, `the library was asked ${back.challengeName}`);

    const listed = await call(user, "listDevices", 10, null);
    assert.deepEqual(listed.Devices.map((d) => d.DeviceKey), [key]);
    const [device] = listed.Devices;
    const attributes = deviceAttributes(device);
    assert.equal(attributes.device_name, LIBRARY_DEVICE_NAME);
    assert.equal(attributes["dev:device_remembered_status"], "remembered");
    assert.equal(attributes.device_status, "valid");
    const dates = ["DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"];
    for (const date of dates) {
      assert.equal(typeof device[date], "number", date);
    }

    const got = await call(user, "getDevice");
    assert.equal(got.Device.DeviceKey, key);
    assert.deepEqual(deviceAttributes(got.Device), attributes);

    // A device no longer remembered does not stand in for the code.
    assert.equal(await call(user, "setDeviceStatusNotRemembered"), "SUCCESS");
    assert.equal(
      deviceAttributes((await call(user, "getDevice")).Device)["dev:device_remembered_status"],
      "not_remembered",
    );
    const notRemembered = tab.mark();
    const asked = await signIn(tab.user("noor"), PASSWORD);
    assert.equal(asked.callback, "totpRequired");
    assert.deepEqual(notRemembered(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA",
    ]);
    assert.equal(lastPasswordVerifier(tab).DEVICE_KEY, key);

    // Forgotten: gone from the server and from the browser's storage.
    assert.equal(await call(user, "forgetDevice"), "SUCCESS");
    assert.deepEqual(tab.device("noor"), {
      deviceKey: null,
      deviceGroupKey: null,
      randomPassword: null,
    });
    assert.deepEqual(await trackedDevices(onPrompt.poolId, "noor"), []);
    const forgotten = tab.mark();
    const next = await signIn(tab.user("noor"), PASSWORD);
    assert.equal(next.callback, "totpRequired");
    assert.deepEqual(forgotten(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA",
    ]);
    assert.equal(lastPasswordVerifier(tab).DEVICE_KEY, undefined);
  });

  it("tracks a new device at the sign-in after the device is forgotten", async () => {
    // A user without a second factor: the password alone signs in.
    await makeConfirmedUser(admin, onPrompt.poolId, "quinn");
    const tab = browser(onPrompt);
    const first = tab.user("quinn");
    const steps = tab.mark();
    const signedIn = await signIn(first, PASSWORD);
    assert.equal(signedIn.userConfirmationNecessary, true);
    assert.deepEqual(steps(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> tokens, new device",
      "ConfirmDevice -> ok",
    ]);
    const key = tab.device("quinn").deviceKey;
    assert.match(key, DEVICE_KEY);

    // Not remembered yet: the device is known but not proven by device SRP.
    first.signOut();
    const user = tab.user("quinn");
    const known = tab.mark();
    const back = await signIn(user, PASSWORD);
    assert.ok(back.session);
    assert.equal(back.userConfirmationNecessary, undefined);
    assert.deepEqual(known(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> tokens",
    ]);
    assert.equal((await verified(onPrompt, back.session)).device_key, key);

    assert.equal(await call(user, "setDeviceStatusRemembered"), "SUCCESS");
    user.signOut();
    const remembered = tab.user("quinn");
    const proven = tab.mark();
    assert.ok((await signIn(remembered, PASSWORD)).session);
    assert.deepEqual(proven(), [PASSWORD_STEP, ...DEVICE_SRP]);

    assert.equal(await call(remembered, "forgetDevice"), "SUCCESS");
    assert.deepEqual(await trackedDevices(onPrompt.poolId, "quinn"), []);
    remembered.signOut();

    const fresh = tab.user("quinn");
    const anew = tab.mark();
    const again = await signIn(fresh, PASSWORD);
    assert.equal(again.userConfirmationNecessary, true);
    assert.deepEqual(anew(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> tokens, new device",
      "ConfirmDevice -> ok",
    ]);
    const newKey = tab.device("quinn").deviceKey;
    assert.match(newKey, DEVICE_KEY);
    assert.notEqual(newKey, key);
    assert.equal((await verified(onPrompt, again.session)).device_key, newKey);
    assert.deepEqual(
      (await trackedDevices(onPrompt.poolId, "quinn")).map((d) => [d.device_key, d.confirmed]),
      [[newKey, true]],
    );
  });

  it("retries without the device key when the browser kept a device forgotten elsewhere", async () => {
    // Forgotten from another session (forgetSpecificDevice, as from a list of
    // devices): this browser still holds the key. Cognito answers the
    // PASSWORD_VERIFIER that names it with ResourceNotFoundException ("Device
    // does not exist."); the library then drops its cached device and answers
    // the same challenge again without it (amazon-cognito-identity-js issue
    // #200 and pull request #206; amplify-android issue #2603).
    await makeConfirmedUser(admin, always.poolId, "ruth");
    const tab = browser(always);
    assert.ok((await signIn(tab.user("ruth"), PASSWORD)).session);
    const key = tab.device("ruth").deviceKey;
    assert.match(key, DEVICE_KEY);

    const elsewhere = browser(always);
    const other = elsewhere.user("ruth");
    assert.ok((await signIn(other, PASSWORD)).session);
    assert.equal(await call(other, "forgetSpecificDevice", key), "SUCCESS");
    assert.deepEqual(
      (await trackedDevices(always.poolId, "ruth")).map((d) => d.device_key),
      [elsewhere.device("ruth").deviceKey],
    );

    tab.user("ruth").signOut();
    const steps = tab.mark();
    const back = await signIn(tab.user("ruth"), PASSWORD);
    assert.deepEqual(steps(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> ResourceNotFoundException",
      "RespondToAuthChallenge PASSWORD_VERIFIER -> tokens, new device",
      "ConfirmDevice -> ok",
    ]);
    const refused = tab.calls.at(-3);
    assert.equal(refused.params.ChallengeResponses.DEVICE_KEY, key);
    assert.equal(refused.error.message, "Device does not exist.");
    assert.ok(back.session);
    const newKey = tab.device("ruth").deviceKey;
    assert.notEqual(newKey, key);
    assert.equal((await verified(always, back.session)).device_key, newKey);
  });

  it("remembers a device at once, proves it by device SRP and refreshes with its key", async () => {
    await makeConfirmedUser(admin, always.poolId, "sami");
    const tab = browser(always);
    const first = tab.user("sami");
    const steps = tab.mark();
    const signedIn = await signIn(first, PASSWORD);
    assert.deepEqual(steps(), [
      PASSWORD_STEP,
      "RespondToAuthChallenge PASSWORD_VERIFIER -> tokens, new device",
      "ConfirmDevice -> ok",
    ]);
    // Remembered without asking the user.
    assert.equal(tab.calls.at(-1).answer.UserConfirmationNecessary, false);
    assert.equal(signedIn.userConfirmationNecessary, undefined);
    const stored = tab.device("sami");
    assert.match(stored.deviceKey, DEVICE_KEY);
    assert.equal((await verified(always, signedIn.session)).device_key, stored.deviceKey);
    const [tracked] = await trackedDevices(always.poolId, "sami");
    assert.deepEqual(
      [tracked.device_key, tracked.confirmed, tracked.remembered],
      [stored.deviceKey, true, true],
    );

    // The next sign-in proves the remembered device.
    first.signOut();
    const second = tab.user("sami");
    const again = tab.mark();
    const back = await signIn(second, PASSWORD);
    assert.equal(back.callback, undefined, `the library was asked ${back.challengeName}`);
    assert.deepEqual(again(), [PASSWORD_STEP, ...DEVICE_SRP]);
    const claims = await verified(always, back.session);
    assert.equal(claims.device_key, stored.deviceKey);

    // After a reload, the app finds the user in storage and refreshes; the
    // library sends the device key with the refresh token.
    const current = tab.pool.getCurrentUser();
    assert.equal(current.getUsername(), "sami");
    const refreshing = tab.mark();
    const refreshed = await refreshSession(current, back.session.getRefreshToken());
    assert.deepEqual(refreshing(), ["InitiateAuth REFRESH_TOKEN_AUTH -> tokens"]);
    const sent = tab.calls.at(-1).params.AuthParameters;
    assert.equal(sent.DEVICE_KEY, stored.deviceKey);
    assert.equal(sent.REFRESH_TOKEN, back.session.getRefreshToken().getToken());
    const renewed = await verified(always, refreshed);
    assert.equal(renewed.username, "sami");
    assert.equal(renewed.device_key, stored.deviceKey);
    assert.notEqual(renewed.jti, claims.jti);
    // The refreshed tokens are what the app now reads from storage.
    const prefix = `CognitoIdentityServiceProvider.${always.clientId}.sami`;
    assert.equal(
      tab.storage.getItem(`${prefix}.accessToken`),
      refreshed.getAccessToken().getJwtToken(),
    );

    // A browser whose stored device secret is not the device's fails device SRP.
    current.signOut();
    tab.storage.setItem(`${prefix}.randomPasswordKey`, "not the device's secret");
    const wrong = tab.mark();
    await assert.rejects(signIn(tab.user("sami"), PASSWORD), (err) => {
      assert.equal(err.name, "NotAuthorizedException", err.message);
      return true;
    });
    assert.deepEqual(wrong(), [
      PASSWORD_STEP,
      ...DEVICE_SRP.slice(0, 2),
      "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> NotAuthorizedException",
    ]);
  });
});
