"""Triage: the self-check's answers → one level of care (see rules.py for the table)."""

from veivis.triage.rules import LEVELS, Answers, Outcome, contacts_for, decide

__all__ = ["LEVELS", "Answers", "Outcome", "contacts_for", "decide"]
