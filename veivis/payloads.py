"""The keys of the custom payloads the chat widget reads, named once on this side
(widget/js/payload.js names them on the other).

  {"triage": level, "heading", "badge", "lead", "contacts": [{"name", "phone", "url"}]}
      every triage outcome (veivis.contacts.triage_message): the card, texts and all;
  {"summary": true}
      sent with the self-check's summary text (actions/selfcheck_outcome.py): the widget
      offers «Lagre oppsummering» under it. The text stays readable where no widget is
      (rasa shell, other channels).
"""

TRIAGE = "triage"
HEADING = "heading"
BADGE = "badge"
LEAD = "lead"
CONTACTS = "contacts"
SUMMARY = "summary"

# The fields of one contact in CONTACTS.
CONTACT_FIELDS = ("name", "phone", "url")
# A level's texts in resources/triage_levels.yml that travel with its payload.
LEVEL_TEXTS = (HEADING, BADGE, LEAD)
