// Lambda triggers through a real Lambda runner: serverless-offline serves the handlers
// of conformance/clients/triggers on the Lambda Invoke API, and a cognito-server of
// these tests' own (`--lambda-endpoint`) invokes them as Cognito would. Each pool names
// the functions it needs in its LambdaConfig; what the functions received and answered
// is read back from `GET /_cognito/trigger-invocations`, and what they changed from the
// API, the messages and the tokens.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { NEW_PASSWORD, PASSWORD, attributesOf } from "../lib/accounts.js";
import { deletePoolQuietly, rejectsWith, uniqueName } from "../lib/cognito.js";
import {
  claimsOf,
  invocations,
  offlineArn,
  onlyInvocation,
  sentMessages,
  startCognitoServer,
  startServerlessOffline,
  verifiedTokens,
} from "../lib/triggers.js";

const LEGACY = {
  username: "legacy-user",
  email: "legacy@example.com",
  password: "Legacy-Passw0rd!",
};

let runner;
let server;
let client;
let endpoint;
const pools = [];

before(async () => {
  runner = await startServerlessOffline();
  server = await startCognitoServer(["--lambda-endpoint", runner.endpoint]);
  ({ client, endpoint } = server);
});

after(async () => {
  for (const id of pools) {
    await deletePoolQuietly(client, id);
  }
  await server?.stop();
  await runner?.stop();
});

function asList(attributes) {
  return Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
}

/**
 * A pool whose LambdaConfig is `lambdaConfig`, with the custom attributes the
 * handlers read, and an app client without a secret allowing every flow these tests
 * use. Resolves with `{ poolId, clientId }`.
 */
async function makePool(lambdaConfig, extra = {}) {
  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName("triggers"),
      LambdaConfig: lambdaConfig,
      AutoVerifiedAttributes: ["email"],
      Schema: [
        { Name: "blocked", AttributeDataType: "String", Mutable: true },
        { Name: "fail_confirmation", AttributeDataType: "String", Mutable: true },
      ],
      ...extra,
    }),
  );
  pools.push(UserPool.Id);
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: "triggers",
      ExplicitAuthFlows: [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      ],
      PreventUserExistenceErrors: "LEGACY",
    }),
  );
  return { poolId: UserPool.Id, clientId: UserPoolClient.ClientId };
}

/** A CONFIRMED user with PASSWORD, made by an administrator without any message. */
async function makeUser(poolId, username, attributes) {
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: asList(attributes),
      MessageAction: "SUPPRESS",
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

function passwordSignIn(clientId, username, password = PASSWORD, ClientMetadata) {
  return client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
      ClientMetadata,
    }),
  );
}

async function userOf(poolId, username) {
  const user = await client.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
  );
  return { status: user.UserStatus, attributes: attributesOf(user.UserAttributes) };
}

/** Asserts the common envelope of an event Cognito sent about `username`. */
function assertEnvelope(event, { poolId, clientId, username, source }) {
  assert.equal(event.version, "1");
  assert.equal(event.triggerSource, source);
  assert.equal(event.region, "us-east-1");
  assert.equal(event.userPoolId, poolId);
  assert.equal(event.userName, username);
  assert.equal(event.callerContext.clientId, clientId);
  assert.match(event.callerContext.awsSdkVersion, /^aws-sdk-/);
}

