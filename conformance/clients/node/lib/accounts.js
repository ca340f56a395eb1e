// Helpers for the tests about users and sign-in: users with a known password,
// the messages a user would have received, and a JWKS fetcher for
// aws-jwt-verify.
//
// Messages come from the emulator's test API (`GET /_cognito/messages`, see
// docs/test-api.md): Amazon Cognito would have emailed them instead.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";

import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { endpoint } from "./cognito.js";

export const PASSWORD = "Corr3ct-Horse!";
export const NEW_PASSWORD = "Batt3ry-Staple!";
export const OTHER_PASSWORD = "Tr0ub4dor&3xyz";

export async function getJson(url) {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  return response.json();
}

/** The messages sent for pool `poolId`, oldest first, to `username` if given. */
export async function messages(poolId, username) {
  const query = new URLSearchParams({ pool_id: poolId });
  if (username !== undefined) {
    query.set("username", username);
  }
  return (await getJson(`${endpoint}/_cognito/messages?${query}`)).messages;
}

/** The code in the newest message of `kind` sent to `username`. */
export async function lastCode(poolId, username, kind) {
  const sent = (await messages(poolId, username)).filter((m) => m.kind === kind);
  assert.ok(sent.length > 0, `no ${kind} message for ${username}`);
  const { code } = sent.at(-1);
  assert.ok(code);
  return code;
}

/** The `[{Name, Value}]` list of an answer as an object. */
export function attributesOf(list = []) {
  return Object.fromEntries(list.map(({ Name, Value }) => [Name, Value]));
}

/**
 * SECRET_HASH as the SDK documentation computes it:
 * base64(HMAC-SHA256(key = client secret, message = username + client id)).
 */
export function secretHash(clientId, clientSecret, username) {
  return createHmac("sha256", clientSecret).update(username + clientId).digest("base64");
}

/** An app client without a secret that allows the given flows. */
export async function makeSignInClient(client, UserPoolId, ExplicitAuthFlows) {
  const out = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId,
      ClientName: "sign-in",
      ExplicitAuthFlows,
      PreventUserExistenceErrors: "LEGACY",
    }),
  );
  return out.UserPoolClient.ClientId;
}

/** A CONFIRMED user with a permanent password, made without any message. */
export async function makeConfirmedUser(client, UserPoolId, Username, attributes = {}) {
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId,
      Username,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      MessageAction: "SUPPRESS",
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId,
      Username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

/**
 * A JWKS fetcher for aws-jwt-verify. Its own fetcher speaks only HTTPS; the
 * emulator serves plain HTTP on localhost, so this one uses Node's fetch.
 */
export const httpFetcher = {
  async fetch(uri) {
    const response = await fetch(uri);
    assert.equal(response.status, 200, `${uri} answered ${response.status}`);
    return response.arrayBuffer();
  },
};
