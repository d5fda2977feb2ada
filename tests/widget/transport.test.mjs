// How answers from the bot are read (widget/js/transport.js), with a stand-in fetch.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { RequestFailed, deleteOnServer, isRetriable, postWithRetry } from "../../widget/js/transport.js";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function answering(status, body) {
  const calls = [];
  globalThis.fetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };
  return calls;
}

test("isRetriable: network and server failures yes, client errors no", () => {
  assert.equal(isRetriable(new RequestFailed("network")), true);
  assert.equal(isRetriable(new RequestFailed("server")), true);
  assert.equal(isRetriable(new TypeError("aborted")), true);
  assert.equal(isRetriable(new RequestFailed("client", "for lang")), false);
});

test("a reply is the list the bot sent; anything else is an empty reply", async () => {
  const calls = answering(200, [{ text: "Hei" }]);
  assert.deepEqual(await postWithRetry("http://bot", "web-1", "hei"), [{ text: "Hei" }]);
  assert.equal(calls[0].url, "http://bot/webhooks/rest/webhook");
  assert.deepEqual(JSON.parse(calls[0].init.body), { sender: "web-1", message: "hei" });
  assert.equal(calls[0].init.credentials, "omit");
  answering(200, { not: "a list" });
  assert.deepEqual(await postWithRetry("", "web-1", "hei"), []);
});

test("a 4xx answer is not retried and its error text is kept", async () => {
  const calls = answering(429, { error: "For mange meldinger" });
  await assert.rejects(postWithRetry("", "web-1", "hei"), (err) => {
    assert.ok(err instanceof RequestFailed);
    assert.equal(err.kind, "client");
    assert.equal(err.detail, "For mange meldinger");
    return true;
  });
  assert.equal(calls.length, 1);
  answering(400, "not json");
  await assert.rejects(postWithRetry("", "web-1", "hei"), { kind: "client", detail: "feil 400" });
});

test("delete: deleted, not found, or a failure", async () => {
  const calls = answering(200, { deleted: true });
  assert.equal(await deleteOnServer("", "web 1/x"), "deleted");
  assert.equal(calls[0].url, "/webhooks/rest/conversation/web%201%2Fx");
  assert.equal(calls[0].init.method, "DELETE");
  answering(404, { deleted: false, error: "ingen samtale" });
  assert.equal(await deleteOnServer("", "web-1"), "not-found");
  answering(500, { error: "feil" });
  await assert.rejects(deleteOnServer("", "web-1"), { kind: "server", detail: "feil" });
});
