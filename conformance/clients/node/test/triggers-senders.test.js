// Custom email and SMS senders: a pool with a KMS key hands each code and temporary
// password to its sender functions instead of sending a message, encrypted as an AWS
// Encryption SDK message under a data key of the KMS (`--kms-endpoint`, here moto's).
// The handlers, run by serverless-offline, decrypt it with @aws-crypto/client-node
// through the same KMS and "deliver" it to a file; the code they read is the one that
// confirms the user, and the temporary password the one that signs in.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  AdminCreateUserCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";

import { PASSWORD } from "../lib/accounts.js";
import { deletePoolQuietly, region, uniqueName } from "../lib/cognito.js";
import {
  invocations,
  offlineArn,
  readJsonLines,
  startCognitoServer,
  startMotoServer,
  startServerlessOffline,
} from "../lib/triggers.js";

let scratch;
let outbox;
let kms;
let keyArn;
let runner;
let server;
let client;
let endpoint;
let pool;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "senders-"));
  outbox = path.join(scratch, "sent.jsonl");
  kms = await startMotoServer();
  const kmsClient = new KMSClient({
    region,
    endpoint: kms.endpoint,
    credentials: { accessKeyId: "123456789012", secretAccessKey: "local" },
  });
  keyArn = (await kmsClient.send(new CreateKeyCommand({ Description: "custom senders" })))
    .KeyMetadata.Arn;

  runner = await startServerlessOffline({
    SENDER_OUTBOX: outbox,
    KEY_ARN: keyArn,
    KMS_ENDPOINT: kms.endpoint,
  });
  server = await startCognitoServer([
    "--lambda-endpoint",
    runner.endpoint,
    "--kms-endpoint",
    kms.endpoint,
  ]);
  ({ client, endpoint } = server);

  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName("senders"),
      AutoVerifiedAttributes: ["email", "phone_number"],
      SmsConfiguration: {
        SnsCallerArn: "arn:aws:iam::123456789012:role/cognito-sms",
        ExternalId: "senders",
      },
      LambdaConfig: {
        KMSKeyID: keyArn,
        CustomEmailSender: { LambdaVersion: "V1_0", LambdaArn: offlineArn("custom-email-sender") },
        CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: offlineArn("custom-sms-sender") },
      },
    }),
  );
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: "senders",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  pool = { poolId: UserPool.Id, clientId: UserPoolClient.ClientId };
});

after(async () => {
  if (pool) {
    await deletePoolQuietly(client, pool.poolId);
  }
  await server?.stop();
  await runner?.stop();
  await kms?.stop();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** What the sender functions delivered to `username`, oldest first. */
function deliveredTo(username) {
  return readJsonLines(outbox).filter((line) => line.userName === username);
}

function signUp(username, attribute) {
  return client.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [attribute],
    }),
  );
}

describe("custom senders", () => {
  it("hand the sign-up code, encrypted, to the email sender, which decrypts the code that confirms", async () => {
    const username = uniqueName("email");
    await signUp(username, { Name: "email", Value: `${username}@example.com` });

    const [delivered] = deliveredTo(username);
    assert.equal(delivered.triggerSource, "CustomEmailSender_SignUp");
    assert.match(delivered.code, /^\d{6}$/);

    const [call] = await invocations(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger, "CustomEmailSender");
    assert.equal(call.event.request.type, "customEmailSenderRequestV1");
    assert.equal(call.event.request.userAttributes.email, `${username}@example.com`);
    // The event carries an Encryption SDK message, not the code.
    const sealed = Buffer.from(call.event.request.code, "base64");
    assert.equal(sealed[0], 0x02); // message format version 2
    assert.ok(!call.event.request.code.includes(delivered.code));

    await client.send(
      new ConfirmSignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        ConfirmationCode: delivered.code,
      }),
    );
  });

  it("hand the temporary password of an invitation to the email sender", async () => {
    const username = uniqueName("invite");
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: username,
        UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    const [delivered] = deliveredTo(username);
    assert.equal(delivered.triggerSource, "CustomEmailSender_AdminCreateUser");
    const out = await client.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: delivered.code },
      }),
    );
    assert.equal(out.ChallengeName, "NEW_PASSWORD_REQUIRED");
  });

  it("hand SMS codes to the SMS sender", async () => {
    const username = uniqueName("sms");
    await signUp(username, { Name: "phone_number", Value: "+14155550142" });
    const [delivered] = deliveredTo(username);
    assert.equal(delivered.triggerSource, "CustomSMSSender_SignUp");
    const [call] = await invocations(endpoint, { pool_id: pool.poolId, username });
    assert.equal(call.trigger, "CustomSMSSender");
    assert.equal(call.event.request.type, "customSMSSenderRequestV1");
    await client.send(
      new ConfirmSignUpCommand({
        ClientId: pool.clientId,
        Username: username,
        ConfirmationCode: delivered.code,
      }),
    );
  });
});
