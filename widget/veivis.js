/*
 * Veivis chat widget: native ES modules, no framework, no build step. This is the entry;
 * the parts are in js/ (strings, format, payload, storage, transport, render, summary).
 *
 * One chat implementation for two places: the full page at / (index.html; this module
 * mounts it into [data-veivis-page]) and the panel embed.js adds to another site, inside a
 * shadow root (embed.js imports this module and calls mount). mount(root, options)
 * fetches the markup (chat.html) from the bot and runs the chat in it; root is the
 * document or the shadow root (ids are looked up there). One chat per page.
 *
 * Safety rules the modules keep:
 *   - user and bot text only ever reach the page through textContent / DOM nodes,
 *     never innerHTML, so typed or returned HTML is shown as text (render.js);
 *   - links are only made from http(s) URLs and bare domain names (→ https://; format.js);
 *   - nothing is sent anywhere except the bot; no cookies; the summary is built
 *     and saved in the browser (summary.js).
 */

import { EMERGENCY_NUMBER, TEXT } from "./js/strings.js";
import { EMERGENCY, toEntries } from "./js/payload.js";
import * as storage from "./js/storage.js";
import { RequestFailed, deleteOnServer, postOnce, postWithRetry } from "./js/transport.js";
import { el, renderEntry, sentenceWithCall } from "./js/render.js";
import { closeSummary, showSummary, summaryParts } from "./js/summary.js";

const MARKUP = "/widget/chat.html";

let bot = ""; // the bot's origin; "" on the page at / (same origin)
let store = storage.NO_STORAGE;
let state = { sender: "", transcript: [] };
let busy = false;
let pending = null; // {message, opts} while a message has not reached the bot
let requestSeq = 0; // the newest request; replies to older ones (before a restart) are dropped
let els = {};
let root = null; // the document; the embed's shadow root (see mount)

function save() {
  storage.save(store, state);
}

function freshState() {
  return { sender: storage.newSenderId(), transcript: [] };
}

function prefersReducedMotion() {
  return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
}

function isTouchDevice() {
  return !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
}

// ---------------------------------------------------------------- the log

const handlers = {
  quickReply: onQuickReply,
  saveSummary: openSummary
};

function renderAll() {
  els.log.textContent = "";
  state.transcript.forEach((entry, i) => {
    const node = renderEntry(entry, i, handlers);
    if (node) els.log.appendChild(node);
  });
  scrollToEnd(false);
}

function appendEntries(entries) {
  let first = null;
  entries.forEach((entry) => {
    state.transcript.push(entry);
    const node = renderEntry(entry, state.transcript.length - 1, handlers);
    if (node) {
      els.log.appendChild(node);
      if (!first) first = node;
    }
  });
  save();
  return first;
}

function scrollToEnd(smooth, firstNew) {
  const log = els.log;
  const behavior = smooth && !prefersReducedMotion() ? "smooth" : "auto";
  let target = log.scrollHeight;
  // A long reply: show its beginning rather than its end.
  if (firstNew && log.scrollHeight - firstNew.offsetTop > log.clientHeight) {
    target = Math.max(0, firstNew.offsetTop - 12);
  }
  if (typeof log.scrollTo === "function") log.scrollTo({ top: target, behavior: behavior });
  else log.scrollTop = target;
}

function disableOldButtons(chosen) {
  let changed = false;
  state.transcript.forEach((entry, i) => {
    if (entry.from === "bot" && Array.isArray(entry.buttons) && entry.buttons.length && !entry.used) {
      entry.used = true;
      if (chosen && chosen.index === i) entry.chosen = chosen.button;
      changed = true;
    }
  });
  if (!changed) return;
  els.log.querySelectorAll(".quick-replies").forEach((group) => {
    const idx = Number(group.parentNode.getAttribute("data-index"));
    group.querySelectorAll("button").forEach((b, bi) => {
      b.disabled = true;
      if (chosen && chosen.index === idx && chosen.button === bi) {
        b.classList.add("is-chosen");
        b.setAttribute("aria-pressed", "true");
      }
    });
  });
}

function reenableButtons(snapshot) {
  snapshot.forEach((i) => {
    const entry = state.transcript[i];
    if (entry) {
      entry.used = false;
      delete entry.chosen;
    }
  });
  save();
  renderAll();
}

// ---------------------------------------------------------------- busy / errors