describe("pre sign-up", () => {
  let pool;
  before(async () => {
    pool = await makePool({ PreSignUp: offlineArn("pre-sign-up") });
  });

  it("refuses a sign-up the function throws on, with the function's message, and keeps no user", async () => {
    const username = uniqueName("blocked");
    const err = await rejectsWith(
      client.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: username,
          Password: PASSWORD,
          UserAttributes: asList({ email: `${username}@blocked.example` }),
        }),
      ),
      "UserLambdaValidationException",
    );
    assert.equal(
      err.message,
      "PreSignUp failed with error Sign-ups from blocked.example are not allowed.",
    );
    await rejectsWith(userOf(pool.poolId, username), "UserNotFoundException");

    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger, "PreSignUp");
    assert.equal(call.trigger_source, "PreSignUp_SignUp");
    assert.equal(call.response, null);
    assert.match(call.error, /Sign-ups from blocked\.example are not allowed/);
  });

  it("confirms a sign-up and verifies its email when the function says so, sending no code", async () => {
    const username = uniqueName("auto");
    const email = `${username}@auto.example`;
    const out = await client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: asList({ email, given_name: "Auto" }),
        ValidationData: asList({ source: "test" }),
        ClientMetadata: { purpose: "auto-confirm" },
      }),
    );
    assert.equal(out.UserConfirmed, true);
    assert.equal(out.CodeDeliveryDetails, undefined);
    const user = await userOf(pool.poolId, username);
    assert.equal(user.status, "CONFIRMED");
    assert.equal(user.attributes.email_verified, "true");
    assert.deepEqual(await sentMessages(endpoint, pool.poolId, username), []);

    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    const { event } = call;
    assertEnvelope(event, { ...pool, username, source: "PreSignUp_SignUp" });
    assert.equal(event.request.userAttributes.email, email);
    assert.equal(event.request.userAttributes.given_name, "Auto");
    assert.deepEqual(event.request.validationData, { source: "test" });
    assert.deepEqual(event.request.clientMetadata, { purpose: "auto-confirm" });
    assert.equal(event.response.autoConfirmUser, false);
    assert.equal(event.response.autoVerifyEmail, false);
    assert.equal(event.response.autoVerifyPhone, false);
    assert.equal(call.response.autoConfirmUser, true);
    assert.equal(call.response.autoVerifyEmail, true);
    assert.equal(call.error, null);
    assert.ok(call.micros > 0);
  });

  it("verifies the phone number of a sign-up confirmed at the caller's request", async () => {
    const username = uniqueName("phone");
    const out = await client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: asList({ phone_number: "+14155550123" }),
        ClientMetadata: { autoConfirm: "true" },
      }),
    );
    assert.equal(out.UserConfirmed, true);
    const user = await userOf(pool.poolId, username);
    assert.equal(user.status, "CONFIRMED");
    assert.equal(user.attributes.phone_number_verified, "true");
  });

  it("leaves other sign-ups to be confirmed by code", async () => {
    const username = uniqueName("plain");
    const out = await client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: asList({ email: `${username}@example.com` }),
      }),
    );
    assert.equal(out.UserConfirmed, false);
    assert.equal(out.CodeDeliveryDetails.DeliveryMedium, "EMAIL");
    assert.equal((await userOf(pool.poolId, username)).status, "UNCONFIRMED");
    assert.equal((await sentMessages(endpoint, pool.poolId, username)).length, 1);
  });

  it("runs for AdminCreateUser as PreSignUp_AdminCreateUser, with no app client", async () => {
    const username = uniqueName("admin");
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: username,
        UserAttributes: asList({ email: `${username}@example.com` }),
        MessageAction: "SUPPRESS",
        ClientMetadata: { by: "admin" },
      }),
    );
    const { event } = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assertEnvelope(event, {
      poolId: pool.poolId,
      clientId: "CLIENT_ID_NOT_APPLICABLE",
      username,
      source: "PreSignUp_AdminCreateUser",
    });
    assert.deepEqual(event.request.clientMetadata, { by: "admin" });

    const blocked = uniqueName("blocked");
    await rejectsWith(
      client.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.poolId,
          Username: blocked,
          UserAttributes: asList({ email: `${blocked}@blocked.example` }),
          MessageAction: "SUPPRESS",
        }),
      ),
      "UserLambdaValidationException",
    );
    await rejectsWith(userOf(pool.poolId, blocked), "UserNotFoundException");
  });
});

