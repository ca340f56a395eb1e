// A cognito-idp client pointed at the emulator, and small helpers shared by
// the tests. The address comes from COGNITO_ENDPOINT (default
// http://127.0.0.1:9229). The assertions describe what Amazon Cognito itself
// answers.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import {
  CognitoIdentityProviderClient,
  DeleteUserPoolCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

export const endpoint = process.env.COGNITO_ENDPOINT ?? "http://127.0.0.1:9229";
export const region = "us-east-1";
export const accountId = process.env.COGNITO_ACCOUNT_ID ?? "123456789012";

export function makeClient() {
  return new CognitoIdentityProviderClient({
    region,
    endpoint,
    credentials: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    maxAttempts: 1,
  });
}

/** A pool or client name that no other test uses. */
export function uniqueName(prefix = "node") {
  return `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** Deletes a pool, turning its deletion protection off first; errors are ignored. */
export async function deletePoolQuietly(client, UserPoolId) {
  try {
    await client.send(new UpdateUserPoolCommand({ UserPoolId, DeletionProtection: "INACTIVE" }));
  } catch {
    // already gone
  }
  try {
    await client.send(new DeleteUserPoolCommand({ UserPoolId }));
  } catch {
    // already gone
  }
}

/**
 * Asserts that `promise` rejects with the modeled error `name`, sent as an
 * HTTP 400 like every Cognito client error. Returns the error.
 */
export async function rejectsWith(promise, name) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.equal(caught.name, name, `expected ${name}, got ${caught.name}: ${caught.message}`);
  assert.equal(caught.$metadata?.httpStatusCode, 400);
  assert.equal(caught.$fault, "client");
  return caught;
}
