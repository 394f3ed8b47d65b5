"""The conversation: state per conversation, intent → flow, forms, fallback, handoff.

Channel-neutral: replies are :class:`dialogs.replies.Reply`; the court is reached
only through the :class:`dialogs.court.CourtGateway` protocol.
"""