describe("post confirmation", () => {
  let pool;
  before(async () => {
    pool = await makePool({ PostConfirmation: offlineArn("post-confirmation") });
  });

  async function signUp(username, attributes) {
    await client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: asList(attributes),
      }),
    );
    const [message] = await sentMessages(endpoint, pool.poolId, username);
    return message.code;
  }

  it("receives the confirmed user's attributes after ConfirmSignUp", async () => {
    const username = uniqueName("confirm");
    const email = `${username}@example.com`;
    const code = await signUp(username, { email, given_name: "Conf" });
    assert.deepEqual(await invocations(endpoint, { pool_id: pool.poolId, username }), []);

    await client.send(
      new ConfirmSignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        ConfirmationCode: code,
        ClientMetadata: { step: "confirm" },
      }),
    );
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger, "PostConfirmation");
    const { event } = call;
    assertEnvelope(event, { ...pool, username, source: "PostConfirmation_ConfirmSignUp" });
    const user = await userOf(pool.poolId, username);
    assert.equal(user.status, "CONFIRMED");
    assert.equal(event.request.userAttributes.sub, user.attributes.sub);
    assert.equal(event.request.userAttributes.email, email);
    assert.equal(event.request.userAttributes.email_verified, "true");
    assert.equal(event.request.userAttributes.given_name, "Conf");
    assert.equal(event.request.userAttributes["cognito:user_status"], "CONFIRMED");
    assert.deepEqual(event.request.clientMetadata, { step: "confirm" });
  });

  it("runs for AdminConfirmSignUp with no app client", async () => {
    const username = uniqueName("adminconfirm");
    await signUp(username, { email: `${username}@example.com` });
    await client.send(
      new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: username }),
    );
    const { event } = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assertEnvelope(event, {
      poolId: pool.poolId,
      clientId: "CLIENT_ID_NOT_APPLICABLE",
      username,
      source: "PostConfirmation_ConfirmSignUp",
    });
  });

  it("answers the function's error to ConfirmSignUp", async () => {
    const username = uniqueName("failconfirm");
    const code = await signUp(username, {
      email: `${username}@example.com`,
      "custom:fail_confirmation": "true",
    });
    const err = await rejectsWith(
      client.send(
        new ConfirmSignUpCommand({
          ClientId: pool.clientId,
          Username: username,
          ConfirmationCode: code,
        }),
      ),
      "UserLambdaValidationException",
    );
    assert.equal(
      err.message,
      "PostConfirmation failed with error Confirmation is refused for this user.",
    );
  });

  it("runs as PostConfirmation_ConfirmForgotPassword after a password reset", async () => {
    const username = uniqueName("forgot");
    await makeUser(pool.poolId, username, {
      email: `${username}@example.com`,
      email_verified: "true",
    });
    await client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: username }));
    const reset = (await sentMessages(endpoint, pool.poolId, username)).at(-1);
    assert.equal(reset.kind, "forgot_password_code");
    await client.send(
      new ConfirmForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: username,
        ConfirmationCode: reset.code,
        Password: NEW_PASSWORD,
      }),
    );
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger_source, "PostConfirmation_ConfirmForgotPassword");
    assert.equal(call.event.request.userAttributes.email, `${username}@example.com`);
  });
});

describe("pre and post authentication", () => {
  let pool;
  before(async () => {
    pool = await makePool({
      PreAuthentication: offlineArn("pre-authentication"),
      PostAuthentication: offlineArn("post-authentication"),
    });
  });

  it("runs before and after a sign-in; InitiateAuth's ClientMetadata is pre authentication's validationData", async () => {
    const username = uniqueName("signin");
    const email = `${username}@example.com`;
    await makeUser(pool.poolId, username, { email, email_verified: "true" });
    const out = await passwordSignIn(pool.clientId, username, PASSWORD, { app: "web" });
    assert.ok(out.AuthenticationResult.IdToken);

    const pre = await onlyInvocation(endpoint, {
      pool_id: pool.poolId,
      username,
      trigger: "PreAuthentication",
    });
    assertEnvelope(pre.event, { ...pool, username, source: "PreAuthentication_Authentication" });
    assert.equal(pre.event.request.userAttributes.email, email);
    assert.deepEqual(pre.event.request.validationData, { app: "web" });

    const post = await onlyInvocation(endpoint, {
      pool_id: pool.poolId,
      username,
      trigger: "PostAuthentication",
    });
    assertEnvelope(post.event, { ...pool, username, source: "PostAuthentication_Authentication" });
    assert.equal(post.event.request.userAttributes.email, email);
    assert.equal(post.event.request.newDeviceUsed, false);
  });

  it("refuses the sign-in of a user the function blocks, and runs no post authentication", async () => {
    const username = uniqueName("blockeduser");
    await makeUser(pool.poolId, username, {
      email: `${username}@example.com`,
      "custom:blocked": "true",
    });
    const err = await rejectsWith(
      passwordSignIn(pool.clientId, username),
      "UserLambdaValidationException",
    );
    assert.equal(err.message, "PreAuthentication failed with error This user is blocked.");
    assert.deepEqual(
      await invocations(endpoint, {
        pool_id: pool.poolId,
        username,
        trigger: "PostAuthentication",
      }),
      [],
    );
  });

  it("runs no post authentication for a wrong password", async () => {
    const username = uniqueName("wrongpass");
    await makeUser(pool.poolId, username, { email: `${username}@example.com` });
    await rejectsWith(
      passwordSignIn(pool.clientId, username, "Wr0ng-Password!"),
      "NotAuthorizedException",
    );
    assert.deepEqual(
      await invocations(endpoint, {
        pool_id: pool.poolId,
        username,
        trigger: "PostAuthentication",
      }),
      [],
    );
  });
});

