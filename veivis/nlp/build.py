"""Build the Norwegian spaCy pipeline Rasa loads (config.yml → SpacyNLP → model).

The trained nb_core_news_sm is not installable here, so the default base is a blank
Norwegian pipeline (tokenizer, lexical attributes); our entity matcher (veivis/nlp/matcher.py,
reading resources/patterns/ when the pipeline loads) goes on top. With a trained model
available, pass `--base nb_core_news_sm` and point config.yml at the output: the matcher
is added to it the same way.

    python -m veivis.nlp.build [--base blank:nb] [--out build/spacy/nb_veivis]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy

from veivis.nlp import matcher

DEFAULT_OUT = Path("build/spacy/nb_veivis")


def build_pipeline(base: str = "blank:nb") -> spacy.language.Language:
    nlp = spacy.blank(base.split(":", 1)[1]) if base.startswith("blank:") else spacy.load(base)
    # Overwrite named entities from a trained base: ours are the ones Rasa uses.
    nlp.add_pipe(matcher.FACTORY)
    nlp.meta["name"] = "veivis"
    nlp.meta["description"] = f"{base} + Veivis entity patterns (resources/patterns)"
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="blank:nb")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    nlp = build_pipeline(args.base)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    component = nlp.get_pipe(matcher.FACTORY)
    n = len(component.index.patterns) if isinstance(component, matcher.EntityMatcher) else 0
    print(f"spaCy pipeline {args.base} + {n} patterns → {args.out}")


if __name__ == "__main__":
    main()
