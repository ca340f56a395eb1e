// Expiry without waiting, and fixtures from a seed file: a cognito-server of this file's
// own started with `--seed ../seed.yaml` (the suites' shared pool, clients and users
// under fixed ids), whose clock the tests move through the test API
// (`/_cognito/clock`) instead of sleeping. The emulator's own hooks: real Cognito has
// no clock to move.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";

import {
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  ExpiredCodeException,
  GetUserCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { uniqueName } from "../lib/cognito.js";
import { startCognitoServer } from "../lib/triggers.js";

const SEED = fileURLToPath(new URL("../../seed.yaml", import.meta.url));
const POOL = "us-east-1_SeedSuite";
const PUBLIC = "suitepublicclient00000001";
const CONFIDENTIAL = "suitesecretclient00000001";
const PASSWORD = "Correct-horse-1";

describe("the test API's clock and seed", () => {
  let server;

  before(async () => {
    server = await startCognitoServer(["--seed", SEED]);
  });
  after(() => server?.stop());
  // The clock stands still in each test (expiry decided to the second, however slow
  // the machine) until the test moves it, and is back in real time after.
  beforeEach(() => post("/_cognito/clock", { advance_seconds: 0, frozen: true }));
  afterEach(() => post("/_cognito/clock/reset", {}));

  async function post(path, body) {
    const response = await fetch(`${server.endpoint}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    assert.equal(response.status, 200, JSON.stringify(answer));
    return answer;
  }

  const advance = (seconds) => post("/_cognito/clock", { advance_seconds: seconds });

  async function signIn() {
    const out = await server.client.send(
      new InitiateAuthCommand({
        ClientId: PUBLIC,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "alice", PASSWORD },
      }),
    );
    return out.AuthenticationResult;
  }

  it("serves the seed's fixed ids", async () => {
    const out = await server.client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL, ClientId: CONFIDENTIAL }),
    );
    assert.equal(
      out.UserPoolClient.ClientSecret,
      "suitesecret0123456789abcdefghijklmnopqrstuvwxyzABCD",
    );
    assert.ok((await signIn()).AccessToken);
  });

  it("expires an access token after an hour", async () => {
    const { AccessToken } = await signIn();
    const before = await advance(0);
    await advance(3599);
    await server.client.send(new GetUserCommand({ AccessToken }));
    const reading = await advance(1);
    assert.equal(reading.epoch_seconds - before.epoch_seconds, 3600);
    await assert.rejects(server.client.send(new GetUserCommand({ AccessToken })), (e) => {
      assert.ok(e instanceof NotAuthorizedException, e.name);
      assert.equal(e.message, "Access Token has expired");
      return true;
    });
  });

  it("expires a refresh token after thirty days", async () => {
    const { RefreshToken } = await signIn();
    const refresh = () =>
      server.client.send(
        new InitiateAuthCommand({
          ClientId: PUBLIC,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: RefreshToken },
        }),
      );
    await advance(29 * 86_400);
    assert.ok((await refresh()).AuthenticationResult.AccessToken);
    await advance(86_400);
    await assert.rejects(refresh(), (e) => {
      assert.ok(e instanceof NotAuthorizedException, e.name);
      assert.equal(e.message, "Refresh Token has expired");
      return true;
    });
  });

  it("expires a sign-up code after a day", async () => {
    const username = uniqueName("late");
    await server.client.send(
      new SignUpCommand({
        ClientId: PUBLIC,
        Username: username,
        Password: PASSWORD,
        UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
      }),
    );
    const response = await fetch(
      `${server.endpoint}/_cognito/codes?pool_id=${POOL}&username=${username}`,
    );
    const [{ code }] = (await response.json()).codes;
    await advance(86_400);
    await assert.rejects(
      server.client.send(
        new ConfirmSignUpCommand({ ClientId: PUBLIC, Username: username, ConfirmationCode: code }),
      ),
      (e) => {
        assert.ok(e instanceof ExpiredCodeException, e.name);
        return true;
      },
    );
  });
});
