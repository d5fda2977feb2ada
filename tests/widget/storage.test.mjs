// What the widget keeps in the browser (widget/js/storage.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_STORED_ENTRIES,
  STORAGE_KEY,
  concernsUs,
  forget,
  load,
  newSenderId,
  openStore,
  parseStored,
  save,
  serialize
} from "../../widget/js/storage.js";

function memoryStore() {
  const data = new Map();
  return {
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k)
  };
}

test("parseStored: only a sender string and a transcript list count", () => {
  const table = [
    [null, null],
    ["", null],
    ["{not json", null],
    ["null", null],
    ['{"sender": 1, "transcript": []}', null],
    ['{"sender": "web-1", "transcript": {}}', null],
    ['{"sender": "web-1"}', null],
    ['{"sender": "web-1", "transcript": []}', { sender: "web-1", transcript: [] }]
  ];
  for (const [raw, expected] of table) assert.deepEqual(parseStored(raw), expected, String(raw));
});

test("parseStored drops entries that are neither from the user nor from the bot", () => {
  const raw = JSON.stringify({
    sender: "web-1",
    transcript: [{ from: "user", text: "a" }, null, { from: "system" }, { from: "bot", text: "b" }, 5]
  });
  assert.deepEqual(parseStored(raw).transcript, [
    { from: "user", text: "a" },
    { from: "bot", text: "b" }
  ]);
});

test("serialize keeps the newest entries only, and the state itself is not cut", () => {
  const transcript = Array.from({ length: MAX_STORED_ENTRIES + 5 }, (_, i) => ({ from: "user", text: String(i) }));
  const state = { sender: "web-1", transcript: transcript };
  const kept = JSON.parse(serialize(state)).transcript;
  assert.equal(kept.length, MAX_STORED_ENTRIES);
  assert.equal(kept[0].text, "5");
  assert.equal(kept.at(-1).text, String(MAX_STORED_ENTRIES + 4));
  assert.equal(state.transcript.length, MAX_STORED_ENTRIES + 5);
});

test("save then load gives the conversation back; a full store loses it quietly", () => {
  const store = memoryStore();
  const state = { sender: "web-2", transcript: [{ from: "bot", text: "Hei", summary: true }] };
  save(store, state);
  assert.deepEqual(load(store), state);
  const full = { getItem: () => null, setItem: () => { throw new Error("QuotaExceeded"); } };
  assert.doesNotThrow(() => save(full, state));
  const blocked = { getItem: () => { throw new Error("SecurityError"); } };
  assert.equal(load(blocked), null);
});

test("concernsUs: our key, or the whole storage cleared, in our storage area", () => {
  const ours = memoryStore();
  const other = memoryStore();
  const table = [
    [{ storageArea: ours, key: STORAGE_KEY }, true],
    [{ storageArea: ours, key: null }, true],
    [{ storageArea: ours, key: "something.else" }, false],
    [{ storageArea: other, key: STORAGE_KEY }, false]
  ];
  for (const [ev, expected] of table) assert.equal(concernsUs(ev, ours), expected, JSON.stringify(ev.key));
});

test("newSenderId: web-<uuid>, or 32 hex digits without randomUUID", () => {
  assert.match(newSenderId(), /^web-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const noUuid = { getRandomValues: (bytes) => bytes.map((_, i) => i * 17) };
  assert.equal(newSenderId(noUuid), "web-00112233445566778899aabbccddeeff");
  assert.notEqual(newSenderId(), newSenderId());
});

test("«session» keeps the conversation in memory only: nothing is written to the browser", () => {
  const store = openStore("session"); // in node there is no window: it must not be needed
  assert.equal(store.getItem(STORAGE_KEY), null);
  save(store, { sender: "web-x", transcript: [{ from: "user", text: "hei" }] });
  assert.equal(load(store).sender, "web-x");
  forget(store);
  assert.equal(load(store), null);
  assert.notEqual(openStore("session"), store); // every page load starts empty
});
