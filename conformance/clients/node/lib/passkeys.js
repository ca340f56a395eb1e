// Passkeys made by a real browser: a page whose script turns Cognito's JSON
// options into WebAuthn calls and the browser's credentials back into JSON,
// pools that offer passkeys as a first factor, registration through
// StartWebAuthnRegistration / CompleteWebAuthnRegistration, and the passkeys
// the emulator keeps (`GET /_cognito/webauthn-credentials`, see
// docs/test-api.md).
//
// The page does nothing but `navigator.credentials`; every API call is made
// from Node.

import assert from "node:assert/strict";

import {
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

import { getJson, httpFetcher } from "./accounts.js";
import { endpoint, uniqueName } from "./cognito.js";

/**
 * The page's script. `passkeys.create(options, how)` and `passkeys.get(options, how)`
 * take the JSON options Cognito hands out (base64url members) and answer
 * `{ok: true, json, serializedBy}` with the credential as RegistrationResponseJSON or
 * AuthenticationResponseJSON, or `{ok: false, name, message}` with the DOMException.
 * `how` is "browser" (the browser's own `PublicKeyCredential.toJSON()`, built member
 * by member where the browser lacks it) or "amplify" (member by member, as Amplify
 * JS's passkey serializer builds it).
 */
const PAGE_SCRIPT = String.raw`
const fromB64url = (text) => {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
};
const toB64url = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const withIds = (list) => (list ?? []).map((c) => ({ ...c, id: fromB64url(c.id) }));

function registrationJson(credential) {
  const r = credential.response;
  const response = {
    clientDataJSON: toB64url(r.clientDataJSON),
    attestationObject: toB64url(r.attestationObject),
    transports: r.getTransports(),
    publicKeyAlgorithm: r.getPublicKeyAlgorithm(),
    authenticatorData: toB64url(r.getAuthenticatorData()),
  };
  const publicKey = r.getPublicKey();
  if (publicKey) response.publicKey = toB64url(publicKey);
  const json = {
    type: credential.type,
    id: credential.id,
    rawId: toB64url(credential.rawId),
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  };
  if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
  return json;
}

function assertionJson(credential) {
  const r = credential.response;
  const response = {
    clientDataJSON: toB64url(r.clientDataJSON),
    authenticatorData: toB64url(r.authenticatorData),
    signature: toB64url(r.signature),
  };
  if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  const json = {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  };
  if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
  return json;
}

function serialize(credential, how, byHand) {
  if (how === "browser" && typeof credential.toJSON === "function") {
    return { json: credential.toJSON(), serializedBy: "toJSON" };
  }
  return { json: byHand(credential), serializedBy: "by hand" };
}

async function ceremony(run) {
  try {
    return { ok: true, ...(await run()) };
  } catch (err) {
    return { ok: false, name: err.name, message: err.message };
  }
}

window.passkeys = {
  create: (options, how) =>
    ceremony(async () => {
      const publicKey = {
        ...options,
        challenge: fromB64url(options.challenge),
        user: { ...options.user, id: fromB64url(options.user.id) },
        excludeCredentials: withIds(options.excludeCredentials),
      };
      const credential = await navigator.credentials.create({ publicKey });
      return serialize(credential, how, registrationJson);
    }),
  get: (options, how) =>
    ceremony(async () => {
      const publicKey = {
        ...options,
        challenge: fromB64url(options.challenge),
        allowCredentials: withIds(options.allowCredentials),
      };
      const credential = await navigator.credentials.get({ publicKey });
      return serialize(credential, how, assertionJson);
    }),
};
`;

export const PASSKEY_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Passkeys</title></head>
<body><p>Passkey ceremonies for the emulator's tests.</p>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

/**
 * Runs `navigator.credentials.create` in the page with Cognito's
 * CredentialCreationOptions; answers the page's result (see PAGE_SCRIPT).
 */
export async function createInPage(page, options, how = "browser") {
  return page.evaluate(([o, h]) => window.passkeys.create(o, h), [options, how]);
}

/** Runs `navigator.credentials.get` in the page with Cognito's CREDENTIAL_REQUEST_OPTIONS. */
export async function getInPage(page, options, how = "browser") {
  return page.evaluate(([o, h]) => window.passkeys.get(o, h), [options, how]);
}

/** As `createInPage`, asserting that the browser made a credential; answers its JSON. */
export async function createCredential(page, options, how = "browser") {
  const result = await createInPage(page, options, how);
  assert.ok(result.ok, `navigator.credentials.create failed: ${result.name}: ${result.message}`);
  return result.json;
}

/** As `getInPage`, asserting that the browser made an assertion; answers its JSON. */
export async function getAssertion(page, options, how = "browser") {
  const result = await getInPage(page, options, how);
  assert.ok(result.ok, `navigator.credentials.get failed: ${result.name}: ${result.message}`);
  return result.json;
}

/**
 * A pool (Essentials, the default tier) whose first factors are `factors`, with
 * a WebAuthn relying party `localhost` and the user verification asked for.
 * Returns the pool id.
 */
export async function makePasskeyPool(
  client,
  { factors = ["PASSWORD", "WEB_AUTHN"], userVerification = "preferred", ...more } = {},
) {
  const created = await client.send(
    new CreateUserPoolCommand({
      PoolName: uniqueName("passkeys"),
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors } },
      ...more,
    }),
  );
  const UserPoolId = created.UserPool.Id;
  assert.deepEqual(
    [...created.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors].sort(),
    [...factors].sort(),
  );
  const set = await client.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId,
      WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: userVerification },
    }),
  );
  assert.equal(set.WebAuthnConfiguration.RelyingPartyId, "localhost");
  assert.equal(set.WebAuthnConfiguration.UserVerification, userVerification);
  return UserPoolId;
}

