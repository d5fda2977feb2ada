// The bot's REST messages → transcript entries (widget/js/payload.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { isSummary, isTriage, toEntries } from "../../widget/js/payload.js";

const EMERGENCY = {
  triage: "emergency",
  heading: "H",
  badge: "B",
  lead: "L",
  contacts: [{ name: "Medisinsk nødtelefon", phone: "113", url: "https://www.113.no/" }]
};

test("isTriage: a level of lower-case words, nothing else", () => {
  const table = [
    [{ triage: "emergency" }, true],
    [{ triage: "self_help" }, true],
    [{ triage: "Emergency" }, false],
    [{ triage: "x y" }, false],
    [{ triage: '"><img>' }, false],
    [{ triage: 3 }, false],
    [{ summary: true }, false],
    [null, false],
    ["emergency", false]
  ];
  for (const [custom, expected] of table) assert.equal(isTriage(custom), expected, JSON.stringify(custom));
});

test("a triage payload keeps its texts and contacts, as strings", () => {
  const [entry] = toEntries([
    {
      custom: {
        triage: "gp",
        heading: "Fastlege snart",
        badge: "Snart",
        lead: "Bestill time.",
        contacts: [{ name: "Fastlege", phone: 123, url: null }, null],
        extra: "dropped"
      }
    }
  ]);
  assert.deepEqual(entry, {
    from: "bot",
    custom: {
      triage: "gp",
      heading: "Fastlege snart",
      badge: "Snart",
      lead: "Bestill time.",
      contacts: [
        { name: "Fastlege", phone: "123", url: "" },
        { name: "", phone: "", url: "" }
      ]
    }
  });
});

test("texts missing from a triage payload are empty, not undefined", () => {
  const [entry] = toEntries([{ custom: { triage: "urgent", heading: ["x"] } }]);
  assert.deepEqual(entry.custom, { triage: "urgent", heading: "", badge: "", lead: "", contacts: [] });
});

test("the summary mark, as the next message (Rasa's REST channel), marks the text before it", () => {
  const entries = toEntries([
    { text: "Du bør kontakte legevakt." },
    { text: "**Oppsummering av sjekken**\n- Gjelder: deg selv" },
    { custom: { summary: true } },
    { text: "Vil du vite mer?", buttons: [{ title: "Ja", payload: "/affirm" }] }
  ]);
  assert.equal(entries.length, 3);
  assert.deepEqual(entries.map(isSummary), [false, true, false]);
});

test("the summary mark in the same message as the text marks that text", () => {
  const entries = toEntries([{ text: "A" }, { text: "Oppsummering", custom: { summary: true } }]);
  assert.deepEqual(entries.map(isSummary), [false, true]);
});

test("a summary mark with no text before it, or after a card, marks nothing", () => {
  assert.deepEqual(toEntries([{ custom: { summary: true } }]), []);
  const entries = toEntries([{ custom: EMERGENCY }, { custom: { summary: true } }]);
  assert.deepEqual(entries.map(isSummary), [false]);
  assert.equal(toEntries([{ text: "x" }, { custom: { summary: "yes" } }]).some(isSummary), false);
});

test("an emergency card goes first in its reply; other cards stay where they are", () => {
  const entries = toEntries([{ text: "Det høres alvorlig ut." }, { custom: EMERGENCY }, { text: "Mens du venter" }]);
  assert.deepEqual(
    entries.map((e) => (e.custom ? e.custom.triage : e.text)),
    ["emergency", "Det høres alvorlig ut.", "Mens du venter"]
  );
  const gp = toEntries([{ text: "a" }, { custom: { triage: "gp" } }]);
  assert.deepEqual(gp.map((e) => (e.custom ? e.custom.triage : e.text)), ["a", "gp"]);
});

test("buttons: only those with a string title and payload; empty messages are dropped", () => {
  const entries = toEntries([
    { text: "Velg", buttons: [{ title: "Ja", payload: "/affirm", x: 1 }, { title: 2, payload: "/no" }, null] },
    { text: "   " },
    { buttons: [{ title: "x" }] },
    null,
    "tekst",
    { custom: { unknown: 1 } }
  ]);
  assert.deepEqual(entries, [{ from: "bot", text: "Velg", buttons: [{ title: "Ja", payload: "/affirm" }] }]);
  assert.deepEqual(toEntries(null), []);
});

test("isSummary needs the mark on a bot text", () => {
  assert.equal(isSummary({ from: "bot", text: "x", summary: true }), true);
  assert.equal(isSummary({ from: "user", text: "x", summary: true }), false);
  assert.equal(isSummary({ from: "bot", text: "**Oppsummering av sjekken**" }), false);
  assert.equal(isSummary(undefined), false);
});