describe("user migration", () => {
  it("migrates a legacy user on sign-in, confirmed and verified, once", async () => {
    const pool = await makePool({ UserMigration: offlineArn("user-migration") });
    const out = await passwordSignIn(pool.clientId, LEGACY.username, LEGACY.password, {
      from: "test",
    });
    assert.ok(out.AuthenticationResult.AccessToken);
    const id = claimsOf(out.AuthenticationResult.IdToken);
    assert.equal(id["cognito:username"], LEGACY.username);
    assert.equal(id.email, LEGACY.email);
    assert.equal(id.given_name, "Legacy");

    const user = await userOf(pool.poolId, LEGACY.username);
    assert.equal(user.status, "CONFIRMED");
    assert.equal(user.attributes.email, LEGACY.email);
    assert.equal(user.attributes.email_verified, "true");
    assert.equal(user.attributes.given_name, "Legacy");
    // messageAction SUPPRESS: no welcome message.
    assert.deepEqual(await sentMessages(endpoint, pool.poolId, LEGACY.username), []);

    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, trigger: "UserMigration" });
    assertEnvelope(call.event, {
      ...pool,
      username: LEGACY.username,
      source: "UserMigration_Authentication",
    });
    assert.equal(call.event.request.password, LEGACY.password);
    assert.deepEqual(call.event.request.validationData, { from: "test" });
    assert.equal(call.response.finalUserStatus, "CONFIRMED");

    // The user is in the pool now: the next sign-in runs no migration.
    await passwordSignIn(pool.clientId, LEGACY.username, LEGACY.password);
    assert.equal(
      (await invocations(endpoint, { pool_id: pool.poolId, trigger: "UserMigration" })).length,
      1,
    );
  });

  it("answers the function's refusal of a sign-in with its message, and creates no user", async () => {
    const pool = await makePool({ UserMigration: offlineArn("user-migration") });
    const err = await rejectsWith(
      passwordSignIn(pool.clientId, LEGACY.username, "Not-The-Passw0rd!"),
      "UserLambdaValidationException",
    );
    assert.equal(err.message, "UserMigration failed with error Bad password.");
    await rejectsWith(userOf(pool.poolId, LEGACY.username), "UserNotFoundException");
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, trigger: "UserMigration" });
    assert.equal(call.response, null);
    assert.match(call.error, /Bad password/);

    const unknown = await rejectsWith(
      passwordSignIn(pool.clientId, uniqueName("nobody"), PASSWORD),
      "UserLambdaValidationException",
    );
    assert.equal(unknown.message, "UserMigration failed with error User not found.");
  });

  it("migrates by email in a pool where users sign in with their email", async () => {
    const pool = await makePool(
      { UserMigration: offlineArn("user-migration") },
      { UsernameAttributes: ["email"] },
    );
    const out = await passwordSignIn(pool.clientId, LEGACY.email, LEGACY.password);
    const id = claimsOf(out.AuthenticationResult.IdToken);
    assert.equal(id.email, LEGACY.email);
    assert.equal(id["cognito:username"], id.sub);
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, trigger: "UserMigration" });
    assert.equal(call.event.userName, LEGACY.email);
  });

  it("migrates a legacy user who forgot the password, who then resets it", async () => {
    const pool = await makePool({ UserMigration: offlineArn("user-migration") });
    const out = await client.send(
      new ForgotPasswordCommand({ ClientId: pool.clientId, Username: LEGACY.username }),
    );
    assert.equal(out.CodeDeliveryDetails.DeliveryMedium, "EMAIL");
    assert.equal(out.CodeDeliveryDetails.AttributeName, "email");
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, trigger: "UserMigration" });
    assert.equal(call.trigger_source, "UserMigration_ForgotPassword");
    assert.equal(call.event.request.password, undefined);
    assert.equal((await userOf(pool.poolId, LEGACY.username)).status, "RESET_REQUIRED");

    const [reset] = await sentMessages(endpoint, pool.poolId, LEGACY.username);
    assert.equal(reset.kind, "forgot_password_code");
    await client.send(
      new ConfirmForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: LEGACY.username,
        ConfirmationCode: reset.code,
        Password: NEW_PASSWORD,
      }),
    );
    const signedIn = await passwordSignIn(pool.clientId, LEGACY.username, NEW_PASSWORD);
    assert.ok(signedIn.AuthenticationResult.IdToken);

    // A password reset answers the function's error as it is.
    const err = await rejectsWith(
      client.send(
        new ForgotPasswordCommand({ ClientId: pool.clientId, Username: uniqueName("nobody") }),
      ),
      "UserLambdaValidationException",
    );
    assert.equal(err.message, "UserMigration failed with error User not found.");
  });
});