function setBusy(value) {
  busy = value;
  els.log.setAttribute("aria-busy", value ? "true" : "false");
  els.app.setAttribute("data-busy", value ? "true" : "false");
  els.typing.textContent = "";
  els.typing.classList.toggle("is-active", value);
  if (value) {
    const dots = el("span", "typing__dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    els.typing.appendChild(dots);
    els.typing.appendChild(el("span", "typing__text", TEXT.typing));
  }
  els.send.setAttribute("aria-disabled", value ? "true" : "false");
}

function hideError() {
  els.error.hidden = true;
  els.error.textContent = "";
  els.notice.textContent = "";
}

function showOfflineError() {
  els.error.textContent = "";
  // The full sentence, with 113 as a tap-to-call link.
  const p = el("p", "connection-error__text");
  els.error.appendChild(sentenceWithCall(p, TEXT.offline, EMERGENCY_NUMBER, "connection-error__call"));
  const retry = el("button", "button button--primary connection-error__retry", TEXT.retry);
  retry.type = "button";
  retry.addEventListener("click", retryPending);
  els.error.appendChild(retry);
  els.error.hidden = false;
}

function showRequestError(message) {
  els.error.textContent = "";
  els.error.appendChild(el("p", "connection-error__text", TEXT.requestError + message));
  els.error.hidden = false;
}

// ---------------------------------------------------------------- sending

/*
 * Send one message. opts.display: the user's bubble text (null: no bubble, e.g. the
 * automatic "hei"); opts.typed: it came from the text field (put back on failure);
 * opts.chosen: which quick reply was clicked.
 */
function send(message, opts) {
  opts = opts || {};
  if (busy) return Promise.resolve(false);
  hideError();
  const usedBefore = [];
  state.transcript.forEach((e, i) => {
    if (e.from === "bot" && e.buttons && !e.used) usedBefore.push(i);
  });
  disableOldButtons(opts.chosen || null);

  let userNode = null;
  let userIndex = -1;
  if (opts.display) {
    userNode = appendEntries([{ from: "user", text: opts.display }]);
    userIndex = state.transcript.length - 1;
    scrollToEnd(true);
  } else {
    save();
  }
  pending = { message: message, opts: opts };
  setBusy(true);
  const sender = state.sender;
  const seq = ++requestSeq;

  return postWithRetry(bot, sender, message).then(
    (messages) => {
      if (seq !== requestSeq) return true; // restarted meanwhile: drop the old reply
      setBusy(false);
      pending = null;
      const first = appendEntries(toEntries(messages));
      scrollToEnd(true, first || userNode);
      afterReply(first, !!opts.byKeyboard);
      return true;
    },
    (err) => {
      if (seq !== requestSeq) return false;
      setBusy(false);
      // Not delivered: take the bubble back, give the text back, bring the buttons back.
      if (userIndex >= 0 && userIndex === state.transcript.length - 1) {
        state.transcript.pop();
        if (userNode && userNode.parentNode) userNode.parentNode.removeChild(userNode);
      }
      if (usedBefore.length) reenableButtons(usedBefore);
      else save();
      if (opts.typed && !els.input.value) els.input.value = opts.typed;
      if (err instanceof RequestFailed && err.kind === "client") {
        pending = null;
        showRequestError(err.detail);
      } else {
        showOfflineError();
      }
      return false;
    }
  );
}

function retryPending() {
  if (!pending || busy) return;
  const p = pending;
  if (p.opts.typed) {
    // The text is back in the field; send what is there now (the user may have edited it).
    const text = els.input.value.trim();
    if (!text) return;
    els.input.value = "";
    send(text, { display: text, typed: text });
  } else {
    send(p.message, p.opts);
  }
}

// ---------------------------------------------------------------- user actions

function onSubmit(ev) {
  ev.preventDefault();
  const text = els.input.value.trim();
  if (!text || busy) return;
  els.input.value = "";
  send(text, { display: text, typed: text });
}

function onQuickReply(entryIndex, buttonIndex, ev) {
  const entry = state.transcript[entryIndex];
  if (!entry || entry.used || busy) return;
  const b = entry.buttons[buttonIndex];
  const byKeyboard = ev && ev.detail === 0;
  // The clicked button is now disabled; keyboard users wait in the text field, and when
  // the answer comes, focus moves to it (afterReply), so Tab goes forward to its replies.
  if (byKeyboard) els.input.focus();
  send(b.payload, {
    display: b.title,
    chosen: { index: entryIndex, button: buttonIndex },
    byKeyboard: byKeyboard
  });
}

/*
 * Where attention goes after a reply. An emergency card: its «Ring 113» and first aid
 * must be in view, above an on-screen keyboard — so on touch devices the field lets go
 * of focus (the keyboard closes) and the card is scrolled to the top of the log.
 * After a quick reply chosen by keyboard: focus on the reply itself, so Tab reaches
 * its buttons forward, in reading order (unless the person has started typing).
 */
function afterReply(first, byKeyboard) {
  if (!first) return;
  const card = first.querySelector('.triage[data-triage="' + EMERGENCY + '"]');
  if (card) {
    if (isTouchDevice() && root.activeElement === els.input) els.input.blur();
    showInLog(first, card.querySelector("a[href^='tel:']"));
    return;
  }
  if (byKeyboard && root.activeElement === els.input && !els.input.value) {
    first.setAttribute("tabindex", "-1");
    first.focus({ preventScroll: true });
  }
}

// Scroll the log so `node` starts at its top — or, when the log is too short for that,
// so that `mustSee` (the card's call link) is still inside it.
function showInLog(node, mustSee) {
  const log = els.log;
  const logTop = log.getBoundingClientRect().top - log.scrollTop;
  let top = node.getBoundingClientRect().top - logTop - 8;
  if (mustSee) {
    const bottom = mustSee.getBoundingClientRect().bottom - logTop + 8;
    if (bottom - top > log.clientHeight) top = bottom - log.clientHeight;
  }
  top = Math.max(0, top);
  if (typeof log.scrollTo === "function") log.scrollTo({ top: top, behavior: "auto" });
  else log.scrollTop = top;
}

function restart() {
  const oldSender = state.sender;
  const hadConversation = state.transcript.length > 0;
  pending = null;
  requestSeq++;
  hideError();
  closeSummary(els);
  state = freshState();
  save();
  renderAll();
  setBusy(false);
  els.input.value = "";
  // Tell the bot to forget the old conversation (best effort, no retries).
  const forgotten = hadConversation
    ? postOnce(bot, oldSender, "/restart").catch(() => {})
    : Promise.resolve();
  forgotten.then(greet);
}

function greet() {
  return send("hei", { display: null });
}

// «Slett samtalen»: the server first; the browser's copy goes only once the server has
// forgotten it, so a failed attempt can be repeated with the same id.
function deleteConversation() {
  if (!window.confirm(TEXT.confirmDelete)) return Promise.resolve(false);
  const sender = state.sender;
  hideError();
  closeSummary(els);
  return deleteOnServer(bot, sender).then(
    (outcome) => {
      pending = null;
      requestSeq++; // a reply still under way belongs to the deleted conversation
      state = freshState();
      storage.forget(store);
      renderAll();
      setBusy(false);
      els.input.value = "";
      showDeleted(outcome === "deleted" ? TEXT.deleted : TEXT.deletedHereOnly);
      return true;
    },
    (err) => {
      showRequestError(TEXT.notDeleted + ((err && err.detail) || ""));
      return false;
    }
  );
}

// Nothing is stored again until the person writes or starts a new conversation.
function showDeleted(message, quietly) {
  els.notice.textContent = "";
  els.notice.appendChild(el("p", "notice__text", message));
  const again = el("button", "button button--secondary notice__new", TEXT.newConversation);
  again.type = "button";
  again.addEventListener("click", () => {
    els.notice.textContent = "";
    greet();
    els.input.focus();
  });
  els.notice.appendChild(again);
  if (!quietly) again.focus();
}

// Builds the printable summary and the download; returns the text (also used by tests).
function openSummary(summaryIndex) {
  const parts = summaryParts(state.transcript, summaryIndex);
  if (!parts) {
    showRequestError(TEXT.noSummary);
    return null;
  }
  return showSummary(els, parts, new Date());
}

// ---------------------------------------------------------------- other tabs

// Tabs of one browser share the stored conversation: when another tab writes it, this
// one shows what that tab saved instead of overwriting it with an older copy later.
function onStorage(ev) {
  if (!storage.concernsUs(ev, store)) return;
  const stored = storage.load(store);
  const sameConversation = stored && stored.sender === state.sender;
  if (!sameConversation) {
    pending = null;
    requestSeq++; // a reply under way belongs to the conversation that was replaced
    setBusy(false);
    hideError();
  }
  if (stored) {
    state = stored;
    renderAll();
  } else {
    state = freshState();
    renderAll();
    showDeleted(TEXT.deleted, true);
  }
}

// The visible height, without an on-screen keyboard: the layout follows it, so the
// field and the newest reply stay above the keyboard (CSS falls back to 100dvh).
const COMPACT_BELOW_PX = 480;

function followVisualViewport() {
  const vv = window.visualViewport;
  function update() {
    const height = vv ? vv.height : window.innerHeight;
    if (vv) els.container.style.setProperty("--veivis-visible-height", Math.round(height) + "px");
    els.app.setAttribute("data-compact", height < COMPACT_BELOW_PX ? "true" : "false");
  }
  (vv || window).addEventListener("resize", update);
  update();
}

// ---------------------------------------------------------------- start

function init(container, options) {
  const byId = (id) => root.getElementById(id);
  els = {
    container: container,
    app: byId("app"),
    chat: byId("chat"),
    log: byId("log"),
    typing: byId("typing"),
    error: byId("connection-error"),
    form: byId("composer"),
    input: byId("message-input"),
    send: byId("send"),
    restart: byId("restart"),
    deleteButton: byId("delete"),
    notice: byId("notice"),
    summary: byId("summary"),
    summaryTitle: byId("summary-title"),
    summaryMeta: byId("summary-meta"),
    summaryBody: byId("summary-body"),
    summaryPrint: byId("summary-print"),
    summaryDownload: byId("summary-download"),
    summaryClose: byId("summary-close")
  };

  els.form.addEventListener("submit", onSubmit);
  els.input.addEventListener("keydown", (ev) => {
    // Enter sends, Shift+Enter makes a new line (not while composing with an IME).
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if (typeof els.form.requestSubmit === "function") els.form.requestSubmit();
      else onSubmit(ev);
    }
  });
  els.restart.addEventListener("click", restart);
  els.deleteButton.addEventListener("click", deleteConversation);
  window.addEventListener("storage", onStorage);
  followVisualViewport();
  els.summaryPrint.addEventListener("click", () => window.print());
  els.summaryClose.addEventListener("click", () => closeSummary(els));
  els.summary.addEventListener("click", (ev) => {
    if (ev.target === els.summary) closeSummary(els); // click on the backdrop
  });

  if (options.onClose) {
    // In the embed's panel: a way back to the host page, after the chat's own buttons.
    const close = el("button", "button button--quiet", TEXT.close);
    close.type = "button";
    close.setAttribute("data-veivis-close", "");
    close.addEventListener("click", options.onClose);
    els.restart.parentNode.appendChild(close);
  }
  if (options.page) els.chat.setAttribute("role", "main"); // the page's main landmark
  // What the privacy note says about this browser depends on the storage in use.
  container.querySelectorAll("[data-storage]").forEach((node) => {
    node.hidden = node.getAttribute("data-storage") !== options.storage;
  });

  window.veivis = { openSummary: openSummary, restart: restart, deleteConversation: deleteConversation };

  const stored = storage.load(store);
  state = stored && stored.sender ? stored : freshState();
  save();
  renderAll();
  setBusy(false);
  if (!state.transcript.length) greet();
}

