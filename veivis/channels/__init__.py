"""Input channels: how messages reach Rasa (credentials.yml)."""
