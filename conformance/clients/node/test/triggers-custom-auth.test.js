// CUSTOM_AUTH with amazon-cognito-identity-js, as applications use it, against the
// define / create / verify auth challenge handlers run by serverless-offline: the
// password proven by SRP inside the custom flow and then a question answered wrong and
// right (`authenticateUser` with the CUSTOM_AUTH flow type and the `customChallenge`
// callback), and a password-less sign-in by a code the create trigger "emails" (written
// to a file the test reads), started with `initiateAuth`.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import identity from "amazon-cognito-identity-js";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD } from "../lib/accounts.js";
import { deletePoolQuietly, rejectsWith, uniqueName } from "../lib/cognito.js";
import {
  claimsOf,
  invocations,
  offlineArn,
  readJsonLines,
  startCognitoServer,
  startServerlessOffline,
} from "../lib/triggers.js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const QUESTION = "What is 6 times 7?";

let scratch;
let outbox;
let runner;
let server;
let client;
let endpoint;
let poolId;
let clientId;
let quietClientId;
let userPool;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "custom-auth-"));
  outbox = path.join(scratch, "magic-codes.jsonl");
  runner = await startServerlessOffline({ MAGIC_CODE_OUTBOX: outbox });
  server = await startCognitoServer(["--lambda-endpoint", runner.endpoint]);
  ({ client, endpoint } = server);

  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName("custom-auth"),
      LambdaConfig: {
        DefineAuthChallenge: offlineArn("define-auth-challenge"),
        CreateAuthChallenge: offlineArn("create-auth-challenge"),
        VerifyAuthChallengeResponse: offlineArn("verify-auth-challenge-response"),
      },
    }),
  );
  poolId = UserPool.Id;
  const makeClient = async (PreventUserExistenceErrors) =>
    (
      await client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: `custom-auth-${PreventUserExistenceErrors}`,
          ExplicitAuthFlows: ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
          PreventUserExistenceErrors,
        }),
      )
    ).UserPoolClient.ClientId;
  clientId = await makeClient("LEGACY");
  quietClientId = await makeClient("ENABLED");
  userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
});

