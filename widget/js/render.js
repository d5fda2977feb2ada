/*
 * Transcript entries and formatted text → DOM nodes. Text only ever reaches the page
 * through textContent and text nodes, never innerHTML, so typed or returned HTML is
 * shown as text. Nothing here runs at import time.
 */

import { TEXT } from "./strings.js";
import { blocks, safeHref, phoneHref, webLabel } from "./format.js";
import { isSummary, isTriage } from "./payload.js";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function hiddenLabel(text) {
  return el("span", "visually-hidden", text + " ");
}

export function makeLink(href, text) {
  const a = el("a", "link", text);
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

// A tap-to-call link that never breaks inside the number (CSS: .phone, nowrap).
export function phoneLink(number, className = "phone") {
  const a = el("a", className, number);
  a.href = phoneHref(number);
  return a;
}

/** A sentence with its last «number» as a tap-to-call link. */
export function sentenceWithCall(p, sentence, number, className) {
  const at = sentence.lastIndexOf(number);
  p.appendChild(document.createTextNode(sentence.slice(0, at)));
  p.appendChild(phoneLink(number, className));
  p.appendChild(document.createTextNode(sentence.slice(at + number.length)));
  return p;
}

function appendParts(parent, parts) {
  parts.forEach((part) => {
    if (part.kind === "strong") {
      const strong = el("strong");
      appendParts(strong, part.parts);
      parent.appendChild(strong);
    } else if (part.kind === "link") {
      parent.appendChild(makeLink(part.href, part.text));
    } else if (part.kind === "phone") {
      parent.appendChild(phoneLink(part.text));
    } else {
      parent.appendChild(document.createTextNode(part.text));
    }
  });
}

/** The bot's text (format.js) as a fragment of DOM nodes. */
export function formatText(text) {
  const frag = document.createDocumentFragment();
  blocks(text).forEach((block) => {
    if (block.kind === "list") {
      const list = el("ul", "msg-list");
      block.items.forEach((parts) => {
        const li = el("li");
        appendParts(li, parts);
        list.appendChild(li);
      });
      frag.appendChild(list);
    } else if (block.kind === "source") {
      const source = el("p", "msg-source");
      appendParts(source, block.parts);
      frag.appendChild(source);
    } else {
      const para = el("p");
      block.lines.forEach((parts, i) => {
        if (i) para.appendChild(el("br"));
        appendParts(para, parts);
      });
      frag.appendChild(para);
    }
  });
  return frag;
}

function contactItem(c) {
  const li = el("li", "contact");
  li.appendChild(el("span", "contact__name", c.name || ""));
  const actions = el("span", "contact__actions");
  const tel = phoneHref(c.phone);
  if (tel) {
    const call = el("a", "contact__call", TEXT.call + String(c.phone).trim());
    call.href = tel;
    actions.appendChild(call);
  }
  const href = c.url ? safeHref(String(c.url).trim()) : null;
  if (href) {
    const web = makeLink(href, webLabel(href));
    web.className = "contact__web";
    web.insertBefore(el("span", "visually-hidden", TEXT.website), web.firstChild);
    actions.appendChild(web);
  }
  li.appendChild(actions);
  return li;
}

/**
 * A triage card: the badge (so colour is never the only cue), the heading and the lead,
 * as the bot sent them, then the contacts. (A card stored before the bot sent its texts
 * shows its contacts only.)
 */
export function renderTriage(custom) {
  const card = el("section", "triage triage--" + custom.triage);
  card.setAttribute("data-triage", custom.triage);
  if (custom.heading) {
    const headingId = "triage-" + Math.random().toString(36).slice(2, 10);
    card.setAttribute("aria-labelledby", headingId);
    const header = el("div", "triage__header");
    if (custom.badge) header.appendChild(el("span", "triage__badge", custom.badge));
    const h = el("h2", "triage__heading", custom.heading);
    h.id = headingId;
    header.appendChild(h);
    card.appendChild(header);
  }
  if (custom.lead) card.appendChild(el("p", "triage__lead", custom.lead));

  const contacts = Array.isArray(custom.contacts) ? custom.contacts : [];
  if (contacts.length) {
    const list = el("ul", "triage__contacts");
    list.setAttribute("aria-label", TEXT.contactsHeading);
    contacts.forEach((c) => {
      if (c && typeof c === "object") list.appendChild(contactItem(c));
    });
    card.appendChild(list);
  }
  return card;
}

function quickReplies(entry, index, onQuickReply) {
  const group = el("div", "quick-replies");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", TEXT.replies);
  entry.buttons.forEach((b, i) => {
    if (!b || typeof b.title !== "string") return;
    const btn = el("button", "quick-reply", b.title);
    btn.type = "button";
    if (entry.used) {
      btn.disabled = true;
      if (entry.chosen === i) {
        btn.classList.add("is-chosen");
        btn.setAttribute("aria-pressed", "true");
      }
    }
    btn.addEventListener("click", (ev) => onQuickReply(index, i, ev));
    group.appendChild(btn);
  });
  return group;
}

/**
 * One transcript entry as a row of the log, or null when it has nothing to show.
 * on.quickReply(entryIndex, buttonIndex, event), on.saveSummary(entryIndex).
 */
export function renderEntry(entry, index, on) {
  const row = el("div", "msg msg--" + entry.from);
  row.setAttribute("data-index", String(index));

  if (entry.from === "user") {
    const ub = el("div", "bubble bubble--user");
    ub.appendChild(hiddenLabel(TEXT.you));
    ub.appendChild(el("span", "bubble__text", entry.text));
    row.appendChild(ub);
    return row;
  }

  if (isTriage(entry.custom)) {
    row.classList.add("msg--card");
    row.appendChild(renderTriage(entry.custom));
    return row;
  }

  if (typeof entry.text === "string" && entry.text) {
    const summary = isSummary(entry);
    const bb = el("div", "bubble bubble--bot");
    if (summary) bb.classList.add("bubble--summary");
    bb.appendChild(hiddenLabel(TEXT.bot));
    bb.appendChild(formatText(entry.text));
    row.appendChild(bb);
    if (summary) {
      const saveBtn = el("button", "button button--secondary save-summary", TEXT.saveSummary);
      saveBtn.type = "button";
      saveBtn.setAttribute("data-summary-index", String(index));
      saveBtn.addEventListener("click", () => on.saveSummary(index));
      row.appendChild(saveBtn);
    }
  }

  if (Array.isArray(entry.buttons) && entry.buttons.length) {
    row.appendChild(quickReplies(entry, index, on.quickReply));
  }

  return row.childNodes.length ? row : null;
}
