"""Demo case numbers the tests rely on, and a builder for fixture cases."""

from __future__ import annotations

from typing import Any

from dialogs.court import CaseAccess, CaseRecord

#: Demo cases the tests rely on (bot/court/demo_cases.json).
CIVIL = "（2026）内0602民初10234号"  # query code K7M2Q9; parties' IDs end 011238 and 12457X
ENFORCEMENT = "（2026）内0602执1502号"  # query code M6Q3YA; payments 已发放 + 待发放
UNKNOWN = "（2026）内0602民初9999号"


def a_case(**changes: Any) -> dict[str, Any]:
    """A minimal valid case in the contracts.md §4 shape, with ``changes`` applied."""
    case: dict[str, Any] = {
        "case_number": "（2025）内0602民初1234号",
        "court": "鄂尔多斯市东胜区人民法院",
        "cause": "民间借贷纠纷",
        "procedure": "简易程序",
        "stage": "审理中",
        "filed_on": "2025-08-01",
        "judge": "王某",
        "clerk": "李某",
        "query_code": "K7M2Q9",
        "parties": [
            {
                "name": "张某",
                "role": "原告",
                "id_number": "150602199001011238",
                "phone": "13900001111",
            }
        ],
        "hearings": [{"at": "2025-10-10T09:30:00+08:00", "room": "第三法庭"}],
        "events": [{"on": "2025-08-01", "what": "立案"}],
        "payments": [
            {"amount": 50000, "received_on": "2025-09-01", "status": "待发放", "paid_out_on": None}
        ],
    }
    case.update(changes)
    return case


def record_of(found: CaseAccess | None) -> CaseRecord | None:
    """The record of a lookup (None when it found nothing), for tests about the record."""
    return None if found is None else found.record
