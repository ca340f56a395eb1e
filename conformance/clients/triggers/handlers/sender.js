// What the custom sender handlers share: the code Cognito encrypted with the AWS
// Encryption SDK under the pool's KMS key, decrypted through the KMS that KMS_ENDPOINT
// names with the key KEY_ARN names, and the delivery, a JSON line appended to the file
// SENDER_OUTBOX names.

"use strict";

const { appendFileSync } = require("node:fs");

const {
  CommitmentPolicy,
  KmsKeyringNode,
  buildClient,
  getClient,
} = require("@aws-crypto/client-node");
const { KMS } = require("@aws-sdk/client-kms");

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

/** A keyring for the key KEY_ARN names, whose KMS clients talk to KMS_ENDPOINT. */
function keyring() {
  const keyArn = required("KEY_ARN");
  // The keyring asks for a client per Region, the one in the key's ARN.
  const clientProvider = getClient(KMS, {
    endpoint: required("KMS_ENDPOINT"),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID || "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey:
        process.env.AWS_SECRET_ACCESS_KEY || "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    maxAttempts: 1,
  });
  return new KmsKeyringNode({ clientProvider, keyIds: [keyArn] });
}

/** The plaintext of `code`, base64 of an AWS Encryption SDK message. */
async function decryptCode(code) {
  const { plaintext } = await decrypt(keyring(), Buffer.from(code, "base64"));
  return plaintext.toString("utf8");
}

/** Decrypts the event's code (when it has one) and "delivers" it to SENDER_OUTBOX. */
async function deliver(event) {
  const code =
    typeof event.request.code === "string" ? await decryptCode(event.request.code) : null;
  const outbox = required("SENDER_OUTBOX");
  const line = { triggerSource: event.triggerSource, userName: event.userName, code };
  appendFileSync(outbox, `${JSON.stringify(line)}\n`);
  return event;
}

module.exports = { decryptCode, deliver };
