// The other two ways the server runs a function, each with the same handlers as
// serverless-offline runs: as a local command (`--lambda-command NAME=CMD`: the event on
// the command's standard input, the result on its standard output, a failure as a
// non-zero exit with the message on standard error), and behind an HTTP URL
// (`--lambda-url NAME=URL`, here the handlers' own http-server.js). And a function
// nothing runs.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD } from "../lib/accounts.js";
import { deletePoolQuietly, rejectsWith, uniqueName } from "../lib/cognito.js";
import {
  claimsOf,
  functionArn,
  handlerCommand,
  onlyInvocation,
  startCognitoServer,
  startHandlerHttpServer,
} from "../lib/triggers.js";

let handlers;
let server;
let client;
let endpoint;
const pools = [];

before(async () => {
  handlers = await startHandlerHttpServer();
  server = await startCognitoServer([
    "--lambda-command",
    `pre-sign-up=${handlerCommand("pre-sign-up")}`,
    "--lambda-url",
    `pre-authentication=${handlers.url}/pre-authentication`,
    "--lambda-url",
    `pre-token-generation-v1=${handlers.url}/pre-token-generation-v1`,
  ]);
  ({ client, endpoint } = server);
});

after(async () => {
  for (const id of pools) {
    await deletePoolQuietly(client, id);
  }
  await server?.stop();
  await handlers?.stop();
});

async function makePool(LambdaConfig) {
  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName("modes"),
      LambdaConfig,
      AutoVerifiedAttributes: ["email"],
      Schema: [{ Name: "blocked", AttributeDataType: "String", Mutable: true }],
    }),
  );
  pools.push(UserPool.Id);
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: "modes",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  return { poolId: UserPool.Id, clientId: UserPoolClient.ClientId };
}

function signUp(pool, username, email) {
  return client.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: "email", Value: email }],
    }),
  );
}

async function makeUser(pool, username, attributes) {
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.poolId,
      Username: username,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      MessageAction: "SUPPRESS",
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: pool.poolId,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

function signIn(pool, username) {
  return client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
}

describe("a function run as a local command", () => {
  let pool;
  before(async () => {
    pool = await makePool({ PreSignUp: functionArn("pre-sign-up") });
  });

  it("answers with its result", async () => {
    const username = uniqueName("cmd");
    const out = await signUp(pool, username, `${username}@auto.example`);
    assert.equal(out.UserConfirmed, true);
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: username }),
    );
    assert.equal(user.UserStatus, "CONFIRMED");
    const call = await onlyInvocation(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.event.triggerSource, "PreSignUp_SignUp");
    assert.equal(call.response.autoConfirmUser, true);
    assert.ok(call.micros > 0);
  });

  it("fails with the message it wrote to standard error", async () => {
    const username = uniqueName("cmd");
    const err = await rejectsWith(
      signUp(pool, username, `${username}@blocked.example`),
      "UserLambdaValidationException",
    );
    assert.equal(
      err.message,
      "PreSignUp failed with error Sign-ups from blocked.example are not allowed.",
    );
  });
});

describe("a function behind an HTTP URL", () => {
  let pool;
  before(async () => {
    pool = await makePool({
      PreAuthentication: functionArn("pre-authentication"),
      PreTokenGeneration: functionArn("pre-token-generation-v1"),
    });
  });

  it("answers with its result", async () => {
    const username = uniqueName("url");
    await makeUser(pool, username, { email: `${username}@example.com`, locale: "de-DE" });
    const { AuthenticationResult } = await signIn(pool, username);
    const id = claimsOf(AuthenticationResult.IdToken);
    assert.equal(id["custom:tier"], "gold");
    assert.equal(id.family_name, "Overridden");
    assert.equal(id.locale, undefined);
  });

  it("fails with the errorMessage of its error answer", async () => {
    const username = uniqueName("url");
    await makeUser(pool, username, { email: `${username}@example.com`, "custom:blocked": "true" });
    const err = await rejectsWith(signIn(pool, username), "UserLambdaValidationException");
    assert.equal(err.message, "PreAuthentication failed with error This user is blocked.");
  });
});

describe("a function nothing runs", () => {
  it("fails the operation with UnexpectedLambdaException", async () => {
    const pool = await makePool({ PreSignUp: functionArn(uniqueName("no-such-function")) });
    const username = uniqueName("none");
    await rejectsWith(
      signUp(pool, username, `${username}@example.com`),
      "UnexpectedLambdaException",
    );
    await rejectsWith(
      client.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: username })),
      "UserNotFoundException",
    );
  });
});
