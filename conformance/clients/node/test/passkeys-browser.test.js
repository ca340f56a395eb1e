// Passkeys made and used by a real browser: Debian's Chromium, driven by
// playwright-core, with a CDP virtual authenticator (CTAP2, built into the
// platform, resident keys, verifying the user as a fingerprint reader does).
// The page at http://localhost:<port> only calls navigator.credentials; the
// cognito-idp calls go from Node through the AWS SDK v3: registration
// (StartWebAuthnRegistration, CompleteWebAuthnRegistration), sign-in with
// USER_AUTH and WEB_AUTHN, ListWebAuthnCredentials and
// DeleteWebAuthnCredential. The emulator's view of each passkey comes from
// GET /_cognito/webauthn-credentials.
//
// One browser serves the whole file; each test has users of its own and an
// empty authenticator.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";

import {
  CompleteWebAuthnRegistrationCommand,
  DeleteWebAuthnCredentialCommand,
  GetUserAuthFactorsCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  StartWebAuthnRegistrationCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD, makeConfirmedUser, makeSignInClient } from "../lib/accounts.js";
import {
  SECURITY_KEY,
  U2F_KEY,
  authenticatorCredentials,
  openBrowser,
  setUserVerified,
} from "../lib/browser.js";
import { deletePoolQuietly, makeClient, rejectsWith } from "../lib/cognito.js";
import {
  PASSKEY_PAGE,
  createCredential,
  createInPage,
  getAssertion,
  makePasskeyPool,
  registerPasskey,
  storedPasskeys,
  tokenVerifiers,
} from "../lib/passkeys.js";

const FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
const B64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The errors RespondToAuthChallenge may answer, as the service model (and so the
// SDK) lists them: none of the WebAuthn* errors of the registration operations.
const RESPOND_TO_AUTH_CHALLENGE_ERRORS = [
  "AliasExistsException",
  "CodeMismatchException",
  "ExpiredCodeException",
  "ForbiddenException",
  "InternalErrorException",
  "InvalidEmailRoleAccessPolicyException",
  "InvalidLambdaResponseException",
  "InvalidParameterException",
  "InvalidPasswordException",
  "InvalidSmsRoleAccessPolicyException",
  "InvalidSmsRoleTrustRelationshipException",
  "InvalidUserPoolConfigurationException",
  "MFAMethodNotFoundException",
  "NotAuthorizedException",
  "OperationNotEnabledException",
  "PasswordHistoryPolicyViolationException",
  "PasswordResetRequiredException",
  "ResourceNotFoundException",
  "SoftwareTokenMFANotFoundException",
  "TooManyRequestsException",
  "UnexpectedLambdaException",
  "UserLambdaValidationException",
  "UserNotConfirmedException",
  "UserNotFoundException",
];

/**
 * Asserts that a RespondToAuthChallenge call fails with a client error its model
 * lists: NotAuthorizedException, as for any proof that does not prove.
 */
async function refusedAnswer(promise) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.equal(caught.$fault, "client", `${caught.name}: ${caught.message}`);
  assert.ok(
    RESPOND_TO_AUTH_CHALLENGE_ERRORS.includes(caught.name),
    `RespondToAuthChallenge answered ${caught.name} (${caught.message}), an error its model does not list`,
  );
  assert.equal(caught.name, "NotAuthorizedException", caught.message);
  return caught;
}

