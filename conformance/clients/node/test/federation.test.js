// Federated sign-in between two servers of this file's own: the downstream pool
// trusts the upstream pool as its OpenID Connect identity provider "Upstream". Both
// serve HTTPS with the local CA of one temporary `--tls-dir`, so the downstream
// checks the upstream's certificate when it reads its discovery document and key set
// and exchanges codes; Chromium trusts the CA through
// `--ignore-certificate-errors-spki-list`.
//
// Chromium goes to the downstream's /oauth2/authorize (plain HTTP) with
// `identity_provider=Upstream`, or presses "Continue with Upstream" on its sign-in
// page, signs in on the upstream's page (HTTPS), comes back through the
// downstream's /oauth2/idpresponse and reaches the app with the downstream's code.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminUpdateUserAttributesCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD, attributesOf, makeConfirmedUser } from "../lib/accounts.js";
import { uniqueName } from "../lib/cognito.js";
import {
  authorizeUrl,
  exchangeCode,
  fetchTrusting,
  follow,
  heading,
  launchChromium,
  makeLoginPool,
  newPage,
  pkce,
  random,
  screenshot,
  signIn,
  startApp,
  trustingFlag,
  verifyIdToken,
} from "../lib/login.js";
import { startCognitoServer } from "../lib/triggers.js";

const PROVIDER = "Upstream";
const IDENTIFIER = "upstream.example";

