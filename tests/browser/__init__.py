"""Browser tests for the chat widget (Playwright + Debian chromium)."""
