/*
 * Veivis on another site, with one tag:
 *
 *   <script src="https://BOT/embed.js" defer
 *           data-position="right" data-open="false" data-storage="local"></script>
 *
 *   data-bot-url   the bot's origin (default: where this file came from)
 *   data-position  "right" (default) or "left": which lower corner the launcher sits in
 *   data-open      "true": the panel is open when the page loads (default: closed)
 *   data-storage   "local" (default): the conversation is kept in this browser until it is
 *                  deleted; "session": not kept in the browser at all (a reload or a
 *                  closed tab starts anew)
 *
 * Adds a launcher button and a chat panel inside a shadow root, so the host page's CSS
 * cannot break the chat and the chat's CSS cannot touch the page. The chat itself is the
 * same code as the page at / (the ES module widget/veivis.js, imported and mounted in the
 * panel). Every request goes to the bot only, and only once the panel is opened; the bot
 * must allow the host page's origin (VEIVIS_ALLOWED_ORIGINS). No inline script or style: a
 * strict CSP on the host page needs only the bot's origin in script-src, style-src and
 * connect-src.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.VeivisEmbed) return; // once per page

  var TEXT = {
    launcher: "Chat med Veivis",
    panel: "Veivis – anonym chat om rus",
    failed: "Chatten kunne ikke lastes akkurat nå. Prøv igjen om litt. Er noen i fare, ring ",
    emergencyNumber: "113"
  };

  function option(name, allowed, fallback) {
    var value = script.getAttribute("data-" + name);
    return allowed.indexOf(value) >= 0 ? value : fallback;
  }

  var bot;
  try {
    bot = new URL(script.getAttribute("data-bot-url") || script.src, document.baseURI).origin;
  } catch (e) {
    return;
  }
  var position = option("position", ["left", "right"], "right");
  var openOnLoad = option("open", ["true", "false"], "false") === "true";
  var storage = option("storage", ["local", "session"], "local");

  // A custom element name: host rules for div, section … do not match the container.
  var host = document.createElement("veivis-chat");
  var shadow = host.attachShadow({ mode: "open" });
  ["/widget/veivis.css", "/widget/embed.css"].forEach(function (path) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = bot + path;
    shadow.appendChild(link);
  });

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher launcher--" + position;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "veivis-panel");
  launcher.textContent = TEXT.launcher;

  var panel = document.createElement("div");
  panel.id = "veivis-panel";
  panel.className = "panel panel--" + position;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", TEXT.panel);
  panel.tabIndex = -1;
  panel.hidden = true;

  shadow.appendChild(launcher);
  shadow.appendChild(panel);

  var ready = null;
  var chatLoaded = false; // veivis.js ran: from then on it shows its own failures
  var failedImports = 0;

  function loadChat() {
    if (!ready) {
      // The chat is an ES module on the bot (widget/veivis.js and widget/js/), fetched with
      // CORS, which the bot allows for the origins in VEIVIS_ALLOWED_ORIGINS. A browser may
      // remember a failed import of one URL, so a new try asks for a new one.
      var url = bot + "/widget/veivis.js" + (failedImports ? "?try=" + failedImports : "");
      ready = import(url).then(function (chat) {
        chatLoaded = true;
        return chat.mount(shadow, {
          bot: bot,
          storage: storage,
          container: panel,
          onClose: close
        });
      });
      ready.catch(function () {
        ready = null; // try again at the next open
        if (chatLoaded) return; // veivis.js showed it (the markup did not load)
        failedImports++;
        panel.textContent = "";
        var p = document.createElement("p");
        p.className = "mount-failed";
        p.setAttribute("role", "alert");
        p.appendChild(document.createTextNode(TEXT.failed));
        var call = document.createElement("a");
        call.className = "phone";
        call.href = "tel:" + TEXT.emergencyNumber;
        call.textContent = TEXT.emergencyNumber;
        p.appendChild(call);
        p.appendChild(document.createTextNode("."));
        panel.appendChild(p);
      });
    }
    return ready;
  }

  function isTouchDevice() {
    return !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
  }

  function open(focus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    return loadChat().then(function () {
      if (!focus) return;
      // On a phone the keyboard would cover the greeting: focus the panel, not the field.
      var field = shadow.getElementById("message-input");
      if (field && !isTouchDevice()) field.focus();
      else panel.focus();
    });
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open(true);
    else close();
  });
  panel.addEventListener("keydown", function (ev) {
    // Escape closes the panel, unless it is closing the summary dialog inside it.
    if (ev.key === "Escape" && !shadow.querySelector("dialog[open]")) {
      ev.preventDefault();
      close();
    }
  });

  window.VeivisEmbed = { open: open, close: close, root: shadow };

  function attach() {
    document.body.appendChild(host);
    if (openOnLoad) open(false);
  }

  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach);
})();
