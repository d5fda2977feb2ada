/*
 * Veivis chat widget. Plain JavaScript, no framework, no build step.
 *
 * One chat implementation for two places: the full page at / (index.html mounts it into
 * [data-veivis-page]) and the panel embed.js adds to another site, inside a shadow root.
 * VeivisChat.mount(root, options) fetches the markup (chat.html) from the bot and runs
 * the chat in it; root is the document or the shadow root (ids are looked up there).
 * One chat per page.
 *
 * Transport: Rasa's REST channel of the bot (POST /webhooks/rest/webhook); from another
 * site the bot must allow that site's origin (CORS, VEIVIS_ALLOWED_ORIGINS).
 * Safety rules this file keeps:
 *   - user and bot text only ever reach the page through textContent / DOM nodes,
 *     never innerHTML, so typed or returned HTML is shown as text;
 *   - links are only made from http(s) URLs and bare domain names (→ https://);
 *   - nothing is sent anywhere except the bot; no cookies; the summary is built
 *     and saved in the browser.
 */
(function () {
  "use strict";

  var bot = ""; // the bot's origin; "" on the page at / (same origin)
  var WEBHOOK = "/webhooks/rest/webhook";
  // DELETE <this>/<sender> → {deleted: true} | 404 {deleted: false} (veivis/channels/rest.py)
  var CONVERSATION = "/webhooks/rest/conversation/";
  var DELETED_KEY = "deleted";
  var STORAGE_KEY = "veivis.chat.v1";
  var MARKUP = "/widget/chat.html";
  var store = null; // localStorage, or sessionStorage (embed: data-storage="session")
  var MAX_STORED_ENTRIES = 300;
  var REQUEST_TIMEOUT_MS = 60000;
  var RETRY_DELAYS_MS = [1000, 2000, 4000]; // after the first try: 3 retries with backoff
  var SUMMARY_MARKER = "**Oppsummering av sjekken**";

  var TEXT = {
    typing: "Veivis skriver …",
    you: "Du skrev:",
    bot: "Veivis skrev:",
    offline:
      "Jeg får ikke kontakt med Veivis akkurat nå. Prøv igjen om litt. Er noen i fare, ring 113.",
    retry: "Prøv igjen",
    requestError: "Meldingen kom ikke fram: ",
    saveSummary: "Lagre oppsummering",
    contactsHeading: "Hvem du kan kontakte",
    call: "Ring ",
    website: "Nettside: ",
    summaryDoc: "Oppsummering fra Veivis",
    summaryMade: "Laget ",
    summaryNote:
      "Laget i nettleseren din og ikke sendt noe sted. Veivis er en chatbot og stiller ingen diagnose. Er noen i fare, ring 113.",
    summaryFile: "veivis-oppsummering.txt",
    noSummary: "Jeg finner ingen oppsummering i samtalen ennå. Ta sjekken først.",
    confirmDelete:
      "Slette samtalen? Den slettes fra denne nettleseren og fra serveren, og kan ikke hentes tilbake.",
    deleted: "Samtalen er slettet fra denne nettleseren og fra serveren.",
    deletedHereOnly:
      "Samtalen er slettet fra denne nettleseren. Serveren hadde ingen lagret samtale med denne ID-en.",
    notDeleted: "Samtalen ble ikke slettet. Prøv igjen om litt. ",
    newConversation: "Start en ny samtale",
    close: "Lukk",
    mountFailed: "Chatten kunne ikke lastes akkurat nå. Prøv igjen om litt. Er noen i fare, ring 113."
  };

  // One entry per level: heading, a short label (so colour is never the only cue),
  // and a sentence that says what to do.
  var TRIAGE = {
    emergency: {
      heading: "Ring 113 nå",
      badge: "Akutt",
      lead: "Livet kan være i fare. Ring medisinsk nødtelefon med en gang."
    },
    urgent: {
      heading: "Legevakt i dag",
      badge: "Haster",
      lead: "Dette bør en lege se på i dag."
    },
    gp: {
      heading: "Fastlege snart",
      badge: "Snart",
      lead: "Bestill time hos fastlegen din. Ta gjerne med oppsummeringen."
    },
    self_help: {
      heading: "Informasjon og støtte",
      badge: "Ikke akutt",
      lead: "Her kan du få informasjon og noen å snakke med."
    }
  };

  // ---------------------------------------------------------------- state

  var state = { sender: "", transcript: [] };
  var busy = false;
  var pending = null; // {message, opts} while a message has not reached the bot
  var requestSeq = 0; // the newest request; replies to older ones (before a restart) are dropped
  var els = {};
  var root = document; // the page; the embed's shadow root (see mount)
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var downloadUrl = null;

  function newSenderId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return "web-" + window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return (
      "web-" +
      Array.prototype.map
        .call(bytes, function (b) {
          return ("0" + b.toString(16)).slice(-2);
        })
        .join("")
    );
  }

  function load() {
    try {
      var raw = store.getItem(STORAGE_KEY);
      if (!raw) return null;
      var data = JSON.parse(raw);
      if (!data || typeof data.sender !== "string" || !Array.isArray(data.transcript)) return null;
      return {
        sender: data.sender,
        transcript: data.transcript.filter(function (e) {
          return e && (e.from === "user" || e.from === "bot");
        })
      };
    } catch (e) {
      return null;
    }
  }

  // Only the newest entries are kept across reloads (the page itself keeps them all,
  // so the indices the buttons refer to stay valid).
  function forget() {
    try {
      store.removeItem(STORAGE_KEY);
    } catch (e) {
      /* storage unavailable: nothing was kept */
    }
  }

  function save() {
    var stored = { sender: state.sender, transcript: state.transcript.slice(-MAX_STORED_ENTRIES) };
    try {
      store.setItem(STORAGE_KEY, JSON.stringify(stored));
    } catch (e) {
      /* private mode or full storage: the chat still works, it just is not kept */
    }
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function hiddenLabel(text) {
    return el("span", "visually-hidden", text + " ");
  }

  function prefersReducedMotion() {
    return !!(reducedMotion && reducedMotion.matches);
  }

  // ---------------------------------------------------------------- light formatting

  // http(s) URLs, or bare domain names with a known top-level domain, at the start of the
  // text or after a space or an opening bracket/quote (no lookbehind: older Safari).
  var LINK_RE =
    /(^|[\s(\[«"'])(https?:\/\/[^\s<>"'«»]+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:no|com|org|net|info|eu|se|dk|nu|io)(?:\/[^\s<>"'«»]*)?)(?![\w@-])/gi;
  var TRAILING_PUNCT = /[.,;:!?)\]»"']+$/;

  function safeHref(raw) {
    var candidate = /^https?:\/\//i.test(raw) ? raw : "https://" + raw;
    try {
      var url = new URL(candidate);
      if (url.protocol !== "https:" && url.protocol !== "http:") return null;
      if (url.username || url.password) return null;
      return url.href;
    } catch (e) {
      return null;
    }
  }

  function makeLink(href, text) {
    var a = el("a", "link", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function appendLinked(parent, text) {
    var last = 0;
    var match;
    LINK_RE.lastIndex = 0;
    while ((match = LINK_RE.exec(text)) !== null) {
      var raw = match[2];
      var core = raw.replace(TRAILING_PUNCT, "");
      var start = match.index + match[1].length;
      var href = core ? safeHref(core) : null;
      if (!href) continue;
      if (start > last) appendPhones(parent, text.slice(last, start));
      parent.appendChild(makeLink(href, core));
      last = start + core.length;
    }
    if (last < text.length) appendPhones(parent, text.slice(last));
  }

  // Norwegian help numbers as the bot writes them (data/contacts.yml): 113, 116 117,
  // 22 59 13 00, 915 08 588, 80040567. Only these shapes, so «150 mg» or a year stays text.
  var PHONE_RE =
    /(^|[^\d\wæøåÆØÅ])(11[023]|116 \d{3}|\d{2} \d{2} \d{2} \d{2}|\d{3} \d{2} \d{3}|\d{8})(?![\d\wæøåÆØÅ])/g;

  // A tap-to-call link that never breaks inside the number (CSS: .phone, nowrap).
  function phoneLink(number) {
    var a = el("a", "phone", number);
    a.href = phoneHref(number);
    return a;
  }

  function appendPhones(parent, text) {
    var last = 0;
    var match;
    PHONE_RE.lastIndex = 0;
    while ((match = PHONE_RE.exec(text)) !== null) {
      var start = match.index + match[1].length;
      if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
      parent.appendChild(phoneLink(match[2]));
      last = start + match[2].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // **bold** and links inside one line.
  function appendInline(parent, text) {
    var parts = text.split(/\*\*(.+?)\*\*/g);
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      if (i % 2 === 1) {
        var strong = el("strong");
        appendLinked(strong, parts[i]);
        parent.appendChild(strong);
      } else {
        appendLinked(parent, parts[i]);
      }
    }
  }

  // Paragraphs, "- " lists, "Kilde:" lines. Returns a fragment of DOM nodes.
  function formatText(text) {
    var frag = document.createDocumentFragment();
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    var list = null;
    var para = null;
    lines.forEach(function (line) {
      var trimmed = line.trim();
      if (!trimmed) {
        list = null;
        para = null;
        return;
      }
      var item = /^[-*•]\s+(.*)$/.exec(trimmed);
      if (item) {
        para = null;
        if (!list) {
          list = el("ul", "msg-list");
          frag.appendChild(list);
        }
        var li = el("li");
        appendInline(li, item[1]);
        list.appendChild(li);
        return;
      }
      list = null;
      if (/^kilde:/i.test(trimmed)) {
        para = null;
        var source = el("p", "msg-source");
        appendInline(source, trimmed);
        frag.appendChild(source);
        return;
      }
      if (para) {
        para.appendChild(el("br"));
      } else {
        para = el("p");
        frag.appendChild(para);
      }
      appendInline(para, trimmed);
    });
    return frag;
  }

  function plainText(text) {
    return String(text).replace(/\*\*(.+?)\*\*/g, "$1");
  }

  // ---------------------------------------------------------------- rendering

  function isTriage(custom) {
    return !!(custom && typeof custom === "object" && TRIAGE.hasOwnProperty(custom.triage));
  }

  function phoneHref(phone) {
    var digits = String(phone || "").replace(/\D/g, "");
    return digits ? "tel:" + digits : null;
  }

  function renderTriage(custom) {
    var level = TRIAGE[custom.triage];
    var card = el("section", "triage triage--" + custom.triage);
    card.setAttribute("data-triage", custom.triage);
    var headingId = "triage-" + Math.random().toString(36).slice(2, 10);
    card.setAttribute("aria-labelledby", headingId);

    var header = el("div", "triage__header");
    header.appendChild(el("span", "triage__badge", level.badge));
    var h = el("h2", "triage__heading", level.heading);
    h.id = headingId;
    header.appendChild(h);
    card.appendChild(header);
    card.appendChild(el("p", "triage__lead", level.lead));

    var contacts = Array.isArray(custom.contacts) ? custom.contacts : [];
    if (contacts.length) {
      var list = el("ul", "triage__contacts");
      list.setAttribute("aria-label", TEXT.contactsHeading);
      contacts.forEach(function (c) {
        if (!c || typeof c !== "object") return;
        var li = el("li", "contact");
        li.appendChild(el("span", "contact__name", c.name || ""));
        var actions = el("span", "contact__actions");
        var tel = phoneHref(c.phone);
        if (tel) {
          var call = el("a", "contact__call", TEXT.call + String(c.phone).trim());
          call.href = tel;
          actions.appendChild(call);
        }
        var href = c.url ? safeHref(String(c.url).trim()) : null;
        if (href) {
          var label = href.replace(/^https?:\/\/(www\.)?/i, "").replace(/\/$/, "");
          var web = makeLink(href, label);
          web.className = "contact__web";
          web.insertBefore(el("span", "visually-hidden", TEXT.website), web.firstChild);
          actions.appendChild(web);
        }
        li.appendChild(actions);
        list.appendChild(li);
      });
      card.appendChild(list);
    }
    return card;
  }

  function isSummary(entry) {
    return (
      entry &&
      entry.from === "bot" &&
      typeof entry.text === "string" &&
      entry.text.trim().indexOf(SUMMARY_MARKER) === 0
    );
  }

  function renderEntry(entry, index) {
    var row = el("div", "msg msg--" + entry.from);
    row.setAttribute("data-index", String(index));

    if (entry.from === "user") {
      var ub = el("div", "bubble bubble--user");
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
      var bb = el("div", "bubble bubble--bot");
      if (isSummary(entry)) bb.classList.add("bubble--summary");
      bb.appendChild(hiddenLabel(TEXT.bot));
      bb.appendChild(formatText(entry.text));
      row.appendChild(bb);
      if (isSummary(entry)) {
        var saveBtn = el("button", "button button--secondary save-summary", TEXT.saveSummary);
        saveBtn.type = "button";
        saveBtn.setAttribute("data-summary-index", String(index));
        saveBtn.addEventListener("click", function () {
          openSummary(index);
        });
        row.appendChild(saveBtn);
      }
    }

    if (Array.isArray(entry.buttons) && entry.buttons.length) {
      var group = el("div", "quick-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Svaralternativer");
      entry.buttons.forEach(function (b, i) {
        if (!b || typeof b.title !== "string") return;
        var btn = el("button", "quick-reply", b.title);
        btn.type = "button";
        if (entry.used) {
          btn.disabled = true;
          if (entry.chosen === i) {
            btn.classList.add("is-chosen");
            btn.setAttribute("aria-pressed", "true");
          }
        }
        btn.addEventListener("click", function (ev) {
          onQuickReply(index, i, ev);
        });
        group.appendChild(btn);
      });
      row.appendChild(group);
    }

    return row.childNodes.length ? row : null;
  }

  function renderAll() {
    els.log.textContent = "";
    state.transcript.forEach(function (entry, i) {
      var node = renderEntry(entry, i);
      if (node) els.log.appendChild(node);
    });
    scrollToEnd(false);
  }

  function appendEntries(entries) {
    var first = null;
    entries.forEach(function (entry) {
      state.transcript.push(entry);
      var node = renderEntry(entry, state.transcript.length - 1);
      if (node) {
        els.log.appendChild(node);
        if (!first) first = node;
      }
    });
    save();
    return first;
  }

  function scrollToEnd(smooth, firstNew) {
    var log = els.log;
    var behavior = smooth && !prefersReducedMotion() ? "smooth" : "auto";
    var target = log.scrollHeight;
    // A long reply: show its beginning rather than its end.
    if (firstNew && log.scrollHeight - firstNew.offsetTop > log.clientHeight) {
      target = Math.max(0, firstNew.offsetTop - 12);
    }
    if (typeof log.scrollTo === "function") log.scrollTo({ top: target, behavior: behavior });
    else log.scrollTop = target;
  }

  function disableOldButtons(chosen) {
    var changed = false;
    state.transcript.forEach(function (entry, i) {
      if (entry.from === "bot" && Array.isArray(entry.buttons) && entry.buttons.length && !entry.used) {
        entry.used = true;
        if (chosen && chosen.index === i) entry.chosen = chosen.button;
        changed = true;
      }
    });
    if (!changed) return;
    var rows = els.log.querySelectorAll(".quick-replies");
    Array.prototype.forEach.call(rows, function (group) {
      var row = group.parentNode;
      var idx = Number(row.getAttribute("data-index"));
      var btns = group.querySelectorAll("button");
      Array.prototype.forEach.call(btns, function (b, bi) {
        b.disabled = true;
        if (chosen && chosen.index === idx && chosen.button === bi) {
          b.classList.add("is-chosen");
          b.setAttribute("aria-pressed", "true");
        }
      });
    });
  }

  function reenableButtons(snapshot) {
    snapshot.forEach(function (i) {
      var entry = state.transcript[i];
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
      var dots = el("span", "typing__dots");
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
    var p = el("p", "connection-error__text");
    // The full sentence, with 113 as a tap-to-call link.
    var sentence = TEXT.offline;
    var at = sentence.lastIndexOf("113");
    p.appendChild(document.createTextNode(sentence.slice(0, at)));
    var call = el("a", "connection-error__call", "113");
    call.href = "tel:113";
    p.appendChild(call);
    p.appendChild(document.createTextNode(sentence.slice(at + 3)));
    els.error.appendChild(p);
    var retry = el("button", "button button--primary connection-error__retry", TEXT.retry);
    retry.type = "button";
    retry.addEventListener("click", function () {
      retryPending();
    });
    els.error.appendChild(retry);
    els.error.hidden = false;
  }

  function showRequestError(message) {
    els.error.textContent = "";
    els.error.appendChild(el("p", "connection-error__text", TEXT.requestError + message));
    els.error.hidden = false;
  }

  // ---------------------------------------------------------------- transport

  function RequestFailed(kind, detail) {
    this.kind = kind; // "network" | "server" | "client"
    this.detail = detail || "";
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  function postOnce(sender, message) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return fetch(bot + WEBHOOK, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender: sender, message: message }),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
      referrerPolicy: "no-referrer",
      signal: controller ? controller.signal : undefined
    })
      .catch(function () {
        throw new RequestFailed("network");
      })
      .then(function (res) {
        if (timer) window.clearTimeout(timer);
        if (res.status >= 500) throw new RequestFailed("server");
        return res.json().then(
          function (body) {
            if (!res.ok) {
              var detail = body && typeof body.error === "string" ? body.error : "feil " + res.status;
              throw new RequestFailed("client", detail);
            }
            return Array.isArray(body) ? body : [];
          },
          function () {
            if (!res.ok) throw new RequestFailed("client", "feil " + res.status);
            throw new RequestFailed("server");
          }
        );
      }, function (err) {
        if (timer) window.clearTimeout(timer);
        throw err;
      });
  }

  // Network errors and 5xx are retried with backoff; 4xx are not.
  function postWithRetry(sender, message) {
    var attempt = 0;
    function tryOnce() {
      return postOnce(sender, message).catch(function (err) {
        var retriable = !(err instanceof RequestFailed) || err.kind !== "client";
        if (retriable && attempt < RETRY_DELAYS_MS.length) {
          var delay = RETRY_DELAYS_MS[attempt++];
          return wait(delay).then(tryOnce);
        }
        throw err;
      });
    }
    return tryOnce();
  }

  // Bot messages → transcript entries. An emergency card goes first in its reply, so the
  // tap-to-call 113 is the first thing a person in an emergency sees.
  function toEntries(messages) {
    var entries = [];
    messages.forEach(function (m) {
      if (!m || typeof m !== "object") return;
      var entry = { from: "bot" };
      if (typeof m.text === "string" && m.text.trim()) entry.text = m.text;
      if (Array.isArray(m.buttons)) {
        var buttons = m.buttons
          .filter(function (b) {
            return b && typeof b.title === "string" && typeof b.payload === "string";
          })
          .map(function (b) {
            return { title: b.title, payload: b.payload };
          });
        if (buttons.length) entry.buttons = buttons;
      }
      if (isTriage(m.custom)) {
        entry.custom = {
          triage: m.custom.triage,
          contacts: (Array.isArray(m.custom.contacts) ? m.custom.contacts : []).map(function (c) {
            return {
              name: String((c && c.name) || ""),
              phone: String((c && c.phone) || ""),
              url: String((c && c.url) || "")
            };
          })
        };
      }
      if (entry.text || entry.buttons || entry.custom) entries.push(entry);
    });
    var emergencyAt = -1;
    entries.forEach(function (e, i) {
      if (emergencyAt < 0 && e.custom && e.custom.triage === "emergency") emergencyAt = i;
    });
    if (emergencyAt > 0) entries.unshift(entries.splice(emergencyAt, 1)[0]);
    return entries;
  }

  /*
   * Send one message. opts.display: the user's bubble text (null: no bubble, e.g. the
   * automatic "hei"); opts.typed: it came from the text field (put back on failure);
   * opts.chosen: which quick reply was clicked.
   */
  function send(message, opts) {
    opts = opts || {};
    if (busy) return Promise.resolve(false);
    hideError();
    var usedBefore = [];
    state.transcript.forEach(function (e, i) {
      if (e.from === "bot" && e.buttons && !e.used) usedBefore.push(i);
    });
    disableOldButtons(opts.chosen || null);

    var userNode = null;
    var userIndex = -1;
    if (opts.display) {
      userNode = appendEntries([{ from: "user", text: opts.display }]);
      userIndex = state.transcript.length - 1;
      scrollToEnd(true);
    } else {
      save();
    }
    pending = { message: message, opts: opts };
    setBusy(true);
    var sender = state.sender;
    var seq = ++requestSeq;

    return postWithRetry(sender, message).then(
      function (messages) {
        if (seq !== requestSeq) return true; // restarted meanwhile: drop the old reply
        setBusy(false);
        pending = null;
        var first = appendEntries(toEntries(messages));
        scrollToEnd(true, first || userNode);
        afterReply(first, !!opts.byKeyboard);
        return true;
      },
      function (err) {
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
    var p = pending;
    if (p.opts.typed) {
      // The text is back in the field; send what is there now (the user may have edited it).
      var text = els.input.value.trim();
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
    var text = els.input.value.trim();
    if (!text || busy) return;
    els.input.value = "";
    send(text, { display: text, typed: text });
  }

  function onQuickReply(entryIndex, buttonIndex, ev) {
    var entry = state.transcript[entryIndex];
    if (!entry || entry.used || busy) return;
    var b = entry.buttons[buttonIndex];
    var byKeyboard = ev && ev.detail === 0;
    // The clicked button is now disabled; keyboard users wait in the text field, and when
    // the answer comes, focus moves to it (afterReply), so Tab goes forward to its replies.
    if (byKeyboard) els.input.focus();
    send(b.payload, {
      display: b.title,
      chosen: { index: entryIndex, button: buttonIndex },
      byKeyboard: byKeyboard
    });
  }

  function isTouchDevice() {
    return !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
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
    var card = first.querySelector('.triage[data-triage="emergency"]');
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
    var log = els.log;
    var logTop = log.getBoundingClientRect().top - log.scrollTop;
    var top = node.getBoundingClientRect().top - logTop - 8;
    if (mustSee) {
      var bottom = mustSee.getBoundingClientRect().bottom - logTop + 8;
      if (bottom - top > log.clientHeight) top = bottom - log.clientHeight;
    }
    top = Math.max(0, top);
    if (typeof log.scrollTo === "function") log.scrollTo({ top: top, behavior: "auto" });
    else log.scrollTop = top;
  }

  function restart() {
    var oldSender = state.sender;
    var hadConversation = state.transcript.length > 0;
    pending = null;
    requestSeq++;
    hideError();
    closeSummary();
    state = { sender: newSenderId(), transcript: [] };
    save();
    renderAll();
    setBusy(false);
    els.input.value = "";
    // Tell the bot to forget the old conversation (best effort, no retries).
    var forget = hadConversation ? postOnce(oldSender, "/restart").catch(function () {}) : Promise.resolve();
    forget.then(function () {
      greet();
    });
  }

  function greet() {
    return send("hei", { display: null });
  }

  // ---------------------------------------------------------------- delete

  function deleteOnServer(sender) {
    return fetch(bot + CONVERSATION + encodeURIComponent(sender), {
      method: "DELETE",
      headers: { Accept: "application/json" },
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
      referrerPolicy: "no-referrer"
    }).then(function (res) {
      return res.json().then(
        function (body) {
          // 404 with deleted=false: the server has nothing under this id (already gone).
          if (res.ok && body && body[DELETED_KEY] === true) return "deleted";
          if (res.status === 404 && body && body[DELETED_KEY] === false) return "not-found";
          throw new RequestFailed("server", body && body.error);
        },
        function () {
          throw new RequestFailed("server");
        }
      );
    });
  }

  // «Slett samtalen»: the server first; the browser's copy goes only once the server has
  // forgotten it, so a failed attempt can be repeated with the same id.
  function deleteConversation() {
    if (!window.confirm(TEXT.confirmDelete)) return Promise.resolve(false);
    var sender = state.sender;
    hideError();
    closeSummary();
    return deleteOnServer(sender).then(
      function (outcome) {
        pending = null;
        requestSeq++; // a reply still under way belongs to the deleted conversation
        state = { sender: newSenderId(), transcript: [] };
        forget();
        renderAll();
        setBusy(false);
        els.input.value = "";
        showDeleted(outcome === "deleted" ? TEXT.deleted : TEXT.deletedHereOnly);
        return true;
      },
      function (err) {
        showRequestError(TEXT.notDeleted + ((err && err.detail) || ""));
        return false;
      }
    );
  }

  // Nothing is stored again until the person writes or starts a new conversation.
  function showDeleted(message, quietly) {
    els.notice.textContent = "";
    els.notice.appendChild(el("p", "notice__text", message));
    var again = el("button", "button button--secondary notice__new", TEXT.newConversation);
    again.type = "button";
    again.addEventListener("click", function () {
      els.notice.textContent = "";
      greet();
      els.input.focus();
    });
    els.notice.appendChild(again);
    if (!quietly) again.focus();
  }

  // ---------------------------------------------------------------- other tabs

  // Tabs of one browser share the stored conversation: when another tab writes it, this
  // one shows what that tab saved instead of overwriting it with an older copy later.
  function onStorage(ev) {
    if (ev.storageArea !== store || (ev.key !== null && ev.key !== STORAGE_KEY)) return;
    var stored = load();
    var sameConversation = stored && stored.sender === state.sender;
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
      state = { sender: newSenderId(), transcript: [] };
      renderAll();
      showDeleted(TEXT.deleted, true);
    }
  }

  // The visible height, without an on-screen keyboard: the layout follows it, so the
  // field and the newest reply stay above the keyboard (CSS falls back to 100dvh).
  var COMPACT_BELOW_PX = 480;

  function followVisualViewport() {
    var vv = window.visualViewport;
    function update() {
      var height = vv ? vv.height : window.innerHeight;
      if (vv) els.container.style.setProperty("--veivis-visible-height", Math.round(height) + "px");
      els.app.setAttribute("data-compact", height < COMPACT_BELOW_PX ? "true" : "false");
    }
    (vv || window).addEventListener("resize", update);
    update();
  }

  // ---------------------------------------------------------------- summary

  function summaryParts(summaryIndex) {
    var t = state.transcript;
    var idx = summaryIndex;
    if (typeof idx !== "number" || !isSummary(t[idx])) {
      idx = -1;
      for (var i = t.length - 1; i >= 0; i--) {
        if (isSummary(t[i])) {
          idx = i;
          break;
        }
      }
    }
    if (idx < 0) return null;
    // The triage card of the same outcome: the nearest one before the summary,
    // within the same bot reply (no user message in between).
    var triage = null;
    for (var j = idx - 1; j >= 0 && t[j].from === "bot"; j--) {
      if (isTriage(t[j].custom)) {
        triage = t[j].custom;
        break;
      }
    }
    return { summary: t[idx].text, triage: triage };
  }

  function formatDate(d) {
    try {
      return d.toLocaleString("nb-NO", { dateStyle: "long", timeStyle: "short" });
    } catch (e) {
      return d.toISOString();
    }
  }

  function summaryAsText(parts, date) {
    var lines = [TEXT.summaryDoc, TEXT.summaryMade + formatDate(date), ""];
    lines.push(plainText(parts.summary).trim());
    if (parts.triage) {
      var level = TRIAGE[parts.triage.triage];
      lines.push("", "Hva du kan gjøre nå: " + level.heading);
      lines.push(level.lead);
      if (parts.triage.contacts.length) {
        lines.push("", TEXT.contactsHeading + ":");
        parts.triage.contacts.forEach(function (c) {
          var bits = [c.name];
          if (c.phone) bits.push("tlf. " + c.phone);
          var href = c.url ? safeHref(c.url) : null;
          if (href) bits.push(href);
          lines.push("- " + bits.join(", "));
        });
      }
    }
    lines.push("", TEXT.summaryNote, "");
    return lines.join("\n");
  }

  // Builds the printable summary and the download; returns the text (also used by tests).
  function openSummary(summaryIndex) {
    var parts = summaryParts(summaryIndex);
    if (!parts) {
      showRequestError(TEXT.noSummary);
      return null;
    }
    var now = new Date();
    var text = summaryAsText(parts, now);

    els.summaryMeta.textContent = TEXT.summaryMade + formatDate(now);
    els.summaryBody.textContent = "";
    var box = el("div", "summary__answers");
    box.appendChild(formatText(parts.summary));
    els.summaryBody.appendChild(box);
    if (parts.triage) els.summaryBody.appendChild(renderTriage(parts.triage));

    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    els.summaryDownload.href = downloadUrl;
    els.summaryDownload.setAttribute("download", TEXT.summaryFile);
    els.summary.setAttribute("data-summary-text", text);

    if (typeof els.summary.showModal === "function") {
      if (!els.summary.open) els.summary.showModal();
    } else {
      els.summary.setAttribute("open", "");
    }
    // Focus on the title, not the buttons at the end: a phone would open it scrolled to
    // the bottom. The title is read first; Tab reaches the buttons.
    els.summaryTitle.focus({ preventScroll: true });
    els.summary.scrollTop = 0;
    return text;
  }

  function closeSummary() {
    if (!els.summary) return;
    if (els.summary.open && typeof els.summary.close === "function") els.summary.close();
    else els.summary.removeAttribute("open");
  }

  // ---------------------------------------------------------------- start

  function init(container, options) {
    els = {
      container: container,
      app: root.getElementById("app"),
      chat: root.getElementById("chat"),
      log: root.getElementById("log"),
      typing: root.getElementById("typing"),
      error: root.getElementById("connection-error"),
      form: root.getElementById("composer"),
      input: root.getElementById("message-input"),
      send: root.getElementById("send"),
      restart: root.getElementById("restart"),
      deleteButton: root.getElementById("delete"),
      notice: root.getElementById("notice"),
      summary: root.getElementById("summary"),
      summaryTitle: root.getElementById("summary-title"),
      summaryMeta: root.getElementById("summary-meta"),
      summaryBody: root.getElementById("summary-body"),
      summaryPrint: root.getElementById("summary-print"),
      summaryDownload: root.getElementById("summary-download"),
      summaryClose: root.getElementById("summary-close")
    };

    els.form.addEventListener("submit", onSubmit);
    els.input.addEventListener("keydown", function (ev) {
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
    els.summaryPrint.addEventListener("click", function () {
      window.print();
    });
    els.summaryClose.addEventListener("click", closeSummary);
    els.summary.addEventListener("click", function (ev) {
      if (ev.target === els.summary) closeSummary(); // click on the backdrop
    });

    if (options.onClose) {
      // In the embed's panel: a way back to the host page, after the chat's own buttons.
      var close = el("button", "button button--quiet", TEXT.close);
      close.type = "button";
      close.setAttribute("data-veivis-close", "");
      close.addEventListener("click", options.onClose);
      els.restart.parentNode.appendChild(close);
    }
    if (options.page) els.chat.setAttribute("role", "main"); // the page's main landmark
    // What the privacy note says about this browser depends on the storage in use.
    Array.prototype.forEach.call(container.querySelectorAll("[data-storage]"), function (node) {
      node.hidden = node.getAttribute("data-storage") !== options.storage;
    });

    window.veivis = { openSummary: openSummary, restart: restart, deleteConversation: deleteConversation };

    var stored = load();
    if (stored && stored.sender) {
      state = stored;
    } else {
      state = { sender: newSenderId(), transcript: [] };
    }
    save();
    renderAll();
    setBusy(false);
    if (!state.transcript.length) greet();
  }

  function openStorage(kind) {
    try {
      return kind === "session" ? window.sessionStorage : window.localStorage;
    } catch (e) {
      return null; // blocked (e.g. third-party storage off): the chat works, nothing is kept
    }
  }

  var NO_STORAGE = {
    getItem: function () {
      return null;
    },
    setItem: function () {},
    removeItem: function () {}
  };

  /*
   * options: bot (origin, "" = this one), storage ("local" | "session"), container (where
   * the markup goes), page (true on /), onClose (the embed's panel). Resolves when the
   * chat is ready; rejects if the markup cannot be fetched.
   */
  function mount(where, options) {
    options = options || {};
    root = where;
    bot = options.bot || "";
    options.storage = options.storage === "session" ? "session" : "local";
    store = openStorage(options.storage) || NO_STORAGE;
    return fetch(bot + MARKUP, { credentials: "omit", redirect: "error", referrerPolicy: "no-referrer" })
      .then(function (res) {
        if (!res.ok) throw new Error("markup " + res.status);
        return res.text();
      })
      .then(function (html) {
        // Parsed inert (scripts in it would not run): the bot's own, fixed markup.
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var container = options.container;
        container.textContent = "";
        while (parsed.body.firstChild) {
          container.appendChild(document.adoptNode(parsed.body.firstChild));
        }
        init(container, options);
      })
      .catch(function (err) {
        showMountFailed(options.container);
        throw err;
      });
  }

  // The markup could not be fetched (the bot is restarting, the network is gone): at
  // least the emergency number, as a link.
  function showMountFailed(container) {
    container.textContent = "";
    var p = el("p", "mount-failed");
    p.setAttribute("role", "alert");
    var sentence = TEXT.mountFailed;
    var at = sentence.lastIndexOf("113");
    p.appendChild(document.createTextNode(sentence.slice(0, at)));
    p.appendChild(phoneLink("113"));
    p.appendChild(document.createTextNode(sentence.slice(at + 3)));
    container.appendChild(p);
  }

  window.VeivisChat = { mount: mount };

  function mountPage() {
    var page = document.querySelector("[data-veivis-page]");
    if (page) {
      mount(document, { container: page, page: true, storage: "local" }).catch(function () {
        /* shown in the page (showMountFailed) */
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountPage);
  else mountPage();
})();
