"""The intent names of shared/spec/intents.yaml: a contract the NLU and the answers share."""

from __future__ import annotations

#: The intent taxonomy (shared/spec/intents.yaml, version 1): the NLU predicts exactly
#: these, and an answer's `related` buttons may only name these.
INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "cancel",
    "help",
    "request_human",
    "file_civil_case",
    "file_criminal_private",
    "file_administrative_case",
    "file_cross_region",
    "file_online",
    "jurisdiction",
    "appeal",
    "retrial_application",
    "judgment_question",
    "enforcement_application",
    "case_payment",
    "property_preservation",
    "fee_calculation",
    "fee_payment",
    "fee_refund",
    "fee_relief",
    "legal_aid",
    "case_status",
    "document_service",
    "pleading_template",
    "mediation",
    "enterprise_channel",
    "lawyer_services",
    "court_info",
    "appointment",
    "complaint",
    "out_of_scope",
)
