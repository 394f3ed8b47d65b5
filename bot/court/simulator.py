"""The court case API simulator: the court's system as the assistant sees it, served from a fixture.

``create_simulator`` returns a self-contained FastAPI app. It runs on its own
(``yichuang court-sim``) or, as the built-in demo court, on a loopback port the
app starts (bot.court.builtin); it uses only paths relative to where it is
mounted and needs no lifespan, so it can be mounted in a test's app too.
"""

# No "from __future__ import annotations": FastAPI must see the real types of the
# dependencies declared inside _api_router, which live in its local scope.
import hmac
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Security, params
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.court.access import AttemptLimiter, ProofChecker, TokenStore
from bot.court.faults import FaultMiddleware, Faults, fault_router
from bot.court.fixture import Fixture, FixtureCase, load_fixture
from bot.court.schema import (
    CASE_NUMBER_DESCRIPTION,
    MAX_TEXT,
    NOT_FOUND_MESSAGE,
    NOT_FOUND_OR_UNVERIFIED,
    CaseSummary,
    ErrorBody,
    EventList,
    EventOut,
    HearingList,
    HearingOut,
    PaymentList,
    PaymentOut,
    VerifyRequest,
    VerifyResponse,
)
from knowledge.case_number import CaseNumberError, parse_case_number

log = logging.getLogger(__name__)

DESCRIPTION = """\
法院案件查询接口。一窗通过它为**已核验身份的当事人**查询案件进度。

1. `POST /v1/cases/verify` 提交案号和身份凭证（查询码，或任一当事人身份证号码后六位），
   核验通过得到一个只能查询该案件、短时有效的访问令牌。案件不存在与凭证错误的答复完全相同
   （404 `not_found_or_unverified`），接口不会透露某个案号是否存在。
2. 带 `Authorization: Bearer <令牌>` 查询 `GET /v1/cases/{案号}` 及其 `/hearings`、`/events`、
   `/payments`。路径中的案号须 URL 编码。

配置了 API 密钥时，每个 /v1 请求都要带请求头 `X-API-Key`。所有错误都是
`{"code": ..., "message": <中文说明>}`。任何答复都不含当事人姓名、身份证号码、电话或查询码。
"""

#: Human-readable meaning of each error status, for the OpenAPI document.
_ERRORS: dict[int, str] = {
    401: "缺少或错误的 API 密钥（invalid_api_key），或访问令牌无效、已过期（invalid_token）",
    403: "访问令牌不是为这个案件签发的（token_case_mismatch）",
    404: "案件不存在或身份核验未通过（not_found_or_unverified），两种情况答复完全相同",
    422: "请求格式不正确或案号无效（invalid_request）",
    429: "该案号核验失败次数过多，请稍后再试（too_many_attempts）",
}
#: Pydantic error type → a Chinese phrase; {field} is the field's name.
_FIELD_PROBLEMS = {
    "missing": "缺少字段 {field}",
    "string_too_long": "{field} 过长",
    "string_too_short": "{field} 不能为空",
    "string_type": "{field} 应为文字",
    "extra_forbidden": "不认识的字段 {field}",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
}
_STATUS_CODES = {
    404: ("not_found", "没有这个接口"),
    405: ("method_not_allowed", "不支持这种请求方法"),
}


