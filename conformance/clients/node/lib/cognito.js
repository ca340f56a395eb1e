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

/**
 * A client configured for `clientRegion` (the server's own Region unless
 * given): it signs its requests for that Region.
 */
export function makeClient(clientRegion = region) {
  return new CognitoIdentityProviderClient({
    region: clientRegion,
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

/** Asserts that `promise` rejects with the modeled client error `name`; returns the error. */
export async function rejectsWith(promise, name) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.equal(caught.name, name, `expected ${name}, got ${caught.name}: ${caught.message}`);
  assert.equal(caught.$fault, "client");
  return caught;
}

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/**
 * How long `token` ("AccessToken" or "IdToken") lasts for an app client: its
 * validity (one when unset) times its unit (hours when unset).
 */
export function validitySeconds(appClient, token) {
  const value = appClient[`${token}Validity`] ?? 1;
  const unit = appClient.TokenValidityUnits?.[token] ?? "hours";
  return value * UNIT_SECONDS[unit];
}