describe("custom message", () => {
  let pool;
  before(async () => {
    pool = await makePool({ CustomMessage: offlineArn("custom-message") });
  });

  /** The newest message to `username`, checked to be the handler's text for `source`. */
  async function assertCustomMessage(username, source, { channel = "EMAIL", extra = "" } = {}) {
    const message = (await sentMessages(endpoint, pool.poolId, username)).at(-1);
    assert.ok(message, `no message for ${username}`);
    assert.equal(message.channel, channel);
    assert.ok(message.code);
    assert.equal(message.body, `Custom ${source}: your code is ${message.code}.${extra}`);
    if (channel === "EMAIL") {
      assert.equal(message.subject, `Custom: ${source}`);
    }
    const call = (await invocations(endpoint, { pool_id: pool.poolId, source })).at(-1);
    assert.equal(call.event.userName, username);
    assert.equal(call.event.request.codeParameter, "{####}");
    return { message, call };
  }

  it("writes the sign-up, resent code and password reset messages", async () => {
    const username = uniqueName("msg");
    await client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: asList({ email: `${username}@example.com` }),
      }),
    );
    const { message: first } = await assertCustomMessage(username, "CustomMessage_SignUp");
    assert.equal(first.kind, "sign_up_code");

    await client.send(
      new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: username }),
    );
    const { message: resent } = await assertCustomMessage(username, "CustomMessage_ResendCode");
    await client.send(
      new ConfirmSignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        ConfirmationCode: resent.code,
      }),
    );

    await client.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: username }));
    const { message: reset } = await assertCustomMessage(username, "CustomMessage_ForgotPassword");
    assert.equal(reset.kind, "forgot_password_code");
  });

  it("writes the invitation, with the username and temporary password", async () => {
    const username = uniqueName("invite");
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: username,
        UserAttributes: asList({ email: `${username}@example.com` }),
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    const { message, call } = await assertCustomMessage(username, "CustomMessage_AdminCreateUser", {
      extra: ` Sign in as ${username}.`,
    });
    assert.equal(message.kind, "invitation");
    assert.equal(call.event.request.usernameParameter, "{username}");
    // The temporary password in the message is the one that signs in.
    await rejectsWith(
      client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: "Wr0ng-Temporary!" },
        }),
      ),
      "NotAuthorizedException",
    );
    const out = await passwordSignIn(pool.clientId, username, message.code);
    assert.equal(out.ChallengeName, "NEW_PASSWORD_REQUIRED");
  });

  it("writes the attribute update and verification messages", async () => {
    const username = uniqueName("verify");
    await makeUser(pool.poolId, username, {
      email: `${username}@example.com`,
      email_verified: "true",
    });
    const { AuthenticationResult } = await passwordSignIn(pool.clientId, username);
    const AccessToken = AuthenticationResult.AccessToken;

    await client.send(
      new UpdateUserAttributesCommand({
        AccessToken,
        UserAttributes: asList({ email: `${username}@example.org` }),
      }),
    );
    const { message } = await assertCustomMessage(username, "CustomMessage_UpdateUserAttribute");
    assert.equal(message.destination, `${username}@example.org`);

    await client.send(
      new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: "email" }),
    );
    await assertCustomMessage(username, "CustomMessage_VerifyUserAttribute");
  });

  it("writes SMS messages", async () => {
    const smsPool = await makePool(
      { CustomMessage: offlineArn("custom-message") },
      {
        AutoVerifiedAttributes: ["phone_number"],
        SmsConfiguration: {
          SnsCallerArn: "arn:aws:iam::123456789012:role/cognito-sms",
          ExternalId: "triggers",
        },
      },
    );
    const username = uniqueName("sms");
    await client.send(
      new SignUpCommand({
        ClientId: smsPool.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: asList({ phone_number: "+14155550199" }),
      }),
    );
    const message = (await sentMessages(endpoint, smsPool.poolId, username)).at(-1);
    assert.equal(message.channel, "SMS");
    assert.equal(message.body, `Custom CustomMessage_SignUp: your code is ${message.code}.`);
  });
});

