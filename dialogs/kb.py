"""Everything the dialogs read from knowledge/, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.calendar import RestDayCalendar, load_calendar
from knowledge.courts import CourtDirectory, load_court_directory
from knowledge.fees import FeeSchedule, load_fee_schedule
from knowledge.model_texts import ModelTextCatalogue, load_model_texts
from knowledge.procedures import ProcedureBook, load_procedures
from knowledge.questions import load_questions
from nlu.qbank import QuestionIndex


@dataclass(frozen=True)
class KnowledgeBase:
    procedures: ProcedureBook
    fees: FeeSchedule
    calendar: RestDayCalendar
    model_texts: ModelTextCatalogue
    courts: CourtDirectory
    public_base_url: str
    #: The question bank (knowledge.questions) with its ranking (nlu.qbank); built lazily.
    questions: QuestionIndex = field(default_factory=lambda: QuestionIndex(load_questions(None)))

    def qr_url(self, number: int) -> str:
        """Where this service serves the QR image of model text ``number``."""
        return f"{self.public_base_url.rstrip('/')}/templates/{number}/qr.png"


def load_knowledge(config_dir: Path | None, public_base_url: str) -> KnowledgeBase:
    return KnowledgeBase(
        procedures=load_procedures(),
        fees=load_fee_schedule(config_dir),
        calendar=load_calendar(config_dir),
        model_texts=load_model_texts(config_dir, public_base_url),
        courts=load_court_directory(config_dir),
        public_base_url=public_base_url,
        questions=QuestionIndex(load_questions(config_dir)),
    )
