"""Fake external services (Bot API, WeChat) that speak the real protocols, for tests."""
