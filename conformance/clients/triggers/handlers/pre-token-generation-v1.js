// Pre token generation, event version 1: changes the ID token's claims and the user's
// groups.

"use strict";

exports.handler = async (event) => {
  event.response.claimsOverrideDetails = {
    claimsToAddOrOverride: {
      "custom:tier": "gold",
      family_name: "Overridden",
    },
    claimsToSuppress: ["locale"],
    groupOverrideDetails: {
      groupsToOverride: ["overridden-group"],
      iamRolesToOverride: [],
      preferredRole: null,
    },
  };
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
