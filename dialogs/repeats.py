"""A form never asks the same question a third time.

Flows mark a turn ``reasked`` when they ask again because they did not
understand the answer. The second time the question gets an example of how to
answer; the third time the assistant says it still did not understand and
offers a person next to the choices, leaving the form open so a press still works.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.replies import Reply
from dialogs.state import DialogState
from dialogs.turn import Turn


def count(state: DialogState, turn: Turn) -> None:
    """Count this turn's re-ask and change its replies when it is the second or third."""
    if not turn.reasked or state.form is None:
        state.repeats = 0
        return
    state.repeats += 1
    buttons = tuple(b for r in turn.replies for b in r.buttons)
    options = tuple(b for b in buttons if b != texts.HUMAN_BUTTON)
    if state.repeats >= 2:
        text = texts.STILL_UNCLEAR_BUTTONS if options else texts.STILL_UNCLEAR
        turn.replies = [Reply(text, (*options, texts.HUMAN_BUTTON))]
    elif len(options) > 1 and turn.replies:
        last = turn.replies[-1]
        hint = texts.CHOICE_EXAMPLE.format(title=options[0].title)
        turn.replies[-1] = replace(last, text=(last.text or "") + hint)