describe("pre token generation", () => {
  /** A user with a locale, a family name and a group of their own. */
  async function makeTokenUser(poolId) {
    const username = uniqueName("tokens");
    await makeUser(poolId, username, {
      email: `${username}@example.com`,
      locale: "fr-FR",
      family_name: "Real",
    });
    const group = uniqueName("real-group");
    await client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }),
    );
    return { username, group };
  }

  it("V1 changes the ID token's claims and groups, on sign-in and on refresh", async () => {
    const pool = await makePool({ PreTokenGeneration: offlineArn("pre-token-generation-v1") });
    const { username, group } = await makeTokenUser(pool.poolId);
    const { AuthenticationResult } = await passwordSignIn(pool.clientId, username);

    const { id, access } = await verifiedTokens(
      endpoint,
      pool.poolId,
      pool.clientId,
      AuthenticationResult,
    );
    assert.equal(id["custom:tier"], "gold");
    assert.equal(id.family_name, "Overridden");
    assert.equal(id.locale, undefined);
    assert.deepEqual(id["cognito:groups"], ["overridden-group"]);
    assert.equal(id.email, `${username}@example.com`);
    assert.equal(access["custom:tier"], undefined);
    assert.equal(access.family_name, undefined);

    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger, "PreTokenGeneration");
    assertEnvelope(call.event, { ...pool, username, source: "TokenGeneration_Authentication" });
    assert.equal(call.event.request.userAttributes.locale, "fr-FR");
    assert.deepEqual(call.event.request.groupConfiguration.groupsToOverride, [group]);

    const refreshed = await client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: AuthenticationResult.RefreshToken },
      }),
    );
    const again = claimsOf(refreshed.AuthenticationResult.IdToken);
    assert.equal(again["custom:tier"], "gold");
    assert.equal(again.locale, undefined);
    const calls = await invocations(endpoint, { pool_id: pool.poolId, username });
    assert.deepEqual(
      calls.map((c) => c.trigger_source),
      ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens"],
    );
  });

  it("V1 runs as TokenGeneration_NewPasswordChallenge for an invited user's first sign-in", async () => {
    const pool = await makePool({ PreTokenGeneration: offlineArn("pre-token-generation-v1") });
    const username = uniqueName("invited");
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: username,
        TemporaryPassword: PASSWORD,
        UserAttributes: asList({ email: `${username}@example.com`, locale: "en-GB" }),
        MessageAction: "SUPPRESS",
      }),
    );
    const challenge = await passwordSignIn(pool.clientId, username);
    assert.equal(challenge.ChallengeName, "NEW_PASSWORD_REQUIRED");
    const out = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD },
      }),
    );
    const { id } = await verifiedTokens(
      endpoint,
      pool.poolId,
      pool.clientId,
      out.AuthenticationResult,
    );
    assert.equal(id["custom:tier"], "gold");
    assert.equal(id.locale, undefined);
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger_source, "TokenGeneration_NewPasswordChallenge");
  });

  it("V2 changes both tokens: claims, scopes and groups", async () => {
    const pool = await makePool(
      {
        PreTokenGenerationConfig: {
          LambdaVersion: "V2_0",
          LambdaArn: offlineArn("pre-token-generation-v2"),
        },
      },
      { UserPoolTier: "ESSENTIALS" },
    );
    const { username } = await makeTokenUser(pool.poolId);
    const { AuthenticationResult } = await passwordSignIn(pool.clientId, username);

    const { id, access } = await verifiedTokens(
      endpoint,
      pool.poolId,
      pool.clientId,
      AuthenticationResult,
    );
    assert.equal(id.tier, "gold");
    assert.equal(id.locale, undefined);
    assert.equal(id.family_name, "Real");
    assert.deepEqual(id["cognito:groups"], ["overridden-group"]);
    assert.equal(id.tenant, undefined);

    assert.equal(access.tenant, "acme");
    assert.equal(access.tier, undefined);
    assert.deepEqual(access["cognito:groups"], ["overridden-group"]);
    const scopes = access.scope.split(" ");
    assert.ok(scopes.includes("aws.cognito.signin.user.admin"), access.scope);
    assert.ok(scopes.includes("custom/read"), access.scope);

    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.event.version, "2");
    assert.equal(call.event.triggerSource, "TokenGeneration_Authentication");
    assert.ok(call.event.request.scopes.includes("aws.cognito.signin.user.admin"));
  });
});

