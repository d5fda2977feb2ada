/*
 * The bot's REST messages → transcript entries (plain data, kept in storage and rendered by
 * render.js). The custom payloads' keys are named here once; the Python side names them
 * in veivis/payloads.py:
 *   {"triage": level, "heading", "badge", "lead", "contacts": [{name, phone, url}]}
 *   {"summary": true}, beside the self-check's summary text (Rasa sends it as the next
 *   message), so the widget offers «Lagre oppsummering» under that text.
 */

export const KEY = {
  triage: "triage",
  heading: "heading",
  badge: "badge",
  lead: "lead",
  contacts: "contacts",
  summary: "summary"
};
export const EMERGENCY = "emergency";

// A level is also a CSS class (triage--<level>): only lower-case words.
const LEVEL_RE = /^[a-z_]+$/;

export function isTriage(custom) {
  return !!(
    custom &&
    typeof custom === "object" &&
    typeof custom[KEY.triage] === "string" &&
    LEVEL_RE.test(custom[KEY.triage])
  );
}

function isSummaryMark(custom) {
  return !!(custom && typeof custom === "object" && custom[KEY.summary] === true);
}

/** The self-check's summary: a bot text the bot marked so. */
export function isSummary(entry) {
  return !!(entry && entry.from === "bot" && entry.summary === true && typeof entry.text === "string");
}

function text(value) {
  return typeof value === "string" ? value : "";
}

function triageEntry(custom) {
  const contacts = Array.isArray(custom[KEY.contacts]) ? custom[KEY.contacts] : [];
  return {
    triage: custom[KEY.triage],
    heading: text(custom[KEY.heading]),
    badge: text(custom[KEY.badge]),
    lead: text(custom[KEY.lead]),
    contacts: contacts.map((c) => ({
      name: String((c && c.name) || ""),
      phone: String((c && c.phone) || ""),
      url: String((c && c.url) || "")
    }))
  };
}

function buttonsOf(message) {
  if (!Array.isArray(message.buttons)) return [];
  return message.buttons
    .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: b.title, payload: b.payload }));
}

/**
 * Bot messages → entries. An emergency card goes first in its reply, so the tap-to-call
 * 113 is the first thing a person in an emergency sees.
 */
export function toEntries(messages) {
  const entries = [];
  (Array.isArray(messages) ? messages : []).forEach((m) => {
    if (!m || typeof m !== "object") return;
    const entry = { from: "bot" };
    if (typeof m.text === "string" && m.text.trim()) entry.text = m.text;
    const buttons = buttonsOf(m);
    if (buttons.length) entry.buttons = buttons;
    if (isTriage(m.custom)) entry.custom = triageEntry(m.custom);
    if (isSummaryMark(m.custom)) {
      // The mark comes with the text, or (Rasa's REST channel) as the message after it.
      const previous = entries[entries.length - 1];
      const target = entry.text ? entry : previous;
      if (target && target.text && !target.custom) target.summary = true;
    }
    if (entry.text || entry.buttons || entry.custom) entries.push(entry);
  });
  const emergencyAt = entries.findIndex((e) => e.custom && e.custom.triage === EMERGENCY);
  if (emergencyAt > 0) entries.unshift(entries.splice(emergencyAt, 1)[0]);
  return entries;
}
