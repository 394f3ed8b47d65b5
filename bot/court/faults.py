"""Fault injection for the simulator: make the /v1 API slow, failing or hanging up on demand.

Tests (and people trying out the assistant's "court system unavailable"
answers) set a fault with ``PUT /_sim/faults`` (POST works too) and clear it
with ``DELETE /_sim/faults``. Only /v1 requests are affected, so the fault
endpoints themselves always answer. They need the API key when one is set.
"""

from __future__ import annotations

import asyncio
import json
import threading

from fastapi import APIRouter
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.court.schema import ErrorBody

#: Only requests under this prefix (relative to where the simulator is mounted) are faulted.
API_PREFIX = "/v1/"


class FaultSettings(BaseModel):
    """What to do to the next /v1 requests."""

    model_config = ConfigDict(extra="forbid")

    delay_seconds: float = Field(
        default=0,
        ge=0,
        le=60,
        validation_alias=AliasChoices("delay_seconds", "delay"),
        description="每个 /v1 请求在处理前先等待的秒数（也可写作 delay）",
    )
    status: int | None = Field(
        default=None,
        ge=400,
        le=599,
        description="强制返回的 HTTP 状态码（400–599），响应体为 simulated_fault 错误；null 不强制",
    )
    drop: bool = Field(
        default=False, description="为 true 时发出响应头后直接断开连接，不发送响应体"
    )
    times: int | None = Field(
        default=None, ge=1, description="只对接下来这么多个 /v1 请求生效；null 为一直生效直到清除"
    )


class FaultState(FaultSettings):
    """The faults in force and how many /v1 requests the simulator has seen."""

    v1_requests: int = Field(default=0, description="模拟器创建或上次清除以来收到的 /v1 请求数")


class Faults:
    """The current fault, shared by the middleware and the control endpoints."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._requests = 0

    def state(self) -> FaultState:
        with self._lock:
            return FaultState(**self._settings.model_dump(), v1_requests=self._requests)

    def set(self, settings: FaultSettings) -> FaultState:
        with self._lock:
            self._settings = settings
        return self.state()

    def reset(self) -> FaultState:
        with self._lock:
            self._settings = FaultSettings()
            self._requests = 0
        return self.state()

    def take(self) -> FaultSettings:
        """Count one /v1 request and return the fault that applies to it."""
        with self._lock:
            self._requests += 1
            current = self._settings
            if current.times is not None:
                left = current.times - 1
                self._settings = (
                    current.model_copy(update={"times": left}) if left else FaultSettings()
                )
            return current


def _route_path(scope: Scope) -> str:
    """The path relative to where the app is mounted (Starlette keeps the full path)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class FaultMiddleware:
    """Applies the current fault to /v1 requests (pure ASGI, so it can hang up mid-response)."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _route_path(scope).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        fault = self.faults.take()
        if fault.delay_seconds:
            await asyncio.sleep(fault.delay_seconds)
        if fault.drop:
            # Promise a body, then return without it: the server closes the connection.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            return
        if fault.status is not None:
            body = json.dumps(
                {"code": "simulated_fault", "message": f"模拟故障：服务器返回 {fault.status}"},
                ensure_ascii=False,
            ).encode("utf-8")
            await send(
                {
                    "type": "http.response.start",
                    "status": fault.status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def fault_router(faults: Faults) -> APIRouter:
    """``GET|PUT|DELETE /_sim/faults``: read, set and clear the fault."""
    router = APIRouter(prefix="/_sim", tags=["模拟器故障注入"])

    @router.get("/faults", summary="查看当前故障设置")
    def get_faults() -> FaultState:
        return faults.state()

    def set_faults(settings: FaultSettings) -> FaultState:
        return faults.set(settings)

    for method in ("PUT", "POST"):
        router.add_api_route(
            "/faults",
            set_faults,
            methods=[method],
            operation_id=f"{method.lower()}_sim_faults",
            summary="设置故障：延迟、强制状态码或断开连接",
            responses={
                422: {"model": ErrorBody, "description": "故障设置不合法（invalid_request）"}
            },
        )

    @router.delete("/faults", summary="清除故障并把请求计数归零")
    def delete_faults() -> FaultState:
        return faults.reset()

    return router
