// The authorization code grant through a real OpenID Connect client: the test
// API mints a code (the sign-in pages are not served yet) with a PKCE
// challenge, a nonce and a state made by openid-client; openid-client then
// exchanges it (authorizationCodeGrant, checking state, nonce and the ID
// token), refreshes, reads userInfo and revokes; aws-jwt-verify checks both
// tokens against the pool's JWKS.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import * as oidc from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { getJson, httpFetcher, makeConfirmedUser } from "../lib/accounts.js";
import { deletePoolQuietly, endpoint, makeClient, uniqueName } from "../lib/cognito.js";

const CALLBACK = "https://app.example.com/callback";

describe("authorization code grant (openid-client, aws-jwt-verify)", () => {
  const admin = makeClient();
  let poolId;
  let domain;
  let issuer;
  let app;

  before(async () => {
    const pool = await admin.send(new CreateUserPoolCommand({ PoolName: uniqueName() }));
    poolId = pool.UserPool.Id;
    domain = uniqueName("code");
    await admin.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
    const client = await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: uniqueName("spa"),
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        SupportedIdentityProviders: ["COGNITO"],
        CallbackURLs: [CALLBACK],
      }),
    );
    app = client.UserPoolClient;
    await makeConfirmedUser(admin, poolId, "alice", {
      email: "alice@example.com",
      email_verified: "true",
      given_name: "Alice",
    });
    issuer = (await getJson(`${endpoint}/${poolId}/.well-known/openid-configuration`)).issuer;
  });

  after(async () => {
    if (poolId) {
      await deletePoolQuietly(admin, poolId);
    }
    admin.destroy();
  });

  /** openid-client's configuration for the public client, found by discovery. */
  function discover() {
    return oidc.discovery(new URL(issuer), app.ClientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  }

  function verifier(tokenUse, extra) {
    return JwtRsaVerifier.create(
      {
        issuer,
        audience: tokenUse === "id" ? app.ClientId : null,
        jwksUri: `${endpoint}/${poolId}/.well-known/jwks.json`,
        customJwtCheck: ({ payload }) => assert.equal(payload.token_use, tokenUse),
        ...extra,
      },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
  }

  /** A code for alice, as the sign-in pages would redirect with it. */
  async function signIn(parameters) {
    const response = await fetch(`${endpoint}/_cognito/authorization-codes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        pool_id: poolId,
        client_id: app.ClientId,
        username: "alice",
        redirect_uri: CALLBACK,
        ...parameters,
      }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    return new URL(body.redirect);
  }

  it("discovers the endpoints of the pool's domain", async () => {
    const metadata = (await discover()).serverMetadata();
    const at = (path) => `${endpoint}/${domain}/oauth2/${path}`;
    assert.equal(metadata.token_endpoint, at("token"));
    assert.equal(metadata.userinfo_endpoint, at("userInfo"));
    assert.equal(metadata.revocation_endpoint, at("revoke"));
    assert.ok(metadata.grant_types_supported.includes("authorization_code"));
  });

  it("exchanges a code with PKCE, refreshes, reads userInfo and revokes", async () => {
    const config = await discover();
    const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
    const codeChallenge = await oidc.calculatePKCECodeChallenge(pkceCodeVerifier);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const callback = await signIn({
      scope: "openid email profile",
      code_challenge: codeChallenge,
      code_challenge_method: "S256",
      nonce,
      state,
    });

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, "alice@example.com");
    const id = await verifier("id").verify(tokens.id_token);
    assert.equal(id.nonce, nonce);
    assert.ok(id.at_hash);
    const access = await verifier("access", { scope: "openid" }).verify(tokens.access_token);
    assert.equal(access.scope, "openid email profile");
    assert.equal(access.username, "alice");

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    const again = await verifier("access").verify(refreshed.access_token);
    assert.equal(again.scope, "openid email profile");
    assert.equal(again.origin_jti, access.origin_jti);

    const info = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
    assert.equal(info.sub, claims.sub);
    assert.equal(info.email, "alice@example.com");
    assert.equal(info.email_verified, "true");
    assert.equal(info.given_name, "Alice");
    assert.equal(info.username, "alice");

    await oidc.tokenRevocation(config, tokens.refresh_token);
    await assert.rejects(
      oidc.refreshTokenGrant(config, tokens.refresh_token),
      (e) => e.error === "invalid_grant",
    );

    // The same code again is refused.
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier,
        expectedNonce: nonce,
        expectedState: state,
      }),
      (e) => e.error === "invalid_grant",
    );
  });

  it("refuses a wrong verifier", async () => {
    const config = await discover();
    const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
    const callback = await signIn({ code_challenge: challenge, code_challenge_method: "S256" });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        idTokenExpected: true,
      }),
      (e) => e.error === "invalid_grant",
    );
  });
});
