"""Custom actions (run by `rasa run actions`): the self-check's validation and outcome.
The emergency path never needs them."""