after(async () => {
  if (poolId) {
    await deletePoolQuietly(client, poolId);
  }
  await server?.stop();
  await runner?.stop();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

async function makeUser(email) {
  const username = uniqueName("custom");
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: [
        { Name: "email", Value: email(username) },
        { Name: "email_verified", Value: "true" },
      ],
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
  return username;
}

/** The codes the create trigger "emailed" to `username`, oldest first. */
function codesSentTo(username) {
  return readJsonLines(outbox)
    .filter((line) => line.userName === username)
    .map((line) => line.code);
}

/** identity-js callbacks resolving with `{ session }` or `{ challenge }`. */
function callbacks(resolve, reject) {
  return {
    onSuccess: (session) => resolve({ session }),
    onFailure: reject,
    customChallenge: (challenge) => resolve({ challenge }),
  };
}

function authenticateUser(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  return new Promise((resolve, reject) =>
    user.authenticateUser(details, callbacks(resolve, reject)),
  );
}

function initiateAuth(user) {
  const details = new AuthenticationDetails({ Username: user.getUsername() });
  return new Promise((resolve, reject) => user.initiateAuth(details, callbacks(resolve, reject)));
}

function sendCustomChallengeAnswer(user, answer, clientMetadata) {
  return new Promise((resolve, reject) =>
    user.sendCustomChallengeAnswer(answer, callbacks(resolve, reject), clientMetadata),
  );
}

function customUser(username) {
  const user = new CognitoUser({ Username: username, Pool: userPool });
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  return user;
}

/** The sessions DefineAuthChallenge received for `username`, as [name, result] pairs. */
async function definedSessions(username) {
  const calls = await invocations(endpoint, {
    pool_id: poolId,
    username,
    trigger: "DefineAuthChallenge",
  });
  return calls.map((c) => c.event.request.session.map((s) => [s.challengeName, s.challengeResult]));
}

describe("identity-js, CUSTOM_AUTH with a password", () => {
  it("proves the password by SRP, then answers the question wrong and right", async () => {
    const username = await makeUser((u) => `${u}@example.com`);
    const user = customUser(username);

    const first = await authenticateUser(user, PASSWORD);
    assert.equal(first.challenge?.question, QUESTION);
    const wrong = await sendCustomChallengeAnswer(user, "41");
    assert.equal(wrong.challenge?.question, QUESTION);
    const right = await sendCustomChallengeAnswer(user, "42");
    assert.ok(right.session?.isValid());
    assert.equal(right.session.getIdToken().decodePayload()["cognito:username"], username);

    assert.deepEqual(await definedSessions(username), [
      [["SRP_A", true]],
      [
        ["SRP_A", true],
        ["PASSWORD_VERIFIER", true],
      ],
      [
        ["SRP_A", true],
        ["PASSWORD_VERIFIER", true],
        ["CUSTOM_CHALLENGE", false],
      ],
      [
        ["SRP_A", true],
        ["PASSWORD_VERIFIER", true],
        ["CUSTOM_CHALLENGE", false],
        ["CUSTOM_CHALLENGE", true],
      ],
    ]);
    const created = await invocations(endpoint, {
      pool_id: poolId,
      username,
      trigger: "CreateAuthChallenge",
    });
    assert.deepEqual(
      created.map((c) => c.event.request.challengeName),
      ["CUSTOM_CHALLENGE", "CUSTOM_CHALLENGE"],
    );
    assert.equal(created[0].trigger_source, "CreateAuthChallenge_Authentication");
  });

  it("refuses a wrong password before any custom challenge", async () => {
    const username = await makeUser((u) => `${u}@example.com`);
    const user = customUser(username);
    await assert.rejects(authenticateUser(user, "Wr0ng-Password!"), (err) => {
      assert.equal(err.code, "NotAuthorizedException");
      return true;
    });
    const created = await invocations(endpoint, {
      pool_id: poolId,
      username,
      trigger: "CreateAuthChallenge",
    });
    assert.deepEqual(created, []);
  });
});

describe("identity-js, a password-less sign-in by emailed code", () => {
  it("signs in with the code the create trigger sent, after a wrong one, sending it once", async () => {
    const username = await makeUser((u) => `${u}@magic.example`);
    const user = customUser(username);

    const first = await initiateAuth(user);
    assert.equal(first.challenge?.delivery, "email");
    const [code] = codesSentTo(username);
    assert.match(code, /^\d{6}$/);

    const wrong = await sendCustomChallengeAnswer(user, "not-the-code", { flow: "magic" });
    assert.equal(wrong.challenge?.delivery, "email");
    assert.deepEqual(codesSentTo(username), [code]);

    const right = await sendCustomChallengeAnswer(user, code, { flow: "magic" });
    assert.ok(right.session?.isValid());
    assert.equal(right.session.getAccessToken().decodePayload().username, username);

    assert.deepEqual(await definedSessions(username), [
      [],
      [["CUSTOM_CHALLENGE", false]],
      [
        ["CUSTOM_CHALLENGE", false],
        ["CUSTOM_CHALLENGE", true],
      ],
    ]);
    const verified = await invocations(endpoint, {
      pool_id: poolId,
      username,
      trigger: "VerifyAuthChallengeResponse",
    });
    assert.deepEqual(
      verified.map((c) => c.event.request.clientMetadata),
      [{ flow: "magic" }, { flow: "magic" }],
    );
  });

  it("fails for an unknown user, naming it only to a client that allows it", async () => {
    const user = customUser(uniqueName("nobody"));
    await assert.rejects(initiateAuth(user), (err) => {
      assert.equal(err.code, "UserNotFoundException");
      return true;
    });

    const username = uniqueName("nobody");
    await rejectsWith(
      client.send(
        new InitiateAuthCommand({
          ClientId: quietClientId,
          AuthFlow: "CUSTOM_AUTH",
          AuthParameters: { USERNAME: username },
        }),
      ),
      "NotAuthorizedException",
    );
    const [defined] = await invocations(endpoint, {
      pool_id: poolId,
      username,
      trigger: "DefineAuthChallenge",
    });
    assert.equal(defined.event.request.userNotFound, true);
  });
});

describe("ClientMetadata in a custom sign-in", () => {
  it("reaches the challenge triggers from RespondToAuthChallenge, not from InitiateAuth", async () => {
    const username = await makeUser((u) => `${u}@example.com`);
    const started = await client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "CUSTOM_AUTH",
        AuthParameters: { USERNAME: username },
        ClientMetadata: { flow: "magic" },
      }),
    );
    // InitiateAuth's ClientMetadata is not the create trigger's: it asks its question.
    assert.equal(started.ChallengeParameters.question, QUESTION);

    const next = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: "CUSTOM_CHALLENGE",
        Session: started.Session,
        ChallengeResponses: { USERNAME: username, ANSWER: "41" },
        ClientMetadata: { flow: "magic" },
      }),
    );
    // RespondToAuthChallenge's is: the next challenge is an emailed code.
    assert.equal(next.ChallengeName, "CUSTOM_CHALLENGE");
    assert.equal(next.ChallengeParameters.delivery, "email");
    const [code] = codesSentTo(username);
    const done = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: "CUSTOM_CHALLENGE",
        Session: next.Session,
        ChallengeResponses: { USERNAME: username, ANSWER: code },
      }),
    );
    assert.equal(claimsOf(done.AuthenticationResult.IdToken)["cognito:username"], username);

    const created = await invocations(endpoint, {
      pool_id: poolId,
      username,
      trigger: "CreateAuthChallenge",
    });
    assert.equal(created[0].event.request.clientMetadata?.flow, undefined);
    assert.deepEqual(created[1].event.request.clientMetadata, { flow: "magic" });
  });
});
