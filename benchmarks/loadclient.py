"""A lean HTTP/1.1 keep-alive client for the load generator.

The load generator shares the server's two cores. httpx's async client spent
0.6–0.8 of a core driving 50 litigants (benchmarks/RESULTS.md), taking it from
the server it measured; this client does the one thing the runs need (POST a
JSON body, read a Content-Length response) on plain asyncio streams.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class LoadClientError(Exception):
    """The connection broke or the response was not HTTP as expected."""


class Response:
    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.content = body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LeanClient:
    """Up to ``connections`` keep-alive connections to one server, reused newest first."""

    def __init__(self, base_url: str, connections: int) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)

    async def post(self, path: str, json_body: Any) -> Response:
        body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode("ascii")
        async with self._slots:
            connection, reused = await self._connection()
            try:
                try:
                    response, keep = await self._exchange(connection, head + body)
                except asyncio.IncompleteReadError as exc:
                    if not reused or exc.partial:
                        raise
                    # The server closed this idle keep-alive connection (uvicorn: after
                    # 5 s) as we sent: it never read the request. Send it again, as
                    # browsers do.
                    connection[1].close()
                    connection = await self._open()
                    response, keep = await self._exchange(connection, head + body)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                connection[1].close()
                raise LoadClientError(f"{type(exc).__name__}: {exc}") from exc
            if keep:
                self._idle.append(connection)
            else:
                connection[1].close()
            return response

    async def _connection(self) -> tuple[_Connection, bool]:
        """An idle connection the server has not closed, else a new one; and whether reused."""
        while self._idle:
            reader, writer = self._idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return (reader, writer), True
            writer.close()
        return await self._open(), False

    async def _open(self) -> _Connection:
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise LoadClientError(f"connect: {exc}") from exc

    @staticmethod
    async def _exchange(connection: _Connection, request: bytes) -> tuple[Response, bool]:
        reader, writer = connection
        writer.write(request)
        await writer.drain()
        header = await reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, keep = None, True
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
        if length is None:
            raise ValueError("response without Content-Length")
        return Response(status, await reader.readexactly(length)), keep

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
