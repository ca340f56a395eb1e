// User pools of AWS Regions other than the server's own, through the AWS SDK
// for JavaScript v3 configured for those Regions (eu-central-1, sa-east-1): a
// pool's id and ARN carry its Region; sign-up, sign-in, refresh and password
// resets work there, with and without a client secret; the tokens verify with
// aws-jwt-verify against the pool's JWKS and issuer; amazon-cognito-identity-js
// signs in with SRP, taking the Region from the pool id; ListUserPools lists
// the pools of the Region asked about.
//
// An app client with a secret gets SECRET_HASH with every request that names
// a user, computed as the SDKs document it (`secretHash` in lib/accounts.js).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import identity from "amazon-cognito-identity-js";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  SignUpCommand,
  paginateListUserPools,
} from "@aws-sdk/client-cognito-identity-provider";

import {
  NEW_PASSWORD,
  PASSWORD,
  attributesOf,
  getJson,
  httpFetcher,
  makeConfirmedUser,
  messages,
  secretHash,
} from "../lib/accounts.js";
import {
  accountId,
  deletePoolQuietly,
  endpoint,
  makeClient,
  rejectsWith,
  uniqueName,
} from "../lib/cognito.js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const FRANKFURT = "eu-central-1";
const SAO_PAULO = "sa-east-1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MASKED_EMAIL = /^[^*@]\*\*\*@[^*@]\*\*\*$/;
const FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

/**
 * Verifiers of one app client's ID and access tokens, against the pool's JWKS
 * and its issuer, `<endpoint>/<poolId>` (Cognito's is its Region's endpoint
 * followed by the pool id). CognitoJwtVerifier accepts AWS's endpoints only, so
 * JwtRsaVerifier runs here, with the checks CognitoJwtVerifier adds
 * (`token_use`, `client_id`) as its custom check.
 */