describe("passkeys in Chromium with a virtual authenticator", () => {
  const admin = makeClient();
  let browser;
  // User verification preferred, and required.
  const preferred = { userVerification: "preferred" };
  const required = { userVerification: "required" };

  async function setUp(app) {
    app.poolId = await makePasskeyPool(admin, { userVerification: app.userVerification });
    app.clientId = await makeSignInClient(admin, app.poolId, FLOWS);
    app.verify = await tokenVerifiers(app.poolId, app.clientId);
  }

  before(async () => {
    browser = await openBrowser(PASSKEY_PAGE);
    await setUp(preferred);
    await setUp(required);
  });

  // Each test starts with an empty authenticator.
  beforeEach(async () => {
    await browser.newAuthenticator();
  });

  after(async () => {
    await browser?.close();
    await deletePoolQuietly(admin, preferred.poolId);
    await deletePoolQuietly(admin, required.poolId);
    admin.destroy();
  });

  /** A user with a password and an email address; answers its access token. */
  async function makeUser(app, username) {
    await makeConfirmedUser(admin, app.poolId, username, {
      email: `${username}@example.com`,
      email_verified: "true",
    });
    const out = await admin.send(
      new InitiateAuthCommand({
        ClientId: app.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD },
      }),
    );
    return out.AuthenticationResult.AccessToken;
  }

  /** USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN: answers the challenge and its options. */
  async function passkeyChallenge(app, username) {
    const out = await admin.send(
      new InitiateAuthCommand({
        ClientId: app.clientId,
        AuthFlow: "USER_AUTH",
        AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: "WEB_AUTHN" },
      }),
    );
    assert.equal(out.ChallengeName, "WEB_AUTHN");
    assert.equal(out.ChallengeParameters.USERNAME, username);
    assert.ok(out.Session);
    return { session: out.Session, options: JSON.parse(out.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS) };
  }

  function answerPasskey(app, username, session, assertion) {
    return admin.send(
      new RespondToAuthChallengeCommand({
        ClientId: app.clientId,
        ChallengeName: "WEB_AUTHN",
        Session: session,
        ChallengeResponses: { USERNAME: username, CREDENTIAL: JSON.stringify(assertion) },
      }),
    );
  }

  /** Verifies a sign-in's tokens; answers the ID token's claims. */
  async function assertTokens(app, username, result) {
    const access = await app.verify.access.verify(result.AccessToken);
    assert.equal(access.username, username);
    const id = await app.verify.id.verify(result.IdToken);
    assert.equal(id["cognito:username"], username);
    assert.equal(id.sub, access.sub);
    assert.ok(result.RefreshToken);
    return id;
  }

  /** The virtual authenticator's counter for `credentialId` (base64url). */
  async function authenticatorCount(credentialId) {
    const all = await authenticatorCredentials(browser);
    const found = all.find((c) => Buffer.from(c.credentialId, "base64").toString("base64url") === credentialId);
    assert.ok(found, `the authenticator holds no credential ${credentialId}`);
    return found.signCount;
  }

  it("registers a passkey Chromium made, and lists it", async () => {
    const token = await makeUser(preferred, "ada");
    const { CredentialCreationOptions: options } = await admin.send(
      new StartWebAuthnRegistrationCommand({ AccessToken: token }),
    );
    assert.deepEqual(options.rp, { id: "localhost", name: "localhost" });
    assert.equal(options.user.name, "ada");
    assert.match(options.user.id, B64URL);
    assert.match(options.challenge, B64URL);
    assert.equal(Buffer.from(options.challenge, "base64url").length, 32);
    assert.deepEqual(options.excludeCredentials, []);
    assert.equal(options.authenticatorSelection.userVerification, "preferred");
    assert.deepEqual(
      options.pubKeyCredParams.map((p) => p.alg),
      [-7, -257],
    );

    const credential = await createCredential(browser.page, options);
    assert.equal(credential.type, "public-key");
    assert.equal(credential.authenticatorAttachment, "platform");
    const clientData = JSON.parse(Buffer.from(credential.response.clientDataJSON, "base64url"));
    assert.equal(clientData.origin, browser.origin);
    assert.equal(clientData.challenge, options.challenge);
    await admin.send(
      new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential }),
    );

    const listed = await admin.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }));
    assert.equal(listed.Credentials.length, 1);
    const [described] = listed.Credentials;
    assert.equal(described.CredentialId, credential.id);
    assert.equal(described.RelyingPartyId, "localhost");
    assert.equal(described.AuthenticatorAttachment, "platform");
    assert.deepEqual(described.AuthenticatorTransports, ["internal"]);
    assert.ok(described.FriendlyCredentialName);
    assert.ok(described.CreatedAt instanceof Date);
    assert.ok(Math.abs(described.CreatedAt.getTime() - Date.now()) < 60_000);
    assert.equal(listed.NextToken, undefined);

    const [stored] = await storedPasskeys(preferred.poolId, "ada");
    assert.equal(stored.credential_id, credential.id);
    assert.equal(stored.relying_party_id, "localhost");
    // Cognito asks for no attestation, so Chromium sends format "none".
    assert.equal(stored.format, "none");
    assert.deepEqual(stored.certificate_subjects, []);
    assert.match(stored.aaguid, UUID);
    assert.equal(stored.user_verified, true);
    assert.equal(stored.sign_count, await authenticatorCount(credential.id));

    const factors = await admin.send(new GetUserAuthFactorsCommand({ AccessToken: token }));
    assert.ok(factors.ConfiguredUserAuthFactors.includes("WEB_AUTHN"), factors.ConfiguredUserAuthFactors);

    // The next registration excludes this passkey: the authenticator that holds it refuses.
    const again = await admin.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
    assert.deepEqual(again.CredentialCreationOptions.excludeCredentials, [
      { type: "public-key", id: credential.id },
    ]);
    const refused = await createInPage(browser.page, again.CredentialCreationOptions);
    assert.equal(refused.ok, false);
    assert.equal(refused.name, "InvalidStateError", refused.message);
  });

  it("signs in with USER_AUTH and the passkey as the preferred challenge", async () => {
    const token = await makeUser(preferred, "ben");
    const { credential } = await registerPasskey(admin, browser.page, token);

    const { session, options } = await passkeyChallenge(preferred, "ben");
    assert.equal(options.rpId, "localhost");
    assert.equal(options.userVerification, "preferred");
    assert.equal(Buffer.from(options.challenge, "base64url").length, 32);
    assert.deepEqual(
      options.allowCredentials.map(({ type, id }) => ({ type, id })),
      [{ type: "public-key", id: credential.id }],
    );
    const assertion = await getAssertion(browser.page, options);
    assert.equal(assertion.id, credential.id);
    const out = await answerPasskey(preferred, "ben", session, assertion);
    const claims = await assertTokens(preferred, "ben", out.AuthenticationResult);
    // A passkey whose authenticator verified the user: possession and verification.
    assert.ok(claims.amr.includes("hwk"), claims.amr);
    assert.ok(claims.amr.includes("user"), claims.amr);
    assert.ok(!claims.amr.includes("pwd"), claims.amr);

    const [stored] = await storedPasskeys(preferred.poolId, "ben");
    assert.equal(stored.sign_count, await authenticatorCount(credential.id));
    assert.ok(stored.sign_count >= 2, `sign_count ${stored.sign_count}`);

    // The refresh token of a passkey sign-in refreshes.
    const refreshed = await admin.send(
      new InitiateAuthCommand({
        ClientId: preferred.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: out.AuthenticationResult.RefreshToken },
      }),
    );
    await preferred.verify.access.verify(refreshed.AuthenticationResult.AccessToken);
  });

  it("refuses an assertion replayed on another challenge with NotAuthorizedException", async () => {
    const token = await makeUser(preferred, "bo");
    await registerPasskey(admin, browser.page, token);
    const first = await passkeyChallenge(preferred, "bo");
    const assertion = await getAssertion(browser.page, first.options);
    const next = await passkeyChallenge(preferred, "bo");
    const replay = answerPasskey(preferred, "bo", next.session, assertion);
    await assert.rejects(replay);
    // The refused answer left the passkey's counter alone: the assertion still
    // answers its own challenge.
    const out = await answerPasskey(preferred, "bo", first.session, assertion);
    await assertTokens(preferred, "bo", out.AuthenticationResult);
    // Cognito's model gives RespondToAuthChallenge no WebAuthn* error: a proof that
    // does not prove is NotAuthorizedException.
    await refusedAnswer(replay);
  });

  it("signs in with the passkey chosen from SELECT_CHALLENGE, serialized as Amplify JS does", async () => {
    const token = await makeUser(preferred, "cleo");
    const { credential } = await registerPasskey(admin, browser.page, token, "amplify");
    assert.equal(credential.response.publicKeyAlgorithm, -7);

    const started = await admin.send(
      new InitiateAuthCommand({
        ClientId: preferred.clientId,
        AuthFlow: "USER_AUTH",
        AuthParameters: { USERNAME: "cleo" },
      }),
    );
    assert.equal(started.ChallengeName, "SELECT_CHALLENGE");
    assert.deepEqual([...started.AvailableChallenges].sort(), [
      "PASSWORD",
      "PASSWORD_SRP",
      "WEB_AUTHN",
    ]);
    const chosen = await admin.send(
      new RespondToAuthChallengeCommand({
        ClientId: preferred.clientId,
        ChallengeName: "SELECT_CHALLENGE",
        Session: started.Session,
        ChallengeResponses: { USERNAME: "cleo", ANSWER: "WEB_AUTHN" },
      }),
    );
    assert.equal(chosen.ChallengeName, "WEB_AUTHN");
    const options = JSON.parse(chosen.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
    const assertion = await getAssertion(browser.page, options, "amplify");
    const out = await answerPasskey(preferred, "cleo", chosen.Session, assertion);
    const claims = await assertTokens(preferred, "cleo", out.AuthenticationResult);
    assert.ok(claims.amr.includes("hwk"), claims.amr);
  });

  it("forgets a deleted passkey: no longer offered, and its assertions refused", async () => {
    const token = await makeUser(preferred, "dan");
    const { credential } = await registerPasskey(admin, browser.page, token);

    // A sign-in under way when the passkey goes.
    const { session, options } = await passkeyChallenge(preferred, "dan");
    const assertion = await getAssertion(browser.page, options);
    await admin.send(
      new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: credential.id }),
    );
    await rejectsWith(answerPasskey(preferred, "dan", session, assertion), "NotAuthorizedException");

    const listed = await admin.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }));
    assert.deepEqual(listed.Credentials, []);
    assert.deepEqual(await storedPasskeys(preferred.poolId, "dan"), []);
    const factors = await admin.send(new GetUserAuthFactorsCommand({ AccessToken: token }));
    assert.ok(!(factors.ConfiguredUserAuthFactors ?? []).includes("WEB_AUTHN"));

    // USER_AUTH offers the password only, even when the passkey is preferred.
    for (const parameters of [{}, { PREFERRED_CHALLENGE: "WEB_AUTHN" }]) {
      const out = await admin.send(
        new InitiateAuthCommand({
          ClientId: preferred.clientId,
          AuthFlow: "USER_AUTH",
          AuthParameters: { USERNAME: "dan", ...parameters },
        }),
      );
      assert.equal(out.ChallengeName, "SELECT_CHALLENGE");
      assert.deepEqual([...out.AvailableChallenges].sort(), ["PASSWORD", "PASSWORD_SRP"]);
      await rejectsWith(
        admin.send(
          new RespondToAuthChallengeCommand({
            ClientId: preferred.clientId,
            ChallengeName: "SELECT_CHALLENGE",
            Session: out.Session,
            ChallengeResponses: { USERNAME: "dan", ANSWER: "WEB_AUTHN" },
          }),
        ),
        "InvalidParameterException",
      );
    }

    await rejectsWith(
      admin.send(
        new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: credential.id }),
      ),
      "ResourceNotFoundException",
    );
  });

  it("refuses a passkey of another user", async () => {
    const evaToken = await makeUser(preferred, "eva");
    const eva = await registerPasskey(admin, browser.page, evaToken);
    const finnToken = await makeUser(preferred, "finn");
    await registerPasskey(admin, browser.page, finnToken);

    // Finn's challenge, signed by Eva's passkey (the same authenticator holds both).
    const { session, options } = await passkeyChallenge(preferred, "finn");
    const forged = await getAssertion(browser.page, {
      ...options,
      allowCredentials: [{ type: "public-key", id: eva.credential.id }],
    });
    assert.equal(forged.id, eva.credential.id);
    await rejectsWith(answerPasskey(preferred, "finn", session, forged), "NotAuthorizedException");
  });

  /** Options a page changed to ask for a credential that is not resident and not user-verified. */
  function withoutVerification(options) {
    return {
      ...options,
      authenticatorSelection: {
        residentKey: "discouraged",
        requireResidentKey: false,
        userVerification: "discouraged",
      },
    };
  }

  /** The flags byte of a credential's authenticator data (bit 0: present, bit 2: verified). */
  function flagsOf(json) {
    return Buffer.from(json.response.authenticatorData, "base64url")[32];
  }

  it("takes a security key that cannot verify the user where verification is only preferred", async () => {
    const token = await makeUser(preferred, "gus");
    await browser.newAuthenticator(SECURITY_KEY);
    const { CredentialCreationOptions: options } = await admin.send(
      new StartWebAuthnRegistrationCommand({ AccessToken: token }),
    );
    const credential = await createCredential(browser.page, withoutVerification(options));
    assert.equal(flagsOf(credential) & 0x05, 0x01, "present, not verified");
    assert.equal(credential.authenticatorAttachment, "cross-platform");
    await admin.send(
      new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential }),
    );
    const [stored] = await storedPasskeys(preferred.poolId, "gus");
    assert.equal(stored.user_verified, false);
    const [described] = (await admin.send(new ListWebAuthnCredentialsCommand({ AccessToken: token })))
      .Credentials;
    assert.equal(described.AuthenticatorAttachment, "cross-platform");
    assert.deepEqual(described.AuthenticatorTransports, ["usb"]);

    const { session, options: request } = await passkeyChallenge(preferred, "gus");
    assert.deepEqual(request.allowCredentials[0].transports, ["usb"]);
    const assertion = await getAssertion(browser.page, request);
    assert.equal(flagsOf(assertion) & 0x05, 0x01);
    const out = await answerPasskey(preferred, "gus", session, assertion);
    const claims = await assertTokens(preferred, "gus", out.AuthenticationResult);
    assert.ok(claims.amr.includes("hwk"), claims.amr);
    assert.ok(!claims.amr.includes("user"), claims.amr);
  });

  it("asks for user verification where the pool requires it, and refuses a passkey without", async () => {
    const token = await makeUser(required, "gil");
    const { CredentialCreationOptions: options } = await admin.send(
      new StartWebAuthnRegistrationCommand({ AccessToken: token }),
    );
    assert.equal(options.authenticatorSelection.userVerification, "required");
    // A page that asks a security key, which cannot verify the user, for a credential.
    await browser.newAuthenticator(SECURITY_KEY);
    const unverified = await createCredential(browser.page, withoutVerification(options));
    assert.equal(flagsOf(unverified) & 0x04, 0, "the authenticator verified the user");
    await rejectsWith(
      admin.send(
        new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: unverified }),
      ),
      "InvalidParameterException",
    );
    assert.deepEqual(await storedPasskeys(required.poolId, "gil"), []);

    await browser.newAuthenticator();
    const { credential } = await registerPasskey(admin, browser.page, token);
    const [stored] = await storedPasskeys(required.poolId, "gil");
    assert.equal(stored.credential_id, credential.id);
    assert.equal(stored.user_verified, true);

    // The authenticator fails to verify the user, and the page does not insist.
    const first = await passkeyChallenge(required, "gil");
    assert.equal(first.options.userVerification, "required");
    await setUserVerified(browser, false);
    const skipped = await getAssertion(browser.page, { ...first.options, userVerification: "discouraged" });
    assert.equal(flagsOf(skipped) & 0x04, 0);
    await refusedAnswer(answerPasskey(required, "gil", first.session, skipped));

    await setUserVerified(browser, true);
    const second = await passkeyChallenge(required, "gil");
    const assertion = await getAssertion(browser.page, second.options);
    const out = await answerPasskey(required, "gil", second.session, assertion);
    const claims = await assertTokens(required, "gil", out.AuthenticationResult);
    assert.ok(claims.amr.includes("user"), claims.amr);
  });

  it("verifies the attestation of a page that asks for it: packed, and fido-u2f", async () => {
    const token = await makeUser(preferred, "hana");
    const attested = [];
    for (const authenticator of [undefined, U2F_KEY]) {
      await browser.newAuthenticator(authenticator);
      const { CredentialCreationOptions: options } = await admin.send(
        new StartWebAuthnRegistrationCommand({ AccessToken: token }),
      );
      const asked = { ...options, attestation: "direct" };
      const credential = await createCredential(
        browser.page,
        authenticator === U2F_KEY ? withoutVerification(asked) : asked,
      );
      await admin.send(
        new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential }),
      );
      attested.push(credential.id);
    }
    const stored = await storedPasskeys(preferred.poolId, "hana");
    assert.deepEqual(
      stored.map((p) => p.credential_id),
      attested,
    );
    assert.deepEqual(
      stored.map((p) => p.format),
      ["packed", "fido-u2f"],
    );
    for (const passkey of stored) {
      assert.ok(passkey.certificate_subjects.length > 0, JSON.stringify(passkey));
    }

    // The U2F key signs in too (the authenticator now holds only its credential).
    const { session, options } = await passkeyChallenge(preferred, "hana");
    assert.equal(options.allowCredentials.length, 2);
    const assertion = await getAssertion(browser.page, options);
    assert.equal(assertion.id, attested[1]);
    const out = await answerPasskey(preferred, "hana", session, assertion);
    await assertTokens(preferred, "hana", out.AuthenticationResult);
  });
});
