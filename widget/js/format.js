/*
 * The bot's light formatting, read into plain data (no DOM, so node --test can check it):
 * paragraphs, "- " lists, «Kilde:» lines, **bold**, links and phone numbers. render.js
 * turns the result into DOM nodes with textContent only, so nothing here is ever HTML:
 * «<script>» in a text stays the text «<script>».
 *
 *   blocks(text) → [{kind: "paragraph", lines: [parts]} | {kind: "list", items: [parts]}
 *                   | {kind: "source", parts}]
 *   parts        → [{kind: "text", text} | {kind: "strong", parts}
 *                   | {kind: "link", href, text} | {kind: "phone", href, text}]
 */

// http(s) URLs, or bare domain names with a known top-level domain, at the start of the
// text or after a space or an opening bracket/quote (no lookbehind: older Safari).
const LINK_RE =
  /(^|[\s(\[«"'])(https?:\/\/[^\s<>"'«»]+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:no|com|org|net|info|eu|se|dk|nu|io)(?:\/[^\s<>"'«»]*)?)(?![\w@-])/gi;
const TRAILING_PUNCT = /[.,;:!?)\]»"']+$/;

// Norwegian help numbers as the bot writes them (resources/contacts.yml): 113, 116 117,
// 22 59 13 00, 915 08 588, 80040567. Only these shapes, so «150 mg» or a year stays text.
const PHONE_RE =
  /(^|[^\d\wæøåÆØÅ])(11[023]|116 \d{3}|\d{2} \d{2} \d{2} \d{2}|\d{3} \d{2} \d{3}|\d{8})(?![\d\wæøåÆØÅ])/g;

/** An http(s) link target, or null: no other scheme, no user:password@. */
export function safeHref(raw) {
  const candidate = /^https?:\/\//i.test(raw) ? raw : "https://" + raw;
  try {
    const url = new URL(candidate);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (url.username || url.password) return null;
    return url.href;
  } catch (e) {
    return null;
  }
}

/** tel: with the digits only, or null when there are none. */
export function phoneHref(phone) {
  const digits = String(phone || "").replace(/\D/g, "");
  return digits ? "tel:" + digits : null;
}

/** A web address as a contact's link text: without the scheme, «www.» and a final «/». */
export function webLabel(href) {
  return href.replace(/^https?:\/\/(www\.)?/i, "").replace(/\/$/, "");
}

function phoneParts(text) {
  const parts = [];
  const re = new RegExp(PHONE_RE.source, PHONE_RE.flags);
  let last = 0;
  let match;
  while ((match = re.exec(text)) !== null) {
    const start = match.index + match[1].length;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    parts.push({ kind: "phone", href: phoneHref(match[2]), text: match[2] });
    last = start + match[2].length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/** Links first, then phone numbers in the text between them. */
export function linkedParts(text) {
  const parts = [];
  const re = new RegExp(LINK_RE.source, LINK_RE.flags);
  let last = 0;
  let match;
  while ((match = re.exec(text)) !== null) {
    const core = match[2].replace(TRAILING_PUNCT, "");
    const start = match.index + match[1].length;
    const href = core ? safeHref(core) : null;
    if (!href) continue;
    if (start > last) parts.push(...phoneParts(text.slice(last, start)));
    parts.push({ kind: "link", href: href, text: core });
    last = start + core.length;
  }
  if (last < text.length) parts.push(...phoneParts(text.slice(last)));
  return parts;
}

/** **bold** and links inside one line. */
export function inlineParts(text) {
  const parts = [];
  text.split(/\*\*(.+?)\*\*/g).forEach((piece, i) => {
    if (!piece) return;
    if (i % 2 === 1) parts.push({ kind: "strong", parts: linkedParts(piece) });
    else parts.push(...linkedParts(piece));
  });
  return parts;
}

/** Paragraphs (lines joined by line breaks), "- " lists and «Kilde:» lines. */
export function blocks(text) {
  const out = [];
  let list = null;
  let para = null;
  String(text)
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .forEach((line) => {
      const trimmed = line.trim();
      if (!trimmed) {
        list = null;
        para = null;
        return;
      }
      const item = /^[-*•]\s+(.*)$/.exec(trimmed);
      if (item) {
        para = null;
        if (!list) {
          list = { kind: "list", items: [] };
          out.push(list);
        }
        list.items.push(inlineParts(item[1]));
        return;
      }
      list = null;
      if (/^kilde:/i.test(trimmed)) {
        para = null;
        out.push({ kind: "source", parts: inlineParts(trimmed) });
        return;
      }
      if (!para) {
        para = { kind: "paragraph", lines: [] };
        out.push(para);
      }
      para.lines.push(inlineParts(trimmed));
    });
  return out;
}

/** The text without its **bold** marks (the summary's text file). */
export function plainText(text) {
  return String(text).replace(/\*\*(.+?)\*\*/g, "$1");
}
