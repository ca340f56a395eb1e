import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InvalidParameterException,
  ListUserPoolsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";

import { makeClient, rejectsWith } from "../lib/cognito.js";

describe("modeled errors", () => {
  const client = makeClient();
  after(() => client.destroy());

  it("an unknown pool is ResourceNotFoundException", async () => {
    const err = await rejectsWith(
      client.send(new DescribeUserPoolCommand({ UserPoolId: "us-east-1_AAAAAAAAA" })),
      "ResourceNotFoundException",
    );
    assert.ok(err instanceof ResourceNotFoundException);
    assert.match(err.message, /us-east-1_AAAAAAAAA/);
  });

  it("a client in an unknown pool is ResourceNotFoundException", async () => {
    await rejectsWith(
      client.send(
        new CreateUserPoolClientCommand({ UserPoolId: "us-east-1_AAAAAAAAA", ClientName: "x" }),
      ),
      "ResourceNotFoundException",
    );
  });

  it("a missing required member is InvalidParameterException", async () => {
    const err = await rejectsWith(
      client.send(new CreateUserPoolCommand({})),
      "InvalidParameterException",
    );
    assert.ok(err instanceof InvalidParameterException);
    assert.match(err.message, /^1 validation error detected/);
    assert.match(err.message, /'poolName'/);
  });

  it("a pool name outside its pattern is InvalidParameterException", async () => {
    const err = await rejectsWith(
      client.send(new CreateUserPoolCommand({ PoolName: "no#hash" })),
      "InvalidParameterException",
    );
    assert.match(err.message, /^1 validation error detected/);
  });

  it("client errors travel as HTTP 400", async () => {
    // Cognito sends every client-side error with status 400; the SDK reads
    // the error's name from the body.
    const missing = await rejectsWith(
      client.send(new DescribeUserPoolCommand({ UserPoolId: "us-east-1_AAAAAAAAA" })),
      "ResourceNotFoundException",
    );
    assert.equal(missing.$metadata.httpStatusCode, 400);
    const invalid = await rejectsWith(
      client.send(new CreateUserPoolCommand({})),
      "InvalidParameterException",
    );
    assert.equal(invalid.$metadata.httpStatusCode, 400);
  });

  it("MaxResults out of range is InvalidParameterException", async () => {
    await rejectsWith(
      client.send(new ListUserPoolsCommand({ MaxResults: 0 })),
      "InvalidParameterException",
    );
  });
});
