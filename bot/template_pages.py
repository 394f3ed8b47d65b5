"""The model-text pages the QR codes and links point to: ``/templates/N`` and its QR image."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from dialogs.kb import KnowledgeBase
from knowledge.qr import qr_png

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/static/chat.css"></head>
<body class="template-page"><main>
<h1>{title}</h1>
<p>文书类型：{documents}</p>
<p>{link}</p>
<p>也可以在“人民法院在线服务”小程序的文书模板中找到，或到诉讼服务中心领取纸质文本、请工作人员帮填。示范文本鼓励使用，不是必须使用。</p>
<p><img src="/templates/{number}/qr.png" alt="{title} 二维码" width="240" height="240"></p>
<p><a href="/">返回诉讼服务助手</a></p>
</main></body></html>
"""


def template_router(kb: KnowledgeBase) -> APIRouter:
    router = APIRouter()

    def lookup(number: int) -> tuple[str, str, str, int]:
        text = kb.model_texts.by_number(number)
        if text is None:
            raise HTTPException(status_code=404, detail="没有这个编号的示范文本（1–67）")
        return text.name, "、".join(text.documents), text.url, text.number

    @router.get("/templates/{number}", response_class=HTMLResponse)
    def page(number: int, request: Request) -> HTMLResponse:
        name, documents, url, n = lookup(number)
        own_page = url.rstrip("/").endswith(f"/templates/{n}")
        link = (
            "法院尚未提供该文本的下载地址，请向导诉台或诉讼服务中心索取。"
            if own_page
            else f'<a href="{escape(url)}">下载示范文本</a>'
        )
        html = PAGE.format(
            title=escape(f"{n}. {name} 示范文本"),
            documents=escape(documents),
            link=link,
            number=n,
        )
        return HTMLResponse(html)

    @router.get("/templates/{number}/qr.png")
    def qr(number: int) -> Response:
        _, _, url, _ = lookup(number)
        return Response(
            qr_png(url),
            media_type="image/png",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return router
