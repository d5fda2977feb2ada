/*
 * Every text the widget writes itself. What the bot says — the triage cards' heading, badge
 * and lead included — comes with its replies (veivis/payloads.py names the keys).
 */
export const TEXT = {
  typing: "Veivis skriver …",
  you: "Du skrev:",
  bot: "Veivis skrev:",
  replies: "Svaralternativer",
  offline:
    "Jeg får ikke kontakt med Veivis akkurat nå. Prøv igjen om litt. Er noen i fare, ring 113.",
  retry: "Prøv igjen",
  requestError: "Meldingen kom ikke fram: ",
  saveSummary: "Lagre oppsummering",
  contactsHeading: "Hvem du kan kontakte",
  call: "Ring ",
  website: "Nettside: ",
  phoneShort: "tlf. ",
  summaryDoc: "Oppsummering fra Veivis",
  summaryMade: "Laget ",
  summaryAdvice: "Hva du kan gjøre nå: ",
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

// The number the widget's own fallbacks link to when the bot cannot be reached.
export const EMERGENCY_NUMBER = "113";
