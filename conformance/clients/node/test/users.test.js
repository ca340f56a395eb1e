// Users and groups as an administrator manages them with the AWS SDK for
// JavaScript v3: AdminCreateUser, AdminGetUser, ListUsers with filters and the
// SDK's paginator, and group membership.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminUpdateUserAttributesCommand,
  CreateGroupCommand,
  CreateUserPoolCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  NotAuthorizedException,
  UserNotFoundException,
  UsernameExistsException,
  paginateListUsers,
  paginateListUsersInGroup,
} from "@aws-sdk/client-cognito-identity-provider";

import { PASSWORD, attributesOf, makeConfirmedUser, makeSignInClient } from "../lib/accounts.js";
import { deletePoolQuietly, makeClient, rejectsWith, uniqueName } from "../lib/cognito.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CROWD = 23;

describe("users and groups", () => {
  const client = makeClient();
  const pools = [];

  async function createPool(input = {}) {
    const out = await client.send(new CreateUserPoolCommand({ PoolName: uniqueName(), ...input }));
    pools.push(out.UserPool.Id);
    return out.UserPool.Id;
  }

  async function createUser(UserPoolId, Username, attributes = {}) {
    const out = await client.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username,
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        MessageAction: "SUPPRESS",
      }),
    );
    return out.User;
  }

  after(async () => {
    for (const id of pools) {
      await deletePoolQuietly(client, id);
    }
    client.destroy();
  });

  it("creates a user with Cognito's defaults and reads it back", async () => {
    const poolId = await createPool();
    const user = await createUser(poolId, "alice", { email: "alice@example.com" });
    assert.equal(user.Username, "alice");
    assert.equal(user.Enabled, true);
    assert.equal(user.UserStatus, "FORCE_CHANGE_PASSWORD");
    assert.ok(user.UserCreateDate instanceof Date);
    assert.ok(user.UserLastModifiedDate instanceof Date);
    const attrs = attributesOf(user.Attributes);
    assert.match(attrs.sub, UUID);
    assert.equal(attrs.email, "alice@example.com");

    const got = await client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "alice" }));
    assert.equal(got.Username, "alice");
    assert.equal(got.UserStatus, "FORCE_CHANGE_PASSWORD");
    assert.deepEqual(attributesOf(got.UserAttributes), attrs);
    assert.equal(got.UserCreateDate.getTime(), user.UserCreateDate.getTime());

    const again = await rejectsWith(createUser(poolId, "alice"), "UsernameExistsException");
    assert.ok(again instanceof UsernameExistsException);
    assert.equal(again.message, "User account already exists");

    const missing = await rejectsWith(
      client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "nobody" })),
      "UserNotFoundException",
    );
    assert.ok(missing instanceof UserNotFoundException);
    assert.equal(missing.message, "User does not exist.");
  });

  it("updates, deletes attributes and disables a user", async () => {
    const poolId = await createPool();
    await makeConfirmedUser(client, poolId, "bob", { email: "bob@example.com", name: "Bob" });
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: "bob",
        UserAttributes: [
          { Name: "name", Value: "Robert" },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    await client.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: poolId,
        Username: "bob",
        UserAttributeNames: ["name"],
      }),
    );
    let got = await client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "bob" }));
    const attrs = attributesOf(got.UserAttributes);
    assert.equal(attrs.name, undefined);
    assert.equal(attrs.email_verified, "true");
    assert.equal(got.UserStatus, "CONFIRMED");

    const clientId = await makeSignInClient(client, poolId, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"]);
    await client.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: "bob" }));
    got = await client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "bob" }));
    assert.equal(got.Enabled, false);
    const err = await rejectsWith(
      client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "bob", PASSWORD },
        }),
      ),
      "NotAuthorizedException",
    );
    assert.ok(err instanceof NotAuthorizedException);
    assert.equal(err.message, "User is disabled.");
  });

  describe("ListUsers", () => {
    let poolId;
    const emailOf = (n) => `person${String(n).padStart(2, "0")}@example.com`;
    const nameOf = (n) => `person${String(n).padStart(2, "0")}`;

    before(async () => {
      poolId = await createPool();
      for (let n = 0; n < CROWD; n += 1) {
        await createUser(poolId, nameOf(n), { email: emailOf(n) });
      }
    });

    it("pages with the SDK's paginator", async () => {
      const seen = [];
      let pages = 0;
      for await (const page of paginateListUsers(
        { client, pageSize: 5 },
        { UserPoolId: poolId },
      )) {
        pages += 1;
        assert.ok(page.Users.length <= 5);
        seen.push(...page.Users.map((u) => u.Username));
      }
      assert.equal(pages, 5);
      assert.deepEqual(
        seen.toSorted(),
        Array.from({ length: CROWD }, (_, n) => nameOf(n)),
      );
    });

    it("filters on an exact email address", async () => {
      const out = await client.send(
        new ListUsersCommand({ UserPoolId: poolId, Filter: `email = "${emailOf(7)}"` }),
      );
      assert.deepEqual(
        out.Users.map((u) => u.Username),
        [nameOf(7)],
      );
    });

    it("filters on a prefix and returns only the attributes asked for", async () => {
      const out = await client.send(
        new ListUsersCommand({
          UserPoolId: poolId,
          Filter: 'email ^= "person1"',
          AttributesToGet: ["email"],
        }),
      );
      assert.deepEqual(
        out.Users.map((u) => u.Username).toSorted(),
        Array.from({ length: 10 }, (_, n) => nameOf(10 + n)),
      );
      for (const user of out.Users) {
        assert.deepEqual(user.Attributes.map((a) => a.Name), ["email"]);
      }
    });
  });

  it("puts users in groups and lists both ways", async () => {
    const poolId = await createPool();
    const group = await client.send(
      new CreateGroupCommand({
        UserPoolId: poolId,
        GroupName: "admins",
        Description: "People in charge",
        Precedence: 1,
      }),
    );
    assert.equal(group.Group.GroupName, "admins");
    assert.equal(group.Group.UserPoolId, poolId);
    assert.equal(group.Group.Precedence, 1);
    assert.ok(group.Group.CreationDate instanceof Date);
    await client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: "staff" }));

    for (const name of ["cho", "dev", "eli"]) {
      await createUser(poolId, name);
      await client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: name, GroupName: "staff" }),
      );
    }
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: "cho", GroupName: "admins" }),
    );

    const admins = await client.send(
      new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: "admins" }),
    );
    assert.deepEqual(
      admins.Users.map((u) => u.Username),
      ["cho"],
    );

    const staff = [];
    for await (const page of paginateListUsersInGroup(
      { client, pageSize: 2 },
      { UserPoolId: poolId, GroupName: "staff" },
    )) {
      staff.push(...page.Users.map((u) => u.Username));
    }
    assert.deepEqual(staff.toSorted(), ["cho", "dev", "eli"]);

    const chosGroups = await client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: "cho" }),
    );
    assert.deepEqual(
      chosGroups.Groups.map((g) => g.GroupName).toSorted(),
      ["admins", "staff"],
    );

    await rejectsWith(
      client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: "cho", GroupName: "ghosts" }),
      ),
      "ResourceNotFoundException",
    );
  });
});
