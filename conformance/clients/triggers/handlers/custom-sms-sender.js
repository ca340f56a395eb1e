// Custom SMS sender: decrypts the code or temporary password of every SMS the pool would
// send and "delivers" it to the file SENDER_OUTBOX names (see sender.js).

"use strict";

const { deliver } = require("./sender");

exports.handler = async (event) => {
  if (!event.triggerSource.startsWith("CustomSMSSender_")) {
    throw new Error(`Unexpected trigger source ${event.triggerSource}`);
  }
  return deliver(event);
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
