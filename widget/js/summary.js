/*
 * «Lagre oppsummering»: the self-check's summary (the bot text marked {"summary": true})
 * and the triage card of the same outcome, built in the browser and sent nowhere: shown
 * in a dialog to print, and as a text file to download.
 */

import { TEXT } from "./strings.js";
import { plainText, safeHref } from "./format.js";
import { isSummary, isTriage } from "./payload.js";
import { el, formatText, renderTriage } from "./render.js";

/**
 * The summary at `index` (or the newest one) and its triage card: the nearest card before
 * it within the same bot reply (no user message in between). Null when there is none.
 */
export function summaryParts(transcript, index) {
  let idx = index;
  if (typeof idx !== "number" || !isSummary(transcript[idx])) {
    idx = -1;
    for (let i = transcript.length - 1; i >= 0; i--) {
      if (isSummary(transcript[i])) {
        idx = i;
        break;
      }
    }
  }
  if (idx < 0) return null;
  let triage = null;
  for (let j = idx - 1; j >= 0 && transcript[j].from === "bot"; j--) {
    if (isTriage(transcript[j].custom)) {
      triage = transcript[j].custom;
      break;
    }
  }
  return { summary: transcript[idx].text, triage: triage };
}

export function formatDate(d) {
  try {
    return d.toLocaleString("nb-NO", { dateStyle: "long", timeStyle: "short" });
  } catch (e) {
    return d.toISOString();
  }
}

/** The downloadable text: plain, no ** marks; `made` is the date as shown. */
export function summaryAsText(parts, made) {
  const lines = [TEXT.summaryDoc, TEXT.summaryMade + made, ""];
  lines.push(plainText(parts.summary).trim());
  const triage = parts.triage;
  if (triage) {
    if (triage.heading) lines.push("", TEXT.summaryAdvice + triage.heading);
    if (triage.lead) lines.push(triage.lead);
    if (triage.contacts.length) {
      lines.push("", TEXT.contactsHeading + ":");
      triage.contacts.forEach((c) => {
        const bits = [c.name];
        if (c.phone) bits.push(TEXT.phoneShort + c.phone);
        const href = c.url ? safeHref(c.url) : null;
        if (href) bits.push(href);
        lines.push("- " + bits.join(", "));
      });
    }
  }
  lines.push("", TEXT.summaryNote, "");
  return lines.join("\n");
}

let downloadUrl = null;

/**
 * Fills the summary dialog (els: summary, summaryTitle, summaryMeta, summaryBody,
 * summaryDownload), opens it and returns the text.
 */
export function showSummary(els, parts, now) {
  const made = formatDate(now);
  const text = summaryAsText(parts, made);

  els.summaryMeta.textContent = TEXT.summaryMade + made;
  els.summaryBody.textContent = "";
  const box = el("div", "summary__answers");
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

export function closeSummary(els) {
  if (!els.summary) return;
  if (els.summary.open && typeof els.summary.close === "function") els.summary.close();
  else els.summary.removeAttribute("open");
}