/**
 * Registers a passkey for the user of `accessToken`: StartWebAuthnRegistration,
 * the browser's `navigator.credentials.create`, CompleteWebAuthnRegistration.
 * Answers the options and the credential sent.
 */
export async function registerPasskey(client, page, accessToken, how = "browser") {
  const { CredentialCreationOptions: options } = await client.send(
    new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }),
  );
  const credential = await createCredential(page, options, how);
  await client.send(
    new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: credential }),
  );
  return { options, credential };
}

/** The passkeys the emulator holds for `username` of pool `poolId`. */
export async function storedPasskeys(poolId, username) {
  const query = new URLSearchParams({ pool_id: poolId, username });
  return (await getJson(`${endpoint}/_cognito/webauthn-credentials?${query}`)).credentials;
}

/**
 * Verifiers of an app client's ID and access tokens, against the pool's JWKS and
 * the issuer its discovery document names (aws-jwt-verify's CognitoJwtVerifier
 * accepts AWS's endpoints only; JwtRsaVerifier runs with its checks instead).
 */
export async function tokenVerifiers(poolId, clientId) {
  const config = await getJson(`${endpoint}/${poolId}/.well-known/openid-configuration`);
  const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
  return {
    id: JwtRsaVerifier.create(
      {
        issuer: config.issuer,
        audience: clientId,
        jwksUri: config.jwks_uri,
        customJwtCheck: ({ payload }) => assert.equal(payload.token_use, "id"),
      },
      { jwksCache },
    ),
    access: JwtRsaVerifier.create(
      {
        issuer: config.issuer,
        audience: null,
        jwksUri: config.jwks_uri,
        customJwtCheck: ({ payload }) => {
          assert.equal(payload.token_use, "access");
          assert.equal(payload.client_id, clientId);
        },
      },
      { jwksCache },
    ),
  };
}

/** A copy of `value` with every ArrayBuffer or typed array in it as a base64url string. */
function buffersToB64url(value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  }
  if (Array.isArray(value)) {
    return value.map(buffersToB64url);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, buffersToB64url(v)]));
  }
  return value;
}

function b64urlToBuffer(text) {
  const bytes = Buffer.from(text, "base64url");
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

// Node stand-ins for the WebAuthn interfaces, holding what Chromium made byte for byte.

class AuthenticatorResponse {
  constructor(json) {
    this.clientDataJSON = b64urlToBuffer(json.clientDataJSON);
  }
}

class AuthenticatorAttestationResponse extends AuthenticatorResponse {
  #json;

  constructor(json) {
    super(json);
    this.#json = json;
    this.attestationObject = b64urlToBuffer(json.attestationObject);
  }

  getTransports() {
    return [...(this.#json.transports ?? [])];
  }

  getPublicKeyAlgorithm() {
    return this.#json.publicKeyAlgorithm;
  }

  getAuthenticatorData() {
    return b64urlToBuffer(this.#json.authenticatorData);
  }

  getPublicKey() {
    return this.#json.publicKey === undefined ? null : b64urlToBuffer(this.#json.publicKey);
  }
}

class AuthenticatorAssertionResponse extends AuthenticatorResponse {
  constructor(json) {
    super(json);
    this.authenticatorData = b64urlToBuffer(json.authenticatorData);
    this.signature = b64urlToBuffer(json.signature);
    this.userHandle = json.userHandle === undefined ? null : b64urlToBuffer(json.userHandle);
  }
}

class PublicKeyCredential {
  #json;

  constructor(json, response) {
    this.#json = json;
    this.id = json.id;
    this.rawId = b64urlToBuffer(json.rawId);
    this.type = json.type;
    this.authenticatorAttachment = json.authenticatorAttachment ?? null;
    this.response = response;
  }

  getClientExtensionResults() {
    return structuredClone(this.#json.clientExtensionResults ?? {});
  }

  toJSON() {
    return structuredClone(this.#json);
  }
}

const BROWSER_GLOBALS = [
  "window",
  "navigator",
  "PublicKeyCredential",
  "AuthenticatorAttestationResponse",
  "AuthenticatorAssertionResponse",
];

/**
 * Runs `run` (a call into a browser library, such as Amplify JS) with a
 * browser's WebAuthn in Node: a `window` that is a secure context,
 * `navigator.credentials` whose `create` and `get` run in Chromium's `page`
 * (its authenticator makes and signs the credential), and Node stand-ins for
 * the credential interfaces, carrying what the browser answered byte for byte.
 * The globals are there only while `run` runs.
 */
export async function withBrowserWebAuthn(page, run) {
  const ceremony = async (inPage, publicKey, Response) => {
    const result = await inPage(page, buffersToB64url(publicKey));
    if (!result.ok) {
      throw new DOMException(result.message, result.name);
    }
    return new PublicKeyCredential(result.json, new Response(result.json.response));
  };
  const credentials = {
    create: ({ publicKey }) => ceremony(createInPage, publicKey, AuthenticatorAttestationResponse),
    get: ({ publicKey }) => ceremony(getInPage, publicKey, AuthenticatorAssertionResponse),
  };
  const browserGlobals = {
    window: { document: {}, isSecureContext: true, PublicKeyCredential },
    navigator: { credentials },
    PublicKeyCredential,
    AuthenticatorAttestationResponse,
    AuthenticatorAssertionResponse,
  };
  const saved = BROWSER_GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
  for (const name of BROWSER_GLOBALS) {
    Object.defineProperty(globalThis, name, {
      value: browserGlobals[name],
      configurable: true,
      writable: true,
    });
  }
  try {
    return await run();
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor === undefined) {
        delete globalThis[name];
      } else {
        Object.defineProperty(globalThis, name, descriptor);
      }
    }
  }
}