class ApiError(Exception):
    """An answer other than success; turned into an ErrorBody response."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorBody, "description": _ERRORS[s]} for s in statuses}


def _error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"code": code, "message": message})


def _validation_message(exc: RequestValidationError) -> str:
    problems: list[str] = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"][1:]) or "请求体"
        text = _FIELD_PROBLEMS.get(error["type"], "{field} 格式不正确").format(field=field)
        if text not in problems:
            problems.append(text)
    return "请求格式不正确：" + "；".join(problems)


def canonical_case_number(text: str) -> str:
    """The canonical spelling, or a 422 with the parser's Chinese reason."""
    try:
        return parse_case_number(text).canonical
    except CaseNumberError as exc:
        raise ApiError(422, "invalid_request", f"案号无效：{exc}") from None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _STATUS_CODES.get(exc.status_code, ("bad_request", "请求无法处理"))
        return _error_response(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return _error_response(500, "internal_error", "模拟器内部错误")


def api_key_check(api_key: str | None) -> params.Depends:
    """A dependency refusing requests without the configured X-API-Key (None: all pass)."""
    key_header = APIKeyHeader(
        name="X-API-Key",
        auto_error=False,
        description="API 密钥；模拟器配置了密钥（YICHUANG_COURT_API_KEY）时必须提供",
    )

    async def require_api_key(key: Annotated[str | None, Security(key_header)]) -> None:
        if api_key is None:
            return
        if key is None or not hmac.compare_digest(key.encode(), api_key.encode()):
            raise ApiError(401, "invalid_api_key", "缺少或错误的 API 密钥（请求头 X-API-Key）")

    return params.Depends(require_api_key)


def _api_router(fixture: Fixture, tokens: TokenStore, limiter: AttemptLimiter) -> APIRouter:
    """The /v1 endpoints. Async, as they only read memory: on the event loop they never
    wait for a thread of the pool in which the assistant's turns wait for them."""
    checker = ProofChecker(fixture.cases)
    bearer = HTTPBearer(auto_error=False, description="核验身份后得到的访问令牌")

    async def case_access(
        case_number: Annotated[
            str, PathParam(max_length=MAX_TEXT, description=CASE_NUMBER_DESCRIPTION)
        ],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> FixtureCase:
        granted = tokens.case_for(credentials.credentials) if credentials else None
        if granted is None:
            raise ApiError(401, "invalid_token", "访问令牌无效或已过期，请重新核验身份")
        if canonical_case_number(case_number) != granted:
            raise ApiError(403, "token_case_mismatch", "该访问令牌不能查询这个案件")
        case = fixture.get(granted)
        if case is None:  # tokens are only issued for cases in the fixture
            raise ApiError(404, NOT_FOUND_OR_UNVERIFIED, NOT_FOUND_MESSAGE)
        return case

    Case = Annotated[FixtureCase, Depends(case_access)]
    router = APIRouter(prefix="/v1", tags=["案件查询"])
    read_errors = _errors(401, 403, 422)

    @router.post(
        "/cases/verify",
        summary="核验当事人身份，换取访问令牌",
        responses=_errors(401, 404, 422, 429),
    )
    async def verify(body: VerifyRequest) -> VerifyResponse:
        number = canonical_case_number(body.case_number)
        if limiter.blocked(number):
            raise ApiError(429, "too_many_attempts", "该案号核验失败次数过多，请稍后再试")
        if not checker.check(number, body.proof):
            limiter.record_failure(number)
            raise ApiError(404, NOT_FOUND_OR_UNVERIFIED, NOT_FOUND_MESSAGE)
        return VerifyResponse(access_token=tokens.issue(number), expires_in=tokens.ttl_seconds)

    @router.get("/cases/{case_number}", summary="案件概况", responses=read_errors)
    async def summary(case: Case) -> CaseSummary:
        record = case.record
        return CaseSummary(
            case_number=record.case_number,
            court=record.court,
            cause=record.cause,
            procedure=record.procedure,
            stage=record.stage,
            filed_on=record.filed_on,
            judge=record.judge,
            clerk=record.clerk,
        )

    @router.get("/cases/{case_number}/hearings", summary="开庭安排", responses=read_errors)
    async def hearings(case: Case) -> HearingList:
        items = [HearingOut(at=h.at, room=h.room) for h in case.record.hearings]
        return HearingList(case_number=case.case_number, hearings=items)

    @router.get("/cases/{case_number}/events", summary="案件节点", responses=read_errors)
    async def events(case: Case) -> EventList:
        items = [EventOut(on=e.on, what=e.what) for e in case.record.events]
        return EventList(case_number=case.case_number, events=items)

    @router.get("/cases/{case_number}/payments", summary="执行款、保全款", responses=read_errors)
    async def payments(case: Case) -> PaymentList:
        items = [
            PaymentOut(
                amount=p.amount,
                received_on=p.received_on,
                status=p.status,
                paid_out_on=p.paid_out_on,
            )
            for p in case.record.payments
        ]
        return PaymentList(case_number=case.case_number, payments=items)

    return router


def _describe_security(app: FastAPI, api_key_required: bool) -> None:
    """State in /openapi.json what this instance requires: FastAPI would list the
    optional key and the token as alternatives, which is neither true nor useful."""
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = default_openapi()
        key: dict[str, list[str]] = {"APIKeyHeader": []} if api_key_required else {}
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                needs_token = "HTTPBearer" in str(operation.get("security"))
                required = {**key, **({"HTTPBearer": []} if needs_token else {})}
                operation["security"] = [required] if required else []
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def create_simulator(
    fixture_path: Path | None = None,
    api_key: str | None = None,
    *,
    faults: bool = True,
    token_ttl_seconds: int = 600,
    max_failed_verifications: int = 10,
    failure_window_seconds: float = 600.0,
    lock_seconds: float = 300.0,
) -> FastAPI:
    """The simulator serving ``fixture_path`` (the demo cases when None).

    ``api_key`` None = no key required. ``faults`` adds ``/_sim/faults``, on by
    default because the simulator is itself a test double; it is guarded by the
    API key like /v1. ``max_failed_verifications`` failures of one case number
    within ``failure_window_seconds`` lock it for ``lock_seconds`` (short, so a
    stranger's guesses keep the real parties out only briefly). Raises
    FixtureError for a bad fixture, so a mistake stops start-up instead of a
    litigant's lookup.
    """
    fixture = load_fixture(fixture_path)
    app = FastAPI(
        title="法院案件查询接口",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "案件查询", "description": "当事人核验身份后查询自己的案件"},
            {"name": "模拟器故障注入", "description": "仅模拟器在测试模式下提供"},
        ],
    )
    tokens = TokenStore(token_ttl_seconds)
    limiter = AttemptLimiter(max_failed_verifications, failure_window_seconds, lock=lock_seconds)
    key_check = api_key_check(api_key)
    app.include_router(_api_router(fixture, tokens, limiter), dependencies=[key_check])
    if faults:
        injected = Faults()
        app.include_router(fault_router(injected), dependencies=[key_check])
        app.add_middleware(FaultMiddleware, faults=injected)
        app.state.faults = injected
    _install_error_handlers(app)
    _describe_security(app, api_key_required=api_key is not None)
    app.state.fixture = fixture
    log.info("court simulator: %d cases from %s", len(fixture.cases), fixture.origin)
    return app
