"""Where the files Veivis reads are, in one place.

Two kinds of data, kept apart:
- training data, `data/`: what `make train` (Rasa: nlu/, rules/, stories/) and `make danger`
  (the danger classifier: danger/, and nlu/ as near misses) learn from;
- resources, `resources/`: what the running code reads as it is — the word lists
  (patterns/, built into the spaCy pipeline by `make nlp` and read by the red-flag detector,
  the language layer and the button titles) the help contacts (contacts.yml) and the
  texts of the four outcomes (triage_levels.yml).
  Changing a resource needs no retraining.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DOMAIN_DIR = ROOT / "domain"
TRAINING_DATA = ROOT / "data"
NLU_DIR = TRAINING_DATA / "nlu"
RULES_DIR = TRAINING_DATA / "rules"
DANGER_CORPUS_DIR = TRAINING_DATA / "danger"

RESOURCES = ROOT / "resources"
PATTERNS_DIR = RESOURCES / "patterns"
CONTACTS_FILE = RESOURCES / "contacts.yml"
TRIAGE_LEVELS_FILE = RESOURCES / "triage_levels.yml"  # each outcome's heading, badge, lead

WIDGET_DIR = ROOT / "widget"
