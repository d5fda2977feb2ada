"""Custom actions (run by `rasa run actions`): the self-check's validation and outcome, and
a lone answer outside the check (lone_answer.py).
The emergency path never needs them."""
