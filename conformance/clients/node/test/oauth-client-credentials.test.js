// Machine-to-machine tokens through a real OAuth 2.0 client: openid-client
// discovers the pool (its discovery document names the token endpoint of the
// pool's domain), asks for tokens with the client credentials grant under both
// client authentication methods, and reads the token endpoint's errors; the
// tokens are verified by aws-jwt-verify against the pool's JWKS.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import * as oidc from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  GetClientTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { getJson, httpFetcher } from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient, uniqueName } from "../lib/cognito.js";

describe("client credentials grant (openid-client, aws-jwt-verify)", () => {
  const admin = makeClient();
  const server = uniqueName("api");
  const read = `${server}/read`;
  const write = `${server}/write`;
  let poolId;
  let domain;
  let issuer;
  let machine;
  let web;

  async function appClient(input) {
    const out = await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: uniqueName("app"),
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        ...input,
      }),
    );
    return out.UserPoolClient;
  }

  before(async () => {
    const pool = await admin.send(new CreateUserPoolCommand({ PoolName: uniqueName() }));
    poolId = pool.UserPool.Id;
    await admin.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: server,
        Name: "api",
        Scopes: [
          { ScopeName: "read", ScopeDescription: "read" },
          { ScopeName: "write", ScopeDescription: "write" },
        ],
      }),
    );
    domain = uniqueName("m2m");
    await admin.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
    machine = await appClient({
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: [read, write],
    });
    web = await appClient({
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid"],
      CallbackURLs: ["https://example.com/callback"],
    });
    issuer = (await getJson(`${endpoint}/${poolId}/.well-known/openid-configuration`)).issuer;
  });

  after(async () => {
    if (poolId) {
      await deletePoolQuietly(admin, poolId);
    }
    admin.destroy();
  });

  /** openid-client's configuration for `app`, found by discovery. */
  function discover(app, authentication) {
    return oidc.discovery(new URL(issuer), app.ClientId, app.ClientSecret, authentication, {
      execute: [oidc.allowInsecureRequests],
    });
  }

  /** Verifies an access token of `app` granting `scope`. */
  function verifier(app, scope) {
    return JwtRsaVerifier.create(
      {
        issuer,
        audience: null,
        jwksUri: `${endpoint}/${poolId}/.well-known/jwks.json`,
        scope,
        customJwtCheck: ({ payload }) => {
          assert.equal(payload.token_use, "access");
          assert.equal(payload.client_id, app.ClientId);
          assert.equal(payload.sub, app.ClientId);
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
  }

  it("discovers the token endpoint of the pool's domain", async () => {
    const config = await discover(machine, oidc.ClientSecretBasic());
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, issuer);
    assert.equal(metadata.token_endpoint, `${endpoint}/${domain}/oauth2/token`);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, [
      "client_secret_basic",
      "client_secret_post",
      "none",
    ]);
  });

  it("grants a token with client_secret_basic", async () => {
    const config = await discover(machine, oidc.ClientSecretBasic());
    const tokens = await oidc.clientCredentialsGrant(config, { scope: read });
    assert.equal(tokens.token_type.toLowerCase(), "bearer");
    assert.equal(tokens.expires_in, 3600);
    const payload = await verifier(machine, read).verify(tokens.access_token);
    assert.equal(payload.scope, read);
    assert.equal(payload.version, 2);
    assert.equal(payload.exp - payload.iat, 3600);
  });

  it("grants every allowed scope with client_secret_post", async () => {
    const config = await discover(machine, oidc.ClientSecretPost());
    const tokens = await oidc.clientCredentialsGrant(config);
    const payload = await verifier(machine, [read, write]).verify(tokens.access_token);
    assert.equal(payload.scope, `${read} ${write}`);
  });

  it("the token GetClientToken issues verifies alike", async () => {
    const out = await admin.send(
      new GetClientTokenCommand({
        ClientId: machine.ClientId,
        Secret: machine.ClientSecret,
        Scopes: [write],
      }),
    );
    const result = out.ClientAuthenticationResult;
    assert.equal(result.TokenType, "Bearer");
    const payload = await verifier(machine, write).verify(result.AccessToken);
    assert.equal(payload.scope, write);
  });

  /** The OAuth 2.0 error code and status of a failed grant. */
  async function grantError(config, parameters) {
    try {
      await oidc.clientCredentialsGrant(config, parameters);
    } catch (e) {
      // A 401 that challenges the client surfaces as a challenge error.
      if (e.code === "OAUTH_WWW_AUTHENTICATE_CHALLENGE") {
        return { status: e.response.status, error: (await e.response.json()).error };
      }
      return { status: e.status, error: e.error };
    }
    assert.fail("the grant succeeded");
  }

  it("refuses a wrong secret, an unknown scope and a client without the grant", async () => {
    for (const authentication of [oidc.ClientSecretBasic(), oidc.ClientSecretPost()]) {
      const wrong = await discover({ ...machine, ClientSecret: "x".repeat(52) }, authentication);
      assert.deepEqual(await grantError(wrong), { status: 401, error: "invalid_client" });
    }
    const config = await discover(machine, oidc.ClientSecretBasic());
    assert.deepEqual(await grantError(config, { scope: `${server}/delete` }), {
      status: 400,
      error: "invalid_scope",
    });
    const code = await discover(web, oidc.ClientSecretBasic());
    assert.deepEqual(await grantError(code), { status: 400, error: "unauthorized_client" });
  });
});
