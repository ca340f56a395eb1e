// Pre sign-up: refuses sign-ups from blocked.example, and confirms at once (verifying the
// email address or phone number the user gave) sign-ups from auto.example or whose caller
// asks for it with `autoConfirm: "true"` in ClientMetadata or ValidationData.

"use strict";

function domainOf(email) {
  const at = email.lastIndexOf("@");
  return at < 0 ? "" : email.slice(at + 1).toLowerCase();
}

exports.handler = async (event) => {
  const attributes = event.request.userAttributes ?? {};
  const asked =
    event.request.clientMetadata?.autoConfirm === "true" ||
    event.request.validationData?.autoConfirm === "true";
  const domain = domainOf(attributes.email ?? "");

  if (domain === "blocked.example") {
    throw new Error("Sign-ups from blocked.example are not allowed");
  }
  if (domain === "auto.example" || asked) {
    event.response.autoConfirmUser = true;
    if (attributes.email) {
      event.response.autoVerifyEmail = true;
    }
    if (attributes.phone_number) {
      event.response.autoVerifyPhone = true;
    }
  }
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
