// Remembered devices with amazon-cognito-identity-js: a browser's
// localStorage kept in memory (where the library keeps a device's key, group
// key and secret between sign-ins), the library's callbacks as promises, a
// record of the requests the library sends and the answers it gets, and the
// devices the emulator tracks (`GET /_cognito/devices`, see docs/test-api.md).

import assert from "node:assert/strict";

import { CreateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import identity from "amazon-cognito-identity-js";

import { getJson } from "./accounts.js";
import { endpoint, uniqueName } from "./cognito.js";

const { AuthenticationDetails } = identity;

/**
 * The Web Storage API's `localStorage`, in memory: values are kept as strings,
 * and a missing key reads as null.
 */
export class MemoryStorage {
  #items = new Map();

  getItem(key) {
    return this.#items.has(key) ? this.#items.get(key) : null;
  }

  setItem(key, value) {
    this.#items.set(key, String(value));
  }

  removeItem(key) {
    this.#items.delete(key);
  }

  clear() {
    this.#items.clear();
  }

  get length() {
    return this.#items.size;
  }
}

/**
 * What the library keeps in `storage` about `username`'s device for app
 * client `clientId`: `{ deviceKey, deviceGroupKey, randomPassword }`, each
 * null when absent.
 */
export function storedDevice(storage, clientId, username) {
  const prefix = `CognitoIdentityServiceProvider.${clientId}.${username}`;
  return {
    deviceKey: storage.getItem(`${prefix}.deviceKey`),
    deviceGroupKey: storage.getItem(`${prefix}.deviceGroupKey`),
    randomPassword: storage.getItem(`${prefix}.randomPasswordKey`),
  };
}

/**
 * Records every request the library sends through `pool`'s client and the
 * answer to it: `[{ operation, params, error, answer }]`, in order. `params`
 * is the request as sent (the library changes its objects and sends them
 * again when it retries).
 */
export function recordRequests(pool) {
  const calls = [];
  const send = pool.client.request.bind(pool.client);
  pool.client.request = (operation, params, callback) => {
    const entry = { operation, params: JSON.parse(JSON.stringify(params)) };
    calls.push(entry);
    send(operation, params, (error, answer) => {
      entry.error = error;
      entry.answer = answer;
      callback(error, answer);
    });
  };
  return calls;
}

/**
 * The recorded calls from `from` on, one line each: the operation, the flow or
 * challenge it sent, and what came back (the next challenge, `tokens` or
 * `tokens, new device` for an AuthenticationResult, `ok` for another answer,
 * the error's name for an error).
 */
export function challengeSteps(calls, from = 0) {
  return calls.slice(from).map(({ operation, params, error, answer }) => {
    const sent = params.ChallengeName ?? params.AuthFlow ?? "";
    let got = "ok";
    if (error) {
      got = error.name;
    } else if (answer.ChallengeName) {
      got = answer.ChallengeName;
    } else if (answer.AuthenticationResult) {
      got = answer.AuthenticationResult.NewDeviceMetadata ? "tokens, new device" : "tokens";
    }
    return [operation, sent, "->", got].filter(Boolean).join(" ");
  });
}

/** The DeviceName amazon-cognito-identity-js gives ConfirmDevice here. */
export const LIBRARY_DEVICE_NAME =
  typeof navigator !== "undefined" ? navigator.userAgent : "nodejs";

/** The devices the emulator tracks for `username` in pool `poolId`. */
export async function trackedDevices(poolId, username) {
  const query = new URLSearchParams({ pool_id: poolId, username });
  return (await getJson(`${endpoint}/_cognito/devices?${query}`)).devices;
}

/**
 * Creates a pool with this `DeviceConfiguration` and MFA off; returns its id.
 */
export async function makeDevicePool(client, DeviceConfiguration) {
  const created = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName(),
      MfaConfiguration: "OFF",
      DeviceConfiguration,
    }),
  );
  assert.deepEqual(created.UserPool.DeviceConfiguration, DeviceConfiguration);
  return created.UserPool.Id;
}

/** A device's `[{Name, Value}]` attributes as an object. */
export function deviceAttributes(device) {
  return Object.fromEntries(device.DeviceAttributes.map(({ Name, Value }) => [Name, Value]));
}

// The library's callbacks, as promises.

/**
 * Signs in with the library's default flow (USER_SRP_AUTH). Resolves with
 * `{ session, userConfirmationNecessary }`, or with the MFA callback the
 * library called: `{ callback, challengeName, parameters }`.
 */
export function signIn(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  const challenge = (resolve, callback) => (challengeName, parameters) =>
    resolve({ callback, challengeName, parameters });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: (session, userConfirmationNecessary) =>
        resolve({ session, userConfirmationNecessary }),
      onFailure: reject,
      totpRequired: challenge(resolve, "totpRequired"),
      mfaRequired: challenge(resolve, "mfaRequired"),
      mfaSetup: challenge(resolve, "mfaSetup"),
      selectMFAType: challenge(resolve, "selectMFAType"),
      newPasswordRequired: challenge(resolve, "newPasswordRequired"),
      customChallenge: challenge(resolve, "customChallenge"),
    });
  });
}

/** Answers an MFA challenge; resolves with `{ session, userConfirmationNecessary }`. */
export function sendMFACode(user, code, mfaType) {
  return new Promise((resolve, reject) => {
    user.sendMFACode(
      code,
      {
        onSuccess: (session, userConfirmationNecessary) =>
          resolve({ session, userConfirmationNecessary }),
        onFailure: reject,
      },
      mfaType,
    );
  });
}

/**
 * Calls one of the library's methods that take `{ onSuccess, onFailure }`
 * last (getDevice, listDevices, setDeviceStatusRemembered, forgetDevice, ...).
 */
export function call(user, method, ...args) {
  return new Promise((resolve, reject) => {
    user[method](...args, { onSuccess: resolve, onFailure: reject });
  });
}

/** `user.refreshSession` with a node-style callback, as a promise. */
export function refreshSession(user, refreshToken) {
  return new Promise((resolve, reject) => {
    user.refreshSession(refreshToken, (err, session) => (err ? reject(err) : resolve(session)));
  });
}
