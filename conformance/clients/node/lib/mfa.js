// Pools and users for the MFA tests: a pool whose MFA is on or optional with
// the factors asked for, users with a phone number for SMS codes, and the MFA
// codes the pool texted (from the emulator's outbox, `GET /_cognito/messages`,
// where Amazon Cognito would have sent an SMS).

import assert from "node:assert/strict";

import {
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { messages } from "./accounts.js";
import { accountId, region, uniqueName } from "./cognito.js";

// An SMS role of the right shape; the emulator sends nothing through it.
export const SMS_CONFIGURATION = {
  SnsCallerArn: `arn:aws:iam::${accountId}:role/cognito-sms`,
  ExternalId: "mfa-tests",
  SnsRegion: region,
};
export const SMS_MESSAGE = "Your sign-in code is {####}.";
export const PHONE = "+14155550100";
export const MASKED_PHONE = "+*******0100";

/** A verified phone number, as attributes for `makeConfirmedUser`. */
export const WITH_PHONE = { phone_number: PHONE, phone_number_verified: "true" };

/**
 * Creates a pool whose MFA is `mode` ("ON" or "OPTIONAL") with the given
 * factors; an SMS pool has an SMS configuration and its own message.
 * Returns the pool id.
 */
export async function makeMfaPool(client, mode, { sms = false, totp = true } = {}) {
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName(),
      ...(sms ? { SmsConfiguration: SMS_CONFIGURATION } : {}),
    }),
  );
  const UserPoolId = pool.UserPool.Id;
  const set = await client.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId,
      MfaConfiguration: mode,
      ...(sms
        ? {
            SmsMfaConfiguration: {
              SmsAuthenticationMessage: SMS_MESSAGE,
              SmsConfiguration: SMS_CONFIGURATION,
            },
          }
        : {}),
      ...(totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
    }),
  );
  assert.equal(set.MfaConfiguration, mode);
  return UserPoolId;
}

/** The MFA codes texted to `username` in pool `poolId`, oldest first. */
export async function smsCodes(poolId, username) {
  const sent = (await messages(poolId, username)).filter((m) => m.kind === "mfa_code");
  for (const message of sent) {
    assert.equal(message.channel, "SMS");
    assert.equal(message.destination, PHONE);
    assert.equal(message.body, SMS_MESSAGE.replace("{####}", message.code));
  }
  return sent.map((m) => m.code);
}
