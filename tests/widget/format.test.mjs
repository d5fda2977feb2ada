// The bot's light formatting as data (widget/js/format.js): links, phone numbers, bold,
// lists, and that nothing in a text ever becomes markup.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  blocks,
  inlineParts,
  phoneHref,
  plainText,
  safeHref,
  webLabel
} from "../../widget/js/format.js";

const text = (t) => ({ kind: "text", text: t });
const phone = (n, digits) => ({ kind: "phone", href: "tel:" + digits, text: n });
const link = (href, t) => ({ kind: "link", href: href, text: t });

test("safeHref keeps http(s) and bare domains, refuses other schemes and credentials", () => {
  const table = [
    ["https://www.113.no/", "https://www.113.no/"],
    ["http://rusinfo.no", "http://rusinfo.no/"],
    ["rusinfo.no/chat", "https://rusinfo.no/chat"],
    ["javascript:alert(1)", null],
    ["data:text/html,<b>x</b>", null],
    ["https://user:pass@evil.no/", null],
    ["https://", null]
  ];
  for (const [raw, expected] of table) assert.equal(safeHref(raw), expected, raw);
});

test("phoneHref keeps digits only", () => {
  assert.equal(phoneHref("22 59 13 00"), "tel:22591300");
  assert.equal(phoneHref("116 117"), "tel:116117");
  assert.equal(phoneHref(""), null);
  assert.equal(phoneHref(undefined), null);
  assert.equal(phoneHref("ingen"), null);
});

test("help numbers in the bot's shapes become one tel: link each", () => {
  const table = [
    ["Ring 113 nå.", [text("Ring "), phone("113", "113"), text(" nå.")]],
    ["112 eller 110", [phone("112", "112"), text(" eller "), phone("110", "110")]],
    ["Legevakt: 116 117", [text("Legevakt: "), phone("116 117", "116117")]],
    ["(22 59 13 00)", [text("("), phone("22 59 13 00", "22591300"), text(")")]],
    ["på 915 08 588,", [text("på "), phone("915 08 588", "91508588"), text(",")]],
    ["80040567", [phone("80040567", "80040567")]]
  ];
  for (const [input, expected] of table) assert.deepEqual(inlineParts(input), expected, input);
});

test("numbers that are not help numbers stay text", () => {
  for (const input of [
    "150 mg",
    "i 2024",
    "1130 kroner",
    "kl. 11.30",
    "A113",
    "113a",
    "1234567",
    "123456789",
    "22 59 13",
    "116 11"
  ]) {
    assert.deepEqual(inlineParts(input), [text(input)], input);
  }
});

test("links: URLs and bare domains, trailing punctuation left outside", () => {
  const table = [
    ["Se rusinfo.no.", [text("Se "), link("https://rusinfo.no/", "rusinfo.no"), text(".")]],
    [
      "(https://www.113.no/),",
      [text("("), link("https://www.113.no/", "https://www.113.no/"), text("),")]
    ],
    ["«helsenorge.no»", [text("«"), link("https://helsenorge.no/", "helsenorge.no"), text("»")]],
    ["post@rusinfo.no", [text("post@rusinfo.no")]], // not after a space: no link
    ["filen.exe", [text("filen.exe")]] // unknown top-level domain
  ];
  for (const [input, expected] of table) assert.deepEqual(inlineParts(input), expected, input);
});

test("a number inside a link stays part of the link", () => {
  assert.deepEqual(inlineParts("https://example.no/113"), [
    link("https://example.no/113", "https://example.no/113")
  ]);
});

test("HTML in a text is text: no tags, no attributes, quotes end a link", () => {
  const attack = '<img src=x onerror="alert(1)"> <script>alert(2)</script>';
  assert.deepEqual(inlineParts(attack), [text(attack)]);
  const quoted = 'https://evil.no/"onmouseover="alert(1)';
  const parts = inlineParts(quoted);
  assert.deepEqual(parts[0], link("https://evil.no/", "https://evil.no/"));
  assert.deepEqual(parts.slice(1), [text('"onmouseover="alert(1)')]);
  assert.ok(parts.every((p) => p.kind === "text" || !/["<>]/.test(p.href)));
});

test("**bold** holds links and numbers; unmatched ** stays text", () => {
  assert.deepEqual(inlineParts("**Ring 113** nå"), [
    { kind: "strong", parts: [text("Ring "), phone("113", "113")] },
    text(" nå")
  ]);
  assert.deepEqual(inlineParts("2 ** 3"), [text("2 ** 3")]);
});

test("blocks: paragraphs with line breaks, lists, «Kilde:» lines", () => {
  const input = "Hei.\r\nLinje to.\n\n- en\n* to\n• tre\nKilde: helsenorge.no\nSiste";
  assert.deepEqual(blocks(input), [
    { kind: "paragraph", lines: [[text("Hei.")], [text("Linje to.")]] },
    { kind: "list", items: [[text("en")], [text("to")], [text("tre")]] },
    { kind: "source", parts: [text("Kilde: "), link("https://helsenorge.no/", "helsenorge.no")] },
    { kind: "paragraph", lines: [[text("Siste")]] }
  ]);
  assert.deepEqual(blocks("   \n\n"), []);
  assert.deepEqual(blocks("-ikke liste"), [{ kind: "paragraph", lines: [[text("-ikke liste")]] }]);
});

test("plainText drops the bold marks only", () => {
  assert.equal(plainText("**Oppsummering**\n- Råd: **Ring 113 nå**"), "Oppsummering\n- Råd: Ring 113 nå");
});

test("webLabel: the address without scheme, www. and the final slash", () => {
  assert.equal(webLabel("https://www.113.no/"), "113.no");
  assert.equal(webLabel("https://rusinfo.no/chat"), "rusinfo.no/chat");
});