describe("federation through another server's pool (OIDC)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cognito-federation-"));
  let upstream;
  let downstream;
  let browser;
  let app;
  /** The upstream pool: `{ poolId, domain, clientId, clientSecret }`. */
  let up;
  /** The downstream pool: `{ poolId, domain, clientId }`. */
  let down;

  before(async () => {
    upstream = await startCognitoServer(["--tls", "--tls-dir", dir]);
    downstream = await startCognitoServer(["--tls", "--tls-dir", dir]);
    const ca = readFileSync(path.join(dir, "ca.pem"));
    browser = await launchChromium([trustingFlag(ca)]);
    app = await startApp();

    // The downstream pool and its domain, so that the upstream knows its idpresponse.
    const created = await downstream.client.send(
      new CreateUserPoolCommand({ PoolName: uniqueName("downstream") }),
    );
    const downPool = created.UserPool.Id;
    const downDomain = uniqueName("down");
    await downstream.client.send(
      new CreateUserPoolDomainCommand({ UserPoolId: downPool, Domain: downDomain }),
    );
    const idpresponse = `${downstream.endpoint}/${downDomain}/oauth2/idpresponse`;

    // The upstream: a confidential client sending the browser back to the downstream.
    up = await makeLoginPool(
      upstream.client,
      { callback: idpresponse, signedOut: idpresponse },
      { client: { GenerateSecret: true } },
    );
    const upstreamHttps = upstream.endpoint.replace(/^http:/, "https:");
    const response = await fetchTrusting(ca)(
      `${upstreamHttps}/${up.poolId}/.well-known/openid-configuration`,
    );
    const { issuer } = await response.json();
    assert.equal(issuer, `${upstreamHttps}/${up.poolId}`);

    // The downstream trusts it by its issuer.
    await downstream.client.send(
      new CreateIdentityProviderCommand({
        UserPoolId: downPool,
        ProviderName: PROVIDER,
        ProviderType: "OIDC",
        ProviderDetails: {
          client_id: up.clientId,
          client_secret: up.clientSecret,
          authorize_scopes: "openid email profile",
          oidc_issuer: issuer,
          attributes_request_method: "GET",
        },
        AttributeMapping: { email: "email" },
        IdpIdentifiers: [IDENTIFIER],
      }),
    );
    const client = await downstream.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: downPool,
        ClientName: "web",
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "email", "profile"],
        SupportedIdentityProviders: ["COGNITO", PROVIDER],
        CallbackURLs: [app.callback],
        LogoutURLs: [app.signedOut],
      }),
    );
    down = { poolId: downPool, domain: downDomain, clientId: client.UserPoolClient.ClientId };
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    for (const server of [upstream, downstream]) {
      server?.client.destroy();
      await server?.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** A person of the upstream pool, with a verified email; answers their `sub` there. */
  async function upstreamPerson(username, email) {
    await makeConfirmedUser(upstream.client, up.poolId, username, {
      email,
      email_verified: "true",
    });
    const user = await upstream.client.send(
      new AdminGetUserCommand({ UserPoolId: up.poolId, Username: username }),
    );
    return attributesOf(user.UserAttributes).sub;
  }

  /**
   * Signs `username` in at the upstream's page, where `start` sent a new browser,
   * and follows the browser back to the app; answers the downstream ID token's claims.
   */
  async function federatedSignIn(username, start) {
    const page = await newPage(browser);
    const { verifier, challenge } = pkce();
    const state = random();
    const request = { state, code_challenge: challenge, code_challenge_method: "S256" };
    await start(page, authorizeUrl(downstream.endpoint, down, app, request));
    assert.equal(
      `${new URL(page.url()).origin}${new URL(page.url()).pathname}`,
      `${upstream.endpoint.replace(/^http:/, "https:")}/${up.domain}/login`,
    );
    await signIn(page, username, PASSWORD);
    assert.equal(new URL(page.url()).pathname, "/callback", page.url());
    const back = app.last();
    assert.equal(back.state, state);
    assert.ok(back.code, JSON.stringify(back));
    const visited = page.visited.map((url) => new URL(url).pathname);
    assert.ok(visited.includes(`/${down.domain}/oauth2/idpresponse`), visited.join("\n"));
    await page.context().close();
    const tokens = await exchangeCode(downstream.endpoint, down, app, back.code, verifier);
    return verifyIdToken(downstream.endpoint, down.poolId, down.clientId, tokens.id_token);
  }

  /** Goes straight to the provider: `identity_provider=Upstream`. */
  async function straight(page, url) {
    await page.goto(`${url}&identity_provider=${PROVIDER}`);
  }

  it("signs in as Upstream_<sub> on the upstream's page; signing in again updates it", async () => {
    const sub = await upstreamPerson("ana", "ana@example.com");
    const claims = await federatedSignIn("ana", straight);
    const username = `${PROVIDER}_${sub}`;
    assert.equal(claims["cognito:username"], username);
    assert.equal(claims.email, "ana@example.com");
    assert.equal(claims.identities.length, 1);
    assert.deepEqual(
      {
        userId: claims.identities[0].userId,
        providerName: claims.identities[0].providerName,
        providerType: claims.identities[0].providerType,
        primary: claims.identities[0].primary,
      },
      { userId: sub, providerName: PROVIDER, providerType: "OIDC", primary: "true" },
    );
    const user = await downstream.client.send(
      new AdminGetUserCommand({ UserPoolId: down.poolId, Username: username }),
    );
    assert.equal(user.UserStatus, "EXTERNAL_PROVIDER");

    // The upstream's email changes; the next sign-in brings it to the same user.
    await upstream.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: up.poolId,
        Username: "ana",
        UserAttributes: [
          { Name: "email", Value: "ana.new@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    const again = await federatedSignIn("ana", straight);
    assert.equal(again["cognito:username"], username);
    assert.equal(again.sub, claims.sub);
    assert.equal(again.email, "ana.new@example.com");
    const updated = await downstream.client.send(
      new AdminGetUserCommand({ UserPoolId: down.poolId, Username: username }),
    );
    assert.equal(attributesOf(updated.UserAttributes).email, "ana.new@example.com");
    const listed = await downstream.client.send(
      new ListUsersCommand({ UserPoolId: down.poolId, Filter: `username = "${username}"` }),
    );
    assert.equal(listed.Users.length, 1);
  });

  it("offers the provider on the downstream's sign-in page", async () => {
    const sub = await upstreamPerson("ben", "ben@example.com");
    const claims = await federatedSignIn("ben", async (page, url) => {
      await page.goto(url);
      assert.equal(await heading(page), "Sign in");
      const button = page.getByRole("link", { name: `Continue with ${PROVIDER}` });
      assert.ok(await button.isVisible());
      await screenshot(page, "sign-in-with-provider");
      await follow(page, button);
    });
    assert.equal(claims["cognito:username"], `${PROVIDER}_${sub}`);
  });

  it("finds the provider by its identifier (idp_identifier)", async () => {
    const sub = await upstreamPerson("dov", "dov@example.com");
    const claims = await federatedSignIn("dov", async (page, url) => {
      await page.goto(`${url}&idp_identifier=${IDENTIFIER}`);
    });
    assert.equal(claims["cognito:username"], `${PROVIDER}_${sub}`);
  });

  it("signs in as the pool's own user an identity AdminLinkProviderForUser linked", async () => {
    const sub = await upstreamPerson("cleo", "cleo@example.com");
    await makeConfirmedUser(downstream.client, down.poolId, "cleo-local", {
      email: "cleo@example.com",
      email_verified: "true",
    });
    await downstream.client.send(
      new AdminLinkProviderForUserCommand({
        UserPoolId: down.poolId,
        DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: "cleo-local" },
        SourceUser: {
          ProviderName: PROVIDER,
          ProviderAttributeName: "Cognito_Subject",
          ProviderAttributeValue: sub,
        },
      }),
    );
    const claims = await federatedSignIn("cleo", straight);
    assert.equal(claims["cognito:username"], "cleo-local");
    assert.deepEqual(
      claims.identities.map((i) => [i.providerName, i.userId]),
      [[PROVIDER, sub]],
    );
    const local = await downstream.client.send(
      new AdminGetUserCommand({ UserPoolId: down.poolId, Username: "cleo-local" }),
    );
    assert.equal(claims.sub, attributesOf(local.UserAttributes).sub);
    assert.equal(local.UserStatus, "CONFIRMED");
    const identities = JSON.parse(attributesOf(local.UserAttributes).identities);
    assert.deepEqual(
      identities.map((i) => [i.providerName, i.userId]),
      [[PROVIDER, sub]],
    );
    // No Upstream_<sub> user was made.
    const listed = await downstream.client.send(
      new ListUsersCommand({
        UserPoolId: down.poolId,
        Filter: `username = "${PROVIDER}_${sub}"`,
      }),
    );
    assert.equal(listed.Users.length, 0);
  });
});
