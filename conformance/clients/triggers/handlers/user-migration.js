// User migration: moves users of a legacy directory, kept here as a table, into the pool.
//
// UserMigration_Authentication: a known user with the right password comes over
// confirmed, email verified, with no welcome message; a wrong password is refused.
// UserMigration_ForgotPassword: a known user comes over so that a reset code can be
// sent; an unknown one is refused. Users are found by username or by email address.

"use strict";

const LEGACY_USERS = [
  {
    username: "legacy-user",
    email: "legacy@example.com",
    password: "Legacy-Passw0rd!",
    givenName: "Legacy",
  },
];

function findLegacyUser(userName) {
  const wanted = userName.toLowerCase();
  return LEGACY_USERS.find(
    (u) => u.username.toLowerCase() === wanted || u.email.toLowerCase() === wanted,
  );
}

function migratedAttributes(user) {
  return {
    email: user.email,
    email_verified: "true",
    given_name: user.givenName,
  };
}

exports.handler = async (event) => {
  const user = findLegacyUser(event.userName ?? "");

  switch (event.triggerSource) {
    case "UserMigration_Authentication":
      if (user === undefined) {
        throw new Error("User not found");
      }
      if (event.request.password !== user.password) {
        throw new Error("Bad password");
      }
      event.response.userAttributes = migratedAttributes(user);
      event.response.finalUserStatus = "CONFIRMED";
      event.response.messageAction = "SUPPRESS";
      return event;

    case "UserMigration_ForgotPassword":
      if (user === undefined) {
        throw new Error("User not found");
      }
      event.response.userAttributes = migratedAttributes(user);
      event.response.messageAction = "SUPPRESS";
      return event;

    default:
      throw new Error(`Unexpected trigger source ${event.triggerSource}`);
  }
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
