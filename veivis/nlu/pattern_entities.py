"""Entities from the spaCy entity ruler, with their canonical value.

Rasa's SpacyEntityExtractor copies the surface text ("kola", "abstinensene"); the
ruler's patterns carry the canonical name in `ent_id_` ("kokain", "withdrawal").
Using it here is our synonym mapping: one data file (resources/patterns/) says both how a
word may be written and what it means. Negated mentions ("ingen kramper") are dropped,
so a self-check answer never records a symptom the user said they do not have.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from veivis.nlp import matcher  # noqa: F401  registers the factory SpacyNLP's spacy.load needs
from veivis.nlp.patterns import extract_entities, implied_answers


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class PatternEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"dimensions": None}  # None: every label the ruler knows

    def __init__(self, config: Dict[str, Any]) -> None:
        self.dimensions = config.get("dimensions")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PatternEntityExtractor:
        return cls(config)

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT]) or model.model(message.get(TEXT) or "")
            found = extract_entities(doc)
            found = [
                e
                for e in found + implied_answers(found)
                if self.dimensions is None or e["entity"] in self.dimensions
            ]
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