describe("custom authentication", () => {
  let pool;
  before(async () => {
    pool = await makePool({
      DefineAuthChallenge: offlineArn("define-auth-challenge"),
      CreateAuthChallenge: offlineArn("create-auth-challenge"),
      VerifyAuthChallengeResponse: offlineArn("verify-auth-challenge-response"),
    });
  });

  function startCustomAuth(username) {
    return client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "CUSTOM_AUTH",
        AuthParameters: { USERNAME: username },
      }),
    );
  }

  function answer(username, Session, ANSWER) {
    return client.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: "CUSTOM_CHALLENGE",
        Session,
        ChallengeResponses: { USERNAME: username, ANSWER },
      }),
    );
  }

  it("asks the function's question, and issues tokens for the right answer after a wrong one", async () => {
    const username = uniqueName("question");
    await makeUser(pool.poolId, username, { email: `${username}@example.com` });
    const first = await startCustomAuth(username);
    assert.equal(first.ChallengeName, "CUSTOM_CHALLENGE");
    assert.equal(first.ChallengeParameters.question, "What is 6 times 7?");
    assert.equal(first.ChallengeParameters.USERNAME, username);

    const wrong = await answer(username, first.Session, "41");
    assert.equal(wrong.ChallengeName, "CUSTOM_CHALLENGE");
    assert.equal(wrong.ChallengeParameters.question, "What is 6 times 7?");
    assert.notEqual(wrong.Session, first.Session);

    const right = await answer(username, wrong.Session, "42");
    assert.ok(right.AuthenticationResult.IdToken);
    assert.equal(claimsOf(right.AuthenticationResult.IdToken)["cognito:username"], username);

    const defined = await invocations(endpoint, {
      pool_id: pool.poolId,
      username,
      trigger: "DefineAuthChallenge",
    });
    assert.deepEqual(
      defined.map((c) => c.event.request.session.map((s) => [s.challengeName, s.challengeResult])),
      [
        [],
        [["CUSTOM_CHALLENGE", false]],
        [
          ["CUSTOM_CHALLENGE", false],
          ["CUSTOM_CHALLENGE", true],
        ],
      ],
    );
    assert.equal(defined[0].trigger_source, "DefineAuthChallenge_Authentication");
    assert.equal(defined[2].event.request.session[1].challengeMetadata, "QUESTION-1");
    const verified = await invocations(endpoint, {
      pool_id: pool.poolId,
      username,
      source: "VerifyAuthChallengeResponse_Authentication",
    });
    assert.deepEqual(
      verified.map((c) => [c.event.request.challengeAnswer, c.response.answerCorrect]),
      [
        ["41", false],
        ["42", true],
      ],
    );
    assert.deepEqual(verified[0].event.request.privateChallengeParameters, { answer: "42" });
  });

  it("fails the sign-in at the third wrong answer", async () => {
    const username = uniqueName("wrong3");
    await makeUser(pool.poolId, username, { email: `${username}@example.com` });
    let step = await startCustomAuth(username);
    step = await answer(username, step.Session, "1");
    step = await answer(username, step.Session, "2");
    assert.equal(step.ChallengeName, "CUSTOM_CHALLENGE");
    await rejectsWith(answer(username, step.Session, "3"), "NotAuthorizedException");
  });
});