function verifiersFor(poolId, clientId) {
  const issuer = `${endpoint}/${poolId}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
  return {
    issuer,
    id: JwtRsaVerifier.create(
      {
        issuer,
        audience: clientId,
        jwksUri,
        customJwtCheck: ({ payload }) => assert.equal(payload.token_use, "id"),
      },
      { jwksCache },
    ),
    access: JwtRsaVerifier.create(
      {
        issuer,
        audience: null,
        jwksUri,
        customJwtCheck: ({ payload }) => {
          assert.equal(payload.token_use, "access");
          assert.equal(payload.client_id, clientId);
        },
      },
      { jwksCache },
    ),
  };
}

/**
 * An app client of a pool, the SDK client of the pool's Region, and the
 * SECRET_HASH its requests carry when the app client has a secret.
 */
class App {
  constructor(client, poolId, appClient) {
    this.client = client;
    this.poolId = poolId;
    this.clientId = appClient.ClientId;
    this.clientSecret = appClient.ClientSecret;
    this.verify = verifiersFor(poolId, this.clientId);
  }

  /** The `SecretHash` member, for the operations that take one. */
  secretHash(username) {
    return this.clientSecret
      ? { SecretHash: secretHash(this.clientId, this.clientSecret, username) }
      : {};
  }

  /** AuthParameters, with SECRET_HASH when the app client has a secret. */
  withHash(username, parameters) {
    return this.clientSecret
      ? { ...parameters, SECRET_HASH: secretHash(this.clientId, this.clientSecret, username) }
      : parameters;
  }

  signUp(username, email) {
    return this.client.send(
      new SignUpCommand({
        ClientId: this.clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: [{ Name: "email", Value: email }],
        ...this.secretHash(username),
      }),
    );
  }

  async signIn(username, password = PASSWORD) {
    const out = await this.client.send(
      new InitiateAuthCommand({
        ClientId: this.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: this.withHash(username, { USERNAME: username, PASSWORD: password }),
      }),
    );
    return out.AuthenticationResult;
  }

  async refresh(username, refreshToken) {
    const out = await this.client.send(
      new InitiateAuthCommand({
        ClientId: this.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: this.withHash(username, { REFRESH_TOKEN: refreshToken }),
      }),
    );
    return out.AuthenticationResult;
  }
}

/** The payload of a JWT, unverified. */
function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

/** Signs in with SRP through amazon-cognito-identity-js; resolves with the session. */
function srpSignIn(poolId, clientId, username, password) {
  // The library takes the Region from the pool id and the emulator's address
  // as its `endpoint`.
  const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
  const user = new CognitoUser({ Username: username, Pool: userPool });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, { onSuccess: resolve, onFailure: reject });
  });
}

async function listPoolIds(client, pageSize) {
  const ids = [];
  for await (const page of paginateListUserPools({ client, pageSize }, { MaxResults: pageSize })) {
    ids.push(...page.UserPools.map((p) => p.Id));
  }
  return ids;
}

for (const region of [FRANKFURT, SAO_PAULO]) {
  describe(`a user pool of ${region}`, () => {
    const client = makeClient(region);
    let pool;
    const apps = {};

    before(async () => {
      const out = await client.send(
        new CreateUserPoolCommand({ PoolName: uniqueName(), AutoVerifiedAttributes: ["email"] }),
      );
      pool = out.UserPool;
      for (const [kind, GenerateSecret] of [
        ["public", false],
        ["secret", true],
      ]) {
        const created = await client.send(
          new CreateUserPoolClientCommand({
            UserPoolId: pool.Id,
            ClientName: kind,
            GenerateSecret,
            ExplicitAuthFlows: FLOWS,
            PreventUserExistenceErrors: "LEGACY",
          }),
        );
        apps[kind] = new App(client, pool.Id, created.UserPoolClient);
      }
    });

    after(async () => {
      await deletePoolQuietly(client, pool?.Id);
      client.destroy();
    });

    it("carries its Region in its id and ARN", async () => {
      assert.match(pool.Id, new RegExp(`^${region}_[0-9A-Za-z]{9}$`));
      assert.equal(pool.Arn, `arn:aws:cognito-idp:${region}:${accountId}:userpool/${pool.Id}`);
      const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }));
      assert.equal(described.UserPool.Arn, pool.Arn);
      assert.equal(apps.public.clientSecret, undefined);
      assert.ok(apps.secret.clientSecret);

      const config = await getJson(`${endpoint}/${pool.Id}/.well-known/openid-configuration`);
      assert.equal(config.issuer, `${endpoint}/${pool.Id}`);
      assert.equal(config.jwks_uri, `${endpoint}/${pool.Id}/.well-known/jwks.json`);
    });

    for (const kind of ["public", "secret"]) {
      it(`signs up, confirms and signs in (${kind} client)`, async () => {
        const app = apps[kind];
        const username = `liv-${kind}`;
        const email = `${username}@example.com`;
        const signedUp = await app.signUp(username, email);
        assert.equal(signedUp.UserConfirmed, false);
        assert.match(signedUp.UserSub, UUID);
        assert.equal(signedUp.CodeDeliveryDetails.DeliveryMedium, "EMAIL");
        assert.equal(signedUp.CodeDeliveryDetails.AttributeName, "email");
        assert.match(signedUp.CodeDeliveryDetails.Destination, MASKED_EMAIL);

        const sent = await messages(pool.Id, username);
        assert.deepEqual(
          sent.map((m) => [m.kind, m.destination]),
          [["sign_up_code", email]],
        );
        await rejectsWith(app.signIn(username), "UserNotConfirmedException");
        await client.send(
          new ConfirmSignUpCommand({
            ClientId: app.clientId,
            Username: username,
            ConfirmationCode: sent[0].code,
            ...app.secretHash(username),
          }),
        );

        const result = await app.signIn(username);
        assert.equal(result.TokenType, "Bearer");
        assert.equal(result.ExpiresIn, 3600);
        assert.ok(result.RefreshToken);

        const idClaims = await app.verify.id.verify(result.IdToken);
        assert.equal(idClaims.iss, `${endpoint}/${pool.Id}`);
        assert.equal(idClaims.aud, app.clientId);
        assert.equal(idClaims.sub, signedUp.UserSub);
        assert.equal(idClaims["cognito:username"], username);
        assert.equal(idClaims.email, email);
        assert.equal(idClaims.email_verified, true);
        const accessClaims = await app.verify.access.verify(result.AccessToken);
        assert.equal(accessClaims.iss, `${endpoint}/${pool.Id}`);
        assert.equal(accessClaims.username, username);
        assert.equal(accessClaims.sub, signedUp.UserSub);
        assert.equal(accessClaims.scope, "aws.cognito.signin.user.admin");

        const me = await client.send(new GetUserCommand({ AccessToken: result.AccessToken }));
        assert.equal(me.Username, username);
        const mine = attributesOf(me.UserAttributes);
        assert.equal(mine.sub, signedUp.UserSub);
        assert.equal(mine.email, email);
        assert.equal(mine.email_verified, "true");
      });

      it(`refreshes a session, then signs out everywhere (${kind} client)`, async () => {
        const app = apps[kind];
        const username = `hal-${kind}`;
        await makeConfirmedUser(client, pool.Id, username);
        const first = await app.signIn(username);

        const renewed = await app.refresh(username, first.RefreshToken);
        assert.equal(renewed.RefreshToken, undefined);
        const accessClaims = await app.verify.access.verify(renewed.AccessToken);
        assert.equal(accessClaims.username, username);
        assert.equal(accessClaims.origin_jti, claimsOf(first.AccessToken).origin_jti);
        const idClaims = await app.verify.id.verify(renewed.IdToken);
        assert.equal(idClaims["cognito:username"], username);
        const me = await client.send(new GetUserCommand({ AccessToken: renewed.AccessToken }));
        assert.equal(me.Username, username);

        await client.send(new GlobalSignOutCommand({ AccessToken: renewed.AccessToken }));
        for (const AccessToken of [first.AccessToken, renewed.AccessToken]) {
          const err = await rejectsWith(
            client.send(new GetUserCommand({ AccessToken })),
            "NotAuthorizedException",
          );
          assert.equal(err.message, "Access Token has been revoked");
        }
        await rejectsWith(app.refresh(username, first.RefreshToken), "NotAuthorizedException");
      });

      it(`resets a forgotten password with the emailed code (${kind} client)`, async () => {
        const app = apps[kind];
        const username = `pam-${kind}`;
        const email = `${username}@example.com`;
        await makeConfirmedUser(client, pool.Id, username, { email, email_verified: "true" });

        const asked = await client.send(
          new ForgotPasswordCommand({
            ClientId: app.clientId,
            Username: username,
            ...app.secretHash(username),
          }),
        );
        assert.equal(asked.CodeDeliveryDetails.DeliveryMedium, "EMAIL");
        assert.equal(asked.CodeDeliveryDetails.AttributeName, "email");
        assert.match(asked.CodeDeliveryDetails.Destination, MASKED_EMAIL);
        const [sent] = await messages(pool.Id, username);
        assert.equal(sent.kind, "forgot_password_code");
        assert.equal(sent.destination, email);
        assert.match(sent.code, /^\d{6}$/);

        await client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: app.clientId,
            Username: username,
            ConfirmationCode: sent.code,
            Password: NEW_PASSWORD,
            ...app.secretHash(username),
          }),
        );
        const err = await rejectsWith(app.signIn(username), "NotAuthorizedException");
        assert.equal(err.message, "Incorrect username or password.");
        const result = await app.signIn(username, NEW_PASSWORD);
        const accessClaims = await app.verify.access.verify(result.AccessToken);
        assert.equal(accessClaims.username, username);
      });
    }

    it("signs in with SRP through amazon-cognito-identity-js", async () => {
      const app = apps.public;
      await makeConfirmedUser(client, pool.Id, "sally", { email: "sally@example.com" });

      const session = await srpSignIn(pool.Id, app.clientId, "sally", PASSWORD);
      assert.ok(session.isValid());
      const idClaims = await app.verify.id.verify(session.getIdToken().getJwtToken());
      assert.equal(idClaims["cognito:username"], "sally");
      assert.equal(idClaims.email, "sally@example.com");
      const accessClaims = await app.verify.access.verify(session.getAccessToken().getJwtToken());
      assert.equal(accessClaims.username, "sally");
      assert.equal(accessClaims.iss, `${endpoint}/${pool.Id}`);
    });
  });
}

describe("ListUserPools in each Region", () => {
  const clients = { [FRANKFURT]: makeClient(FRANKFURT), [SAO_PAULO]: makeClient(SAO_PAULO) };
  const home = makeClient();
  const created = [];

  after(async () => {
    for (const [client, id] of created) {
      await deletePoolQuietly(client, id);
    }
    for (const client of [...Object.values(clients), home]) {
      client.destroy();
    }
  });

  it("lists only the pools of the Region asked about", async () => {
    const mine = {};
    for (const [region, client] of Object.entries(clients)) {
      mine[region] = [];
      for (let i = 0; i < 2; i += 1) {
        const out = await client.send(new CreateUserPoolCommand({ PoolName: uniqueName() }));
        created.push([client, out.UserPool.Id]);
        mine[region].push(out.UserPool.Id);
      }
    }

    for (const pageSize of [1, 60]) {
      for (const [region, client] of Object.entries(clients)) {
        const ids = await listPoolIds(client, pageSize);
        for (const id of mine[region]) {
          assert.ok(ids.includes(id), `${id} is missing from ${region}'s list`);
        }
        assert.ok(
          ids.every((id) => id.startsWith(`${region}_`)),
          `${region} listed ${ids.join(", ")}`,
        );
        assert.equal(new Set(ids).size, ids.length);
      }
    }

    const fromHome = await listPoolIds(home, 60);
    assert.ok(fromHome.every((id) => id.startsWith("us-east-1_")), fromHome.join(", "));
  });
});

