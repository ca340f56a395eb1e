import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import {
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
  UpdateUserPoolCommand,
  paginateListUserPools,
} from "@aws-sdk/client-cognito-identity-provider";

import {
  accountId,
  deletePoolQuietly,
  makeClient,
  region,
  rejectsWith,
  uniqueName,
} from "../lib/cognito.js";

describe("user pools", () => {
  const client = makeClient();
  const created = [];

  async function createPool(input = {}) {
    const out = await client.send(
      new CreateUserPoolCommand({ PoolName: uniqueName(), ...input }),
    );
    created.push(out.UserPool.Id);
    return out.UserPool;
  }

  after(async () => {
    for (const id of created) {
      await deletePoolQuietly(client, id);
    }
    client.destroy();
  });

  it("creates a pool with Cognito's defaults", async () => {
    const name = uniqueName();
    const pool = await createPool({ PoolName: name });

    assert.match(pool.Id, /^us-east-1_[0-9A-Za-z]{9}$/);
    assert.equal(pool.Arn, `arn:aws:cognito-idp:${region}:${accountId}:userpool/${pool.Id}`);
    assert.equal(pool.Name, name);
    assert.ok(pool.CreationDate instanceof Date);
    assert.ok(pool.LastModifiedDate instanceof Date);
    assert.ok(pool.LastModifiedDate >= pool.CreationDate);
    assert.deepEqual(
      {
        MinimumLength: pool.Policies.PasswordPolicy.MinimumLength,
        RequireUppercase: pool.Policies.PasswordPolicy.RequireUppercase,
        RequireLowercase: pool.Policies.PasswordPolicy.RequireLowercase,
        RequireNumbers: pool.Policies.PasswordPolicy.RequireNumbers,
        RequireSymbols: pool.Policies.PasswordPolicy.RequireSymbols,
        TemporaryPasswordValidityDays: pool.Policies.PasswordPolicy.TemporaryPasswordValidityDays,
      },
      {
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      },
    );
    assert.equal(pool.MfaConfiguration, "OFF");
    assert.equal(pool.DeletionProtection, "INACTIVE");
    assert.equal(pool.EstimatedNumberOfUsers, 0);
    assert.equal(pool.UserPoolTier, "ESSENTIALS");
    assert.equal(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly, false);
    assert.equal(pool.AdminCreateUserConfig.UnusedAccountValidityDays, 7);
    const sub = pool.SchemaAttributes.find((a) => a.Name === "sub");
    assert.equal(sub.Required, true);
    assert.equal(sub.Mutable, false);
  });

  it("describes what it created", async () => {
    const pool = await createPool({ UserPoolTags: { team: "identity" } });
    const { UserPool: described } = await client.send(
      new DescribeUserPoolCommand({ UserPoolId: pool.Id }),
    );
    assert.equal(described.Id, pool.Id);
    assert.equal(described.Name, pool.Name);
    assert.equal(described.Arn, pool.Arn);
    assert.equal(described.CreationDate.getTime(), pool.CreationDate.getTime());
    assert.deepEqual(described.Policies, pool.Policies);
    assert.deepEqual(described.UserPoolTags, { team: "identity" });
  });

  it("updates a pool", async () => {
    const pool = await createPool();
    await client.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool.Id,
        Policies: {
          PasswordPolicy: {
            MinimumLength: 14,
            RequireUppercase: false,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: false,
            TemporaryPasswordValidityDays: 1,
          },
        },
        AutoVerifiedAttributes: ["email"],
      }),
    );
    const { UserPool: updated } = await client.send(
      new DescribeUserPoolCommand({ UserPoolId: pool.Id }),
    );
    assert.equal(updated.Policies.PasswordPolicy.MinimumLength, 14);
    assert.equal(updated.Policies.PasswordPolicy.RequireUppercase, false);
    assert.equal(updated.Policies.PasswordPolicy.TemporaryPasswordValidityDays, 1);
    assert.deepEqual(updated.AutoVerifiedAttributes, ["email"]);
    assert.equal(updated.Name, pool.Name);
    assert.ok(updated.LastModifiedDate >= pool.LastModifiedDate);
  });

  it("lists every pool with paginateListUserPools", async () => {
    const mine = new Set();
    for (let i = 0; i < 5; i += 1) {
      mine.add((await createPool()).Id);
    }
    const seen = [];
    let pages = 0;
    for await (const page of paginateListUserPools({ client, pageSize: 2 }, {})) {
      pages += 1;
      assert.ok(page.UserPools.length <= 2);
      seen.push(...page.UserPools.map((p) => p.Id));
    }
    assert.equal(new Set(seen).size, seen.length, "a pool was listed twice");
    for (const id of mine) {
      assert.ok(seen.includes(id), `${id} missing from the listing`);
    }
    assert.ok(pages >= 3);
  });

  it("deletes a pool, after which it is not found", async () => {
    const pool = await createPool();
    await client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
    const err = await rejectsWith(
      client.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id })),
      "ResourceNotFoundException",
    );
    assert.ok(err instanceof ResourceNotFoundException);
  });

  it("refuses to delete a pool with deletion protection", async () => {
    const pool = await createPool({ DeletionProtection: "ACTIVE" });
    await rejectsWith(
      client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })),
      "InvalidParameterException",
    );
    const { UserPool: still } = await client.send(
      new DescribeUserPoolCommand({ UserPoolId: pool.Id }),
    );
    assert.equal(still.Id, pool.Id);
  });
});
