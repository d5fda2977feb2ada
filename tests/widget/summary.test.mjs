// «Lagre oppsummering»: which texts it takes and the text file it makes (widget/js/summary.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { summaryAsText, summaryParts } from "../../widget/js/summary.js";
import { TEXT } from "../../widget/js/strings.js";

const card = (level, extra) => ({
  from: "bot",
  custom: { triage: level, heading: "Heading " + level, badge: "B", lead: "Lead " + level, contacts: [], ...extra }
});
const summary = (text) => ({ from: "bot", text: text, summary: true });
const user = (text) => ({ from: "user", text: text });
const bot = (text) => ({ from: "bot", text: text });

test("the newest summary and the card of its own reply", () => {
  const transcript = [
    card("urgent"),
    summary("first"),
    user("igjen"),
    card("gp"),
    bot("Råd"),
    summary("second"),
    bot("Vil du vite mer?")
  ];
  assert.deepEqual(summaryParts(transcript), { summary: "second", triage: transcript[3].custom });
  assert.deepEqual(summaryParts(transcript, 1), { summary: "first", triage: transcript[0].custom });
});

test("an index that is not a summary falls back to the newest summary", () => {
  const transcript = [card("gp"), summary("s"), bot("x")];
  assert.equal(summaryParts(transcript, 2).summary, "s");
  assert.equal(summaryParts(transcript, 99).summary, "s");
});

test("no card across a user message; no summary at all gives null", () => {
  assert.deepEqual(summaryParts([card("gp"), user("hei"), summary("s")]), { summary: "s", triage: null });
  assert.equal(summaryParts([bot("**Oppsummering av sjekken**"), card("gp")]), null);
  assert.equal(summaryParts([]), null);
});

test("the text file: plain summary, the card's heading and lead, the contacts, the note", () => {
  const parts = {
    summary: "**Oppsummering av sjekken**\n- Råd: **Kontakt legevakt i dag**",
    triage: {
      triage: "urgent",
      heading: "Legevakt i dag",
      badge: "Haster",
      lead: "Dette bør en lege se på i dag.",
      contacts: [
        { name: "Legevakt", phone: "116 117", url: "" },
        { name: "RUSinfo", phone: "", url: "rusinfo.no" }
      ]
    }
  };
  const lines = summaryAsText(parts, "2. desember 2026 kl. 08:00").split("\n");
  assert.deepEqual(lines, [
    TEXT.summaryDoc,
    TEXT.summaryMade + "2. desember 2026 kl. 08:00",
    "",
    "Oppsummering av sjekken",
    "- Råd: Kontakt legevakt i dag",
    "",
    TEXT.summaryAdvice + "Legevakt i dag",
    "Dette bør en lege se på i dag.",
    "",
    TEXT.contactsHeading + ":",
    "- Legevakt, " + TEXT.phoneShort + "116 117",
    "- RUSinfo, https://rusinfo.no/",
    "",
    TEXT.summaryNote,
    ""
  ]);
});

test("the text file without a card, or with a card stored without texts", () => {
  const alone = summaryAsText({ summary: "S", triage: null }, "i dag");
  assert.equal(alone, [TEXT.summaryDoc, TEXT.summaryMade + "i dag", "", "S", "", TEXT.summaryNote, ""].join("\n"));
  const bare = summaryAsText({ summary: "S", triage: { triage: "gp", contacts: [] } }, "i dag");
  assert.ok(!bare.includes(TEXT.summaryAdvice) && !bare.includes("undefined"), bare);
});
