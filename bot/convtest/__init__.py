"""Conversation tests: whole dialogues in YAML, run through the real assistant.

A court writes what a litigant says and what the answer must (not) contain; the
runner plays it against the real NLU, dialogs, store and the demo court
(``yichuang test conversations FILE``, and ``make test`` for the project's own).
The format is documented in :mod:`bot.convtest.spec`.
"""
