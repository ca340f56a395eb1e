// Pools and users for the MFA tests: a pool whose MFA is on or optional with
// the factors asked for, users with a phone number for SMS codes or an
// enrolled authenticator app, and the MFA codes the pool texted (from the
// emulator's outbox, `GET /_cognito/messages`, where Amazon Cognito would have
// sent an SMS).

import assert from "node:assert/strict";

import {
  AssociateSoftwareTokenCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD, messages } from "./accounts.js";
import { accountId, region, uniqueName } from "./cognito.js";
import { Authenticator } from "./totp.js";

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
 * factors; an SMS pool has an SMS configuration and its own message. A
 * `deviceConfiguration` makes the pool track devices. Returns the pool id.
 */
export async function makeMfaPool(
  client,
  mode,
  { sms = false, totp = true, deviceConfiguration = undefined } = {},
) {
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName(),
      ...(sms ? { SmsConfiguration: SMS_CONFIGURATION } : {}),
      ...(deviceConfiguration ? { DeviceConfiguration: deviceConfiguration } : {}),
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

/**
 * Enrols an authenticator app for `username` (password `PASSWORD`), as the
 * user would from a signed-in session: a USER_PASSWORD_AUTH sign-in through
 * app client `clientId`, AssociateSoftwareToken, VerifySoftwareToken with the
 * app's code, and the token enabled and preferred. Returns the app and the
 * sign-in's AuthenticationResult.
 */
export async function enrolAuthenticator(client, clientId, username, deviceName = "phone") {
  const signedIn = await client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
  const result = signedIn.AuthenticationResult;
  assert.ok(result, `${username} was asked ${signedIn.ChallengeName} before enrolling`);
  const { AccessToken } = result;
  const { SecretCode } = await client.send(new AssociateSoftwareTokenCommand({ AccessToken }));
  const app = new Authenticator(SecretCode);
  const verified = await client.send(
    new VerifySoftwareTokenCommand({
      AccessToken,
      UserCode: await app.code(),
      FriendlyDeviceName: deviceName,
    }),
  );
  assert.equal(verified.Status, "SUCCESS");
  await client.send(
    new SetUserMFAPreferenceCommand({
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  return { app, result };
}
