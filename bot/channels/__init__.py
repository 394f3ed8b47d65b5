"""Channels translate platform messages to dialog turns and replies back; no business logic."""
