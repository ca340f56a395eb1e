// Pre token generation, event versions 2 and 3: changes the claims of the ID token and
// the claims and scopes of the access token, and the user's groups. A client credentials
// grant (version 3) has an access token only, so only that changes.

"use strict";

const accessTokenGeneration = () => ({
  claimsToAddOrOverride: { tenant: "acme" },
  claimsToSuppress: [],
  scopesToAdd: ["custom/read"],
  scopesToSuppress: [],
});

exports.handler = async (event) => {
  if (event.triggerSource === "TokenGeneration_ClientCredentials") {
    event.response.claimsAndScopeOverrideDetails = {
      accessTokenGeneration: accessTokenGeneration(),
    };
    return event;
  }
  event.response.claimsAndScopeOverrideDetails = {
    idTokenGeneration: {
      claimsToAddOrOverride: { tier: "gold" },
      claimsToSuppress: ["locale"],
    },
    accessTokenGeneration: accessTokenGeneration(),
    groupOverrideDetails: {
      groupsToOverride: ["overridden-group"],
    },
  };
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