describe(`email usernames in a case-insensitive pool of ${SAO_PAULO}`, () => {
  const client = makeClient(SAO_PAULO);
  let app;

  before(async () => {
    const pool = await client.send(
      new CreateUserPoolCommand({
        PoolName: uniqueName(),
        UsernameAttributes: ["email"],
        UsernameConfiguration: { CaseSensitive: false },
        AutoVerifiedAttributes: ["email"],
      }),
    );
    const created = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.UserPool.Id,
        ClientName: "email",
        ExplicitAuthFlows: FLOWS,
      }),
    );
    app = new App(client, pool.UserPool.Id, created.UserPoolClient);
  });

  after(async () => {
    await deletePoolQuietly(client, app?.poolId);
    client.destroy();
  });

  it("signs up with an email address and signs in with it in any letter case", async () => {
    const signedUp = await app.signUp("noor@example.com", "noor@example.com");
    const sub = signedUp.UserSub;
    assert.match(sub, UUID);

    // The username of such a user is its sub; the message goes to the address.
    const query = new URLSearchParams({ pool_id: app.poolId, destination: "noor@example.com" });
    const { messages: sent } = await getJson(`${endpoint}/_cognito/messages?${query}`);
    assert.deepEqual(
      sent.map((m) => [m.kind, m.username]),
      [["sign_up_code", sub]],
    );
    await client.send(
      new ConfirmSignUpCommand({
        ClientId: app.clientId,
        Username: "noor@example.com",
        ConfirmationCode: sent[0].code,
      }),
    );

    const result = await app.signIn("Noor@EXAMPLE.com");
    const idClaims = await app.verify.id.verify(result.IdToken);
    assert.equal(idClaims["cognito:username"], sub);
    assert.equal(idClaims.sub, sub);
    assert.equal(idClaims.email, "noor@example.com");
    const accessClaims = await app.verify.access.verify(result.AccessToken);
    assert.equal(accessClaims.username, sub);
    const me = await client.send(new GetUserCommand({ AccessToken: result.AccessToken }));
    assert.equal(me.Username, sub);

    const got = await client.send(
      new AdminGetUserCommand({ UserPoolId: app.poolId, Username: "NOOR@example.COM" }),
    );
    assert.equal(got.Username, sub);

    const err = await rejectsWith(
      app.signUp("NOOR@Example.com", "NOOR@Example.com"),
      "UsernameExistsException",
    );
    assert.equal(err.message, "An account with the given email already exists.");

    // SRP runs over the user's internal name, which the challenge hands back.
    const session = await srpSignIn(app.poolId, app.clientId, "NOOR@example.com", PASSWORD);
    const srpClaims = await app.verify.access.verify(session.getAccessToken().getJwtToken());
    assert.equal(srpClaims.username, sub);
  });
});
