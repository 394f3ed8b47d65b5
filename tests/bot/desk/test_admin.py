"""Admin routes over real HTTP: staff, canned answers, business hours; CSRF and roles enforced."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.desk.admin import business_hours_for
from bot.storage.models import AuditEvent
from tests.bot.desk.conftest import STAFF_PASSWORD, DeskServer

#: Every state-changing admin call, with a body that would succeed.
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/desk/api/canned", {"title": "材料", "text": "请带身份证原件。"}),
    ("DELETE", "/desk/api/canned/1", None),
    ("POST", "/desk/api/staff", {"username": "zhou", "password": "new-pass-99", "role": "guide"}),
    ("DELETE", "/desk/api/staff/lina", None),
    ("PUT", "/desk/api/settings/business-hours", {"business_hours": "Mon-Fri 09:00-17:00"}),
]
READS = ["/desk/api/canned", "/desk/api/staff", "/desk/api/settings/business-hours"]


def _send(client: httpx.Client, method: str, path: str, body: Any, **kw: Any) -> httpx.Response:
    return client.request(method, path, json=body, **kw)


def _seed_canned(desk_server: DeskServer) -> None:
    admin = desk_server.login("admin")
    created = admin.post("/desk/api/canned", json={"title": "立案", "text": "立案请到一楼窗口。"})
    assert created.status_code == 201, created.text
    assert created.json()["id"] == 1


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_every_admin_write_needs_the_csrf_header(
    desk_server: DeskServer, method: str, path: str, body: Any
) -> None:
    _seed_canned(desk_server)
    admin = desk_server.login("admin")
    csrf = admin.headers.pop("X-CSRF-Token")
    missing = _send(admin, method, path, body)
    assert missing.status_code == 403
    assert missing.json()["message"] == "页面已过期或请求来源不明，请刷新页面后重试"
    wrong = _send(admin, method, path, body, headers={"X-CSRF-Token": csrf[::-1]})
    assert wrong.status_code == 403
    right = _send(admin, method, path, body, headers={"X-CSRF-Token": csrf})
    assert right.status_code in (200, 201), right.text


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_guide_cannot_change_admin_data(
    desk_server: DeskServer, method: str, path: str, body: Any
) -> None:
    _seed_canned(desk_server)
    guide = desk_server.login("lina")
    response = _send(guide, method, path, body)
    assert response.status_code == 403
    assert response.json() == {"message": "只有管理员可以进行此操作"}


@pytest.mark.parametrize(("method", "path", "body"), [*WRITES, *(("GET", p, None) for p in READS)])
def test_logged_out_gets_401_everywhere(
    desk_server: DeskServer, method: str, path: str, body: Any
) -> None:
    response = _send(desk_server.client(), method, path, body, headers={"X-CSRF-Token": "x"})
    assert response.status_code == 401
    assert response.json() == {"message": "请先登录"}


def test_guides_read_canned_answers_colleagues_and_hours(desk_server: DeskServer) -> None:
    _seed_canned(desk_server)
    guide = desk_server.login("lina")
    canned = guide.get("/desk/api/canned").json()
    assert [(c["title"], c["text"], c["created_by"]) for c in canned] == [
        ("立案", "立案请到一楼窗口。", "admin")
    ]
    staff = guide.get("/desk/api/staff").json()
    assert [(s["username"], s["role"], s["active"]) for s in staff] == [
        ("admin", "admin", True),
        ("lina", "guide", True),
    ]
    assert all("password" not in key for member in staff for key in member)
    hours = guide.get("/desk/api/settings/business-hours").json()
    assert hours["source"] == "config"
    assert hours["description"] == "周一至周五 08:30-12:00、14:30-17:30（法定节假日除外）"


def test_canned_answers_keep_markup_as_plain_text_and_can_be_deleted(
    desk_server: DeskServer,
) -> None:
    admin = desk_server.login("admin")
    payload = {"title": "<img src=x onerror=alert(1)>", "text": "<script>alert(1)</script>"}
    created = admin.post("/desk/api/canned", json=payload)
    assert created.status_code == 201
    item = created.json()
    assert (item["title"], item["text"]) == (payload["title"], payload["text"])
    assert admin.delete(f"/desk/api/canned/{item['id']}").json() == {"deleted": item["id"]}
    assert admin.get("/desk/api/canned").json() == []
    again = admin.delete(f"/desk/api/canned/{item['id']}")
    assert again.status_code == 404
    assert again.json() == {"message": "没有这条常用回复"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": " ", "text": "内容"}, "请填写标题"),
        ({"title": "标题"}, "请填写回复内容"),
        ({"title": "标题", "text": "长" * 2001}, "回复内容不能超过 2000 个字"),
    ],
)
def test_bad_canned_answers_are_explained(
    desk_server: DeskServer, body: dict[str, Any], message: str
) -> None:
    response = desk_server.login("admin").post("/desk/api/canned", json=body)
    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_admin_adds_a_colleague_who_can_then_log_in(desk_server: DeskServer) -> None:
    admin = desk_server.login("admin")
    body = {"username": "zhou", "password": "new-pass-99", "role": "guide"}
    created = admin.post("/desk/api/staff", json=body)
    assert created.status_code == 201
    assert created.json()["username"] == "zhou" and created.json()["active"] is True
    assert desk_server.login("zhou", "new-pass-99").get("/desk/api/me").json()["role"] == "guide"
    duplicate = admin.post("/desk/api/staff", json=body)
    assert duplicate.status_code == 409
    assert duplicate.json() == {"message": "用户名已存在：zhou"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"username": "wu", "password": "short"}, "密码至少需要 8 个字符"),
        ({"username": "wu", "password": "long-enough", "role": "boss"}, "角色只能是"),
        ({"username": "a b", "password": "long-enough"}, "用户名应为"),
        ({"username": "wu"}, "请填写用户名、密码和角色"),
    ],
)
def test_bad_new_accounts_are_explained(
    desk_server: DeskServer, body: dict[str, Any], message: str
) -> None:
    response = desk_server.login("admin").post("/desk/api/staff", json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_deactivating_ends_sessions_and_blocks_login(desk_server: DeskServer) -> None:
    guide = desk_server.login("lina")
    admin = desk_server.login("admin")
    response = admin.delete("/desk/api/staff/lina")
    assert response.status_code == 200 and response.json()["active"] is False
    assert guide.get("/desk/api/me").status_code == 401
    login = desk_server.client().post(
        "/desk/login", json={"username": "lina", "password": STAFF_PASSWORD}
    )
    assert login.status_code == 401
    assert admin.delete("/desk/api/staff/admin").json() == {"message": "不能停用自己的账号"}
    assert admin.delete("/desk/api/staff/nobody").status_code == 404


def test_business_hours_are_validated_stored_and_applied(desk_server: DeskServer) -> None:
    applied: list[str] = []
    desk_server.app.state.apply_business_hours = lambda hours: applied.append(hours.text)
    admin = desk_server.login("admin")
    bad = admin.put("/desk/api/settings/business-hours", json={"business_hours": "weekdays 9-5"})
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("工作时间格式应如 Mon-Fri 08:30-12:00")
    backwards = {"business_hours": "Mon-Fri 17:00-09:00"}
    assert admin.put("/desk/api/settings/business-hours", json=backwards).status_code == 400
    assert applied == []

    good = admin.put(
        "/desk/api/settings/business-hours", json={"business_hours": "Mon-Sat 09:00-16:00"}
    )
    assert good.status_code == 200
    assert good.json() == {
        "business_hours": "Mon-Sat 09:00-16:00",
        "description": "周一至周六 09:00-16:00（法定节假日除外）",
        "source": "desk",
    }
    assert applied == ["Mon-Sat 09:00-16:00"]
    assert desk_server.login("lina").get("/desk/api/settings/business-hours").json() == good.json()
    hours = business_hours_for(desk_server.database, "Mon-Fri 08:30-12:00")
    assert hours.text == "Mon-Sat 09:00-16:00"


def test_admin_changes_are_audited_with_who_did_them(desk_server: DeskServer) -> None:
    _seed_canned(desk_server)
    admin = desk_server.login("admin")
    admin.post("/desk/api/staff", json={"username": "zhou", "password": "new-pass-99"})
    admin.delete("/desk/api/staff/zhou")
    admin.put("/desk/api/settings/business-hours", json={"business_hours": "Mon-Fri 09:00-17:00"})
    admin.delete("/desk/api/canned/1")
    with desk_server.database.session(readonly=True) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.action.like("desk_%"), AuditEvent.action != "desk_login")
            .order_by(AuditEvent.id)
        ).all()
    assert [(actor, action) for actor, action, _ in rows] == [
        ("admin", "desk_canned_add"),
        ("admin", "desk_staff_add"),
        ("admin", "desk_staff_deactivate"),
        ("admin", "desk_business_hours"),
        ("admin", "desk_canned_delete"),
    ]
    assert rows[1][2] == {"username": "zhou", "role": "guide"}
    assert rows[3][2] == {"from": None, "to": "Mon-Fri 09:00-17:00"}
