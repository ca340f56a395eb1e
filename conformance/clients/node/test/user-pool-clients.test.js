import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  AddUserPoolClientSecretCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientSecretsCommand,
  UpdateUserPoolClientCommand,
  paginateListUserPoolClients,
} from "@aws-sdk/client-cognito-identity-provider";

import {
  deletePoolQuietly,
  makeClient,
  rejectsWith,
  uniqueName,
  validitySeconds,
} from "../lib/cognito.js";

describe("app clients", () => {
  const client = makeClient();
  let poolId;

  before(async () => {
    const out = await client.send(new CreateUserPoolCommand({ PoolName: uniqueName() }));
    poolId = out.UserPool.Id;
  });

  after(async () => {
    if (poolId) {
      await deletePoolQuietly(client, poolId);
    }
    client.destroy();
  });

  async function createAppClient(input = {}) {
    const out = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: uniqueName("app"),
        ...input,
      }),
    );
    return out.UserPoolClient;
  }

  it("creates a client with Cognito's defaults", async () => {
    const app = await createAppClient();
    assert.match(app.ClientId, /^[a-z0-9]{26}$/);
    assert.equal(app.UserPoolId, poolId);
    assert.equal(app.ClientSecret, undefined);
    // One hour for access and ID tokens, 30 days for refresh tokens.
    assert.equal(app.RefreshTokenValidity, 30);
    assert.equal(app.TokenValidityUnits.RefreshToken, "days");
    assert.equal(validitySeconds(app, "AccessToken"), 3600);
    assert.equal(validitySeconds(app, "IdToken"), 3600);
    assert.equal(app.AuthSessionValidity, 3);
    assert.equal(app.EnableTokenRevocation, true);
    assert.equal(app.AllowedOAuthFlowsUserPoolClient, false);
    assert.ok(app.CreationDate instanceof Date);
  });

  it("generates a secret on request and describes it back", async () => {
    const app = await createAppClient({ GenerateSecret: true });
    assert.match(app.ClientSecret, /^[a-z0-9]{52}$/);
    const { UserPoolClient: described } = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: app.ClientId }),
    );
    assert.equal(described.ClientSecret, app.ClientSecret);
    assert.equal(described.ClientName, app.ClientName);
  });

  it("updates a client", async () => {
    const app = await createAppClient();
    const name = uniqueName("renamed");
    await client.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: app.ClientId,
        ClientName: name,
        RefreshTokenValidity: 5,
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    const { UserPoolClient: described } = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: app.ClientId }),
    );
    assert.equal(described.ClientName, name);
    assert.equal(described.RefreshTokenValidity, 5);
    assert.deepEqual(
      [...described.ExplicitAuthFlows].sort(),
      ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
    );
  });

  it("lists clients with paginateListUserPoolClients", async () => {
    const mine = [];
    for (let i = 0; i < 4; i += 1) {
      mine.push((await createAppClient()).ClientId);
    }
    const seen = [];
    for await (const page of paginateListUserPoolClients(
      { client, pageSize: 1 },
      { UserPoolId: poolId },
    )) {
      assert.ok(page.UserPoolClients.length <= 1);
      seen.push(...page.UserPoolClients.map((c) => c.ClientId));
    }
    assert.equal(new Set(seen).size, seen.length);
    for (const id of mine) {
      assert.ok(seen.includes(id), `${id} missing from the listing`);
    }
  });

  it("rotates client secrets", async () => {
    const app = await createAppClient({ GenerateSecret: true });
    const ids = { UserPoolId: poolId, ClientId: app.ClientId };

    const first = await client.send(new ListUserPoolClientSecretsCommand(ids));
    assert.equal(first.ClientSecrets.length, 1);
    const original = first.ClientSecrets[0];
    assert.ok(original.ClientSecretId.startsWith(`${app.ClientId}--`));
    assert.equal(original.ClientSecretValue, undefined);

    const { ClientSecretDescriptor: added } = await client.send(
      new AddUserPoolClientSecretCommand(ids),
    );
    assert.ok(added.ClientSecretValue);
    assert.notEqual(added.ClientSecretId, original.ClientSecretId);

    await client.send(
      new DeleteUserPoolClientSecretCommand({ ...ids, ClientSecretId: original.ClientSecretId }),
    );
    const last = await client.send(new ListUserPoolClientSecretsCommand(ids));
    assert.deepEqual(
      last.ClientSecrets.map((s) => s.ClientSecretId),
      [added.ClientSecretId],
    );
  });

  it("deletes a client, after which it is not found", async () => {
    const app = await createAppClient();
    await client.send(
      new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: app.ClientId }),
    );
    await rejectsWith(
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: app.ClientId })),
      "ResourceNotFoundException",
    );
  });
});
