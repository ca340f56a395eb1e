// Sign-up and sign-in with amazon-cognito-identity-js, as browser and Node
// applications use it (SRP by default), and the tokens checked with
// aws-jwt-verify against the pool's JWKS and the discovery document's issuer.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import identity from "amazon-cognito-identity-js";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { JwtInvalidAudienceError, JwtInvalidSignatureError } from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import {
  NEW_PASSWORD,
  OTHER_PASSWORD,
  PASSWORD,
  getJson,
  httpFetcher,
  lastCode,
  makeConfirmedUser,
  makeSignInClient,
  messages,
} from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient, uniqueName } from "../lib/cognito.js";

const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} = identity;

// The library's callbacks, as promises.

function signUp(userPool, username, password, attributes) {
  const list = Object.entries(attributes).map(
    ([Name, Value]) => new CognitoUserAttribute({ Name, Value }),
  );
  return new Promise((resolve, reject) => {
    userPool.signUp(username, password, list, [], (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

function confirmRegistration(user, code) {
  return new Promise((resolve, reject) => {
    user.confirmRegistration(code, false, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Signs in; resolves with the session, or with `{ newPasswordRequired }`. */
function authenticate(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) =>
        resolve({ newPasswordRequired: { userAttributes, requiredAttributes } }),
    });
  });
}

function completeNewPassword(user, newPassword) {
  return new Promise((resolve, reject) => {
    user.completeNewPasswordChallenge(newPassword, {}, { onSuccess: resolve, onFailure: reject });
  });
}

function refreshSession(user, refreshToken) {
  return new Promise((resolve, reject) => {
    user.refreshSession(refreshToken, (err, session) => (err ? reject(err) : resolve(session)));
  });
}

function changePassword(user, oldPassword, newPassword) {
  return new Promise((resolve, reject) => {
    user.changePassword(oldPassword, newPassword, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

function forgotPassword(user) {
  return new Promise((resolve, reject) => {
    user.forgotPassword({ onSuccess: resolve, onFailure: reject });
  });
}

function confirmPassword(user, code, newPassword) {
  return new Promise((resolve, reject) => {
    user.confirmPassword(code, newPassword, { onSuccess: resolve, onFailure: reject });
  });
}

function getUserAttributes(user) {
  return new Promise((resolve, reject) => {
    user.getUserAttributes((err, result) => (err ? reject(err) : resolve(result)));
  });
}

function globalSignOut(user) {
  return new Promise((resolve, reject) => {
    user.globalSignOut({ onSuccess: resolve, onFailure: reject });
  });
}

async function rejectsNamed(promise, name, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (message !== undefined) {
      assert.equal(err.message, message);
    }
    return true;
  });
}

describe("amazon-cognito-identity-js", () => {
  const admin = makeClient();
  let poolId;
  let clientId;
  let userPool;
  let issuer;
  let jwksUri;
  let idVerifier;
  let accessVerifier;

  const userFor = (username) => new CognitoUser({ Username: username, Pool: userPool });

  before(async () => {
    const pool = await admin.send(
      new CreateUserPoolCommand({ PoolName: uniqueName(), AutoVerifiedAttributes: ["email"] }),
    );
    poolId = pool.UserPool.Id;
    clientId = await makeSignInClient(admin, poolId, [
      "ALLOW_USER_SRP_AUTH",
      "ALLOW_USER_PASSWORD_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
    ]);
    // The library takes the emulator's address as its `endpoint`.
    userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });

    const config = await getJson(`${endpoint}/${poolId}/.well-known/openid-configuration`);
    issuer = config.issuer;
    jwksUri = config.jwks_uri;
    // CognitoJwtVerifier insists on AWS's issuer; JwtRsaVerifier takes any.
    const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
    idVerifier = JwtRsaVerifier.create(
      { issuer, audience: clientId, jwksUri },
      { jwksCache },
    );
    accessVerifier = JwtRsaVerifier.create(
      {
        issuer,
        audience: null,
        jwksUri,
        customJwtCheck: ({ payload }) => {
          assert.equal(payload.token_use, "access");
          assert.equal(payload.client_id, clientId);
        },
      },
      { jwksCache },
    );
  });

  after(async () => {
    await deletePoolQuietly(admin, poolId);
    admin.destroy();
  });

  it("signs up, confirms with the emailed code and signs in with SRP", async () => {
    const signedUp = await signUp(userPool, "nora", PASSWORD, {
      email: "nora@example.com",
      name: "Nora",
    });
    assert.equal(signedUp.userConfirmed, false);
    assert.match(signedUp.userSub, /^[0-9a-f-]{36}$/);
    assert.equal(signedUp.codeDeliveryDetails.DeliveryMedium, "EMAIL");
    assert.equal(signedUp.codeDeliveryDetails.AttributeName, "email");

    const user = userFor("nora");
    await rejectsNamed(authenticate(user, PASSWORD), "UserNotConfirmedException");

    const code = await lastCode(poolId, "nora", "sign_up_code");
    assert.equal(await confirmRegistration(userFor("nora"), code), "SUCCESS");

    const session = await authenticate(userFor("nora"), PASSWORD);
    assert.ok(session.isValid());
    const idPayload = session.getIdToken().decodePayload();
    assert.equal(idPayload["cognito:username"], "nora");
    assert.equal(idPayload.email, "nora@example.com");
    assert.equal(idPayload.email_verified, true);
    assert.equal(idPayload.sub, signedUp.userSub);
    assert.ok(session.getRefreshToken().getToken());

    const idClaims = await idVerifier.verify(session.getIdToken().getJwtToken());
    assert.equal(idClaims.iss, issuer);
    assert.equal(idClaims.aud, clientId);
    assert.equal(idClaims.token_use, "id");
    const accessClaims = await accessVerifier.verify(session.getAccessToken().getJwtToken());
    assert.equal(accessClaims.username, "nora");
    assert.equal(accessClaims.sub, signedUp.userSub);
  });

  it("refreshes a session", async () => {
    await makeConfirmedUser(admin, poolId, "oscar", { email: "oscar@example.com" });
    const user = userFor("oscar");
    const session = await authenticate(user, PASSWORD);

    const renewed = await refreshSession(user, session.getRefreshToken());
    assert.ok(renewed.isValid());
    assert.equal(renewed.getAccessToken().decodePayload().username, "oscar");
    assert.equal(
      renewed.getAccessToken().decodePayload().origin_jti,
      session.getAccessToken().decodePayload().origin_jti,
    );
    await accessVerifier.verify(renewed.getAccessToken().getJwtToken());
    await idVerifier.verify(renewed.getIdToken().getJwtToken());

    const attributes = await getUserAttributes(user);
    const byName = Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()]));
    assert.equal(byName.email, "oscar@example.com");
  });

  it("refuses a wrong password with NotAuthorizedException", async () => {
    await makeConfirmedUser(admin, poolId, "pia");
    await rejectsNamed(
      authenticate(userFor("pia"), OTHER_PASSWORD),
      "NotAuthorizedException",
      "Incorrect username or password.",
    );
  });

  it("signs in with USER_PASSWORD_AUTH when asked to", async () => {
    await makeConfirmedUser(admin, poolId, "ravi");
    const user = userFor("ravi");
    user.setAuthenticationFlowType("USER_PASSWORD_AUTH");
    const session = await authenticate(user, PASSWORD);
    await accessVerifier.verify(session.getAccessToken().getJwtToken());
  });

  it("changes the password of a signed-in user", async () => {
    await makeConfirmedUser(admin, poolId, "quin");
    const user = userFor("quin");
    await authenticate(user, PASSWORD);

    await rejectsNamed(changePassword(user, OTHER_PASSWORD, NEW_PASSWORD), "NotAuthorizedException");
    assert.equal(await changePassword(user, PASSWORD, NEW_PASSWORD), "SUCCESS");

    await rejectsNamed(authenticate(userFor("quin"), PASSWORD), "NotAuthorizedException");
    assert.ok((await authenticate(userFor("quin"), NEW_PASSWORD)).isValid());
  });

  it("resets a forgotten password with the emailed code", async () => {
    await makeConfirmedUser(admin, poolId, "rosa", {
      email: "rosa@example.com",
      email_verified: "true",
    });
    const user = userFor("rosa");
    const sent = await forgotPassword(user);
    assert.equal(sent.CodeDeliveryDetails.DeliveryMedium, "EMAIL");

    const code = await lastCode(poolId, "rosa", "forgot_password_code");
    await rejectsNamed(
      confirmPassword(userFor("rosa"), code === "000000" ? "111111" : "000000", NEW_PASSWORD),
      "CodeMismatchException",
    );
    assert.equal(await confirmPassword(userFor("rosa"), code, NEW_PASSWORD), "SUCCESS");

    await rejectsNamed(authenticate(userFor("rosa"), PASSWORD), "NotAuthorizedException");
    const session = await authenticate(userFor("rosa"), NEW_PASSWORD);
    await idVerifier.verify(session.getIdToken().getJwtToken());
  });

  it("completes the new password challenge of an invited user", async () => {
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: "sven",
        UserAttributes: [{ Name: "email", Value: "sven@example.com" }],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    const invitations = (await messages(poolId, "sven")).filter((m) => m.kind === "invitation");
    assert.equal(invitations.length, 1);
    const user = userFor("sven");
    const challenge = await authenticate(user, invitations[0].code);
    assert.ok(challenge.newPasswordRequired, "expected the NEW_PASSWORD_REQUIRED challenge");
    assert.equal(challenge.newPasswordRequired.userAttributes.email, "sven@example.com");

    const session = await completeNewPassword(user, NEW_PASSWORD);
    await accessVerifier.verify(session.getAccessToken().getJwtToken());
    const got = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "sven" }));
    assert.equal(got.UserStatus, "CONFIRMED");
  });

  it("signs out everywhere", async () => {
    await makeConfirmedUser(admin, poolId, "tara");
    const user = userFor("tara");
    const session = await authenticate(user, PASSWORD);
    assert.equal(await globalSignOut(user), "SUCCESS");

    // The library forgets the session it signed out; a copy kept elsewhere
    // (another tab, say) no longer works. (Its refresh token is refused too,
    // but the library retries refreshes for seconds before it gives up.)
    const elsewhere = userFor("tara");
    elsewhere.setSignInUserSession(session);
    await rejectsNamed(
      getUserAttributes(elsewhere),
      "NotAuthorizedException",
      "Access Token has been revoked",
    );
  });

  it("rejects tokens that were tampered with or meant for another client", async () => {
    await makeConfirmedUser(admin, poolId, "uri");
    const session = await authenticate(userFor("uri"), PASSWORD);
    const token = session.getIdToken().getJwtToken();

    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    claims["cognito:username"] = "someone-else";
    const forged = Buffer.from(JSON.stringify(claims)).toString("base64url");
    await assert.rejects(
      idVerifier.verify(`${header}.${forged}.${signature}`),
      JwtInvalidSignatureError,
    );

    const otherAudience = JwtRsaVerifier.create(
      { issuer, audience: "another-client", jwksUri },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
    await assert.rejects(otherAudience.verify(token), JwtInvalidAudienceError);

    // The ID token is no access token.
    await assert.rejects(accessVerifier.verify(token));
  });
});