// The markup could not be fetched (the bot is restarting, the network is gone): at
// least the emergency number, as a link.
function showMountFailed(container) {
  container.textContent = "";
  const p = el("p", "mount-failed");
  p.setAttribute("role", "alert");
  container.appendChild(sentenceWithCall(p, TEXT.mountFailed, EMERGENCY_NUMBER));
}

/*
 * options: bot (origin, "" = this one), storage ("local" | "session"), container (where
 * the markup goes), page (true on /), onClose (the embed's panel). Resolves when the
 * chat is ready; rejects if the markup cannot be fetched.
 */
export function mount(where, options) {
  options = options || {};
  root = where;
  bot = options.bot || "";
  options.storage = options.storage === "session" ? "session" : "local";
  store = storage.openStore(options.storage);
  return fetch(bot + MARKUP, { credentials: "omit", redirect: "error", referrerPolicy: "no-referrer" })
    .then((res) => {
      if (!res.ok) throw new Error("markup " + res.status);
      return res.text();
    })
    .then((html) => {
      // Parsed inert (scripts in it would not run): the bot's own, fixed markup.
      const parsed = new DOMParser().parseFromString(html, "text/html");
      const container = options.container;
      container.textContent = "";
      while (parsed.body.firstChild) {
        container.appendChild(document.adoptNode(parsed.body.firstChild));
      }
      init(container, options);
    })
    .catch((err) => {
      showMountFailed(options.container);
      throw err;
    });
}

// The page at /: a module runs once the document is parsed.
const page = document.querySelector("[data-veivis-page]");
if (page) {
  mount(document, { container: page, page: true, storage: "local" }).catch(() => {
    /* shown in the page (showMountFailed) */
  });
}
