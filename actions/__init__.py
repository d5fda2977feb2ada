"""Custom actions (run by `rasa run actions`). Only the self-check outcome needs them;
the emergency path never does."""
