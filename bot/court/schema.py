"""The court case API's wire format, shared by the simulator (which serves it) and the client.

One set of pydantic models, so the OpenAPI document the simulator publishes
and the validation the client applies cannot drift apart. No model here has a
field for a party's name, ID number, phone or the query code: the API cannot
leak what it cannot express.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

#: The one answer for "no such case" and "wrong proof" alike.
NOT_FOUND_OR_UNVERIFIED = "not_found_or_unverified"
NOT_FOUND_MESSAGE = "案件不存在或身份核验未通过"
#: Longest case number or proof the API accepts (real ones are far shorter).
MAX_TEXT = 64

CASE_NUMBER_DESCRIPTION = (
    "案号，如“（2025）内0602民初1234号”。接受常见的写法差异（半角括号、空格、全角数字、缺少“号”），"
    "服务端按规范形式处理；在路径中须 URL 编码。"
)


class _Model(BaseModel):
    # Answers may grow fields without breaking older clients: extras are ignored.
    model_config = ConfigDict(frozen=True)


class ErrorBody(_Model):
    """Every error the API returns: a stable machine code and a Chinese sentence for people."""

    code: str = Field(
        description=(
            "机器可读的错误代码：not_found_or_unverified、invalid_api_key、invalid_token、"
            "token_case_mismatch、too_many_attempts、invalid_request、not_found、"
            "method_not_allowed、simulated_fault、internal_error"
        ),
        examples=[NOT_FOUND_OR_UNVERIFIED],
    )
    message: str = Field(description="给人看的中文说明", examples=[NOT_FOUND_MESSAGE])


class VerifyRequest(_Model):
    """A party proves they may see a case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_number: str = Field(min_length=1, max_length=MAX_TEXT, description=CASE_NUMBER_DESCRIPTION)
    proof: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description=(
            "身份凭证：案件的查询码（不区分大小写），或任一当事人身份证号码的后六位"
            "（末位 X 不区分大小写）。"
        ),
        examples=["K7M2Q9"],
    )


class VerifyResponse(_Model):
    """A short-lived token that opens exactly one case."""

    access_token: str = Field(
        description="访问令牌，放在请求头 Authorization: Bearer <令牌> 中；只能查询核验时的案件"
    )
    token_type: str = Field(default="Bearer", description="令牌类型，固定为 Bearer")
    expires_in: int = Field(ge=1, description="令牌有效期（秒）")


class CaseSummary(_Model):
    """The case's public facts for a verified party; no party's personal data."""

    case_number: str = Field(description="规范形式的案号")
    court: str = Field(description="承办法院全称", examples=["鄂尔多斯市东胜区人民法院"])
    cause: str = Field(description="案由", examples=["民间借贷纠纷"])
    procedure: str = Field(description="适用程序，如 简易程序、普通程序", examples=["简易程序"])
    stage: str = Field(
        description="案件所处阶段，按法院的说法，如 已立案、审理中、已开庭、已判决、执行中、已结案",
        examples=["审理中"],
    )
    filed_on: date | None = Field(description="立案日期；未知时为 null")
    judge: str | None = Field(description="承办法官（仅姓氏加“某”的形式或法院公开的称呼）")
    clerk: str | None = Field(description="书记员或法官助理")


class HearingOut(_Model):
    """One scheduled or past hearing."""

    at: AwareDatetime = Field(
        description="开庭时间，带时区的 ISO 8601，如 2026-12-10T09:30:00+08:00"
    )
    room: str | None = Field(description="法庭，如 第三法庭；未定时为 null")


class HearingList(_Model):
    """The case's hearings, earliest first."""

    case_number: str = Field(description="规范形式的案号")
    hearings: list[HearingOut] = Field(description="开庭安排，按时间先后排列")


class EventOut(_Model):
    """One step in the case's history."""

    on: date = Field(description="日期")
    what: str = Field(description="发生了什么，如 立案、送达起诉状副本、开庭、宣判")


class EventList(_Model):
    """The case's history, oldest first."""

    case_number: str = Field(description="规范形式的案号")
    events: list[EventOut] = Field(description="案件节点，按日期先后排列")


class PaymentOut(_Model):
    """Money the court received in an enforcement or preservation case, and whether it went out."""

    amount: Decimal = Field(
        ge=0, decimal_places=2, description='金额（元），以十进制字符串表示，如 "50000.00"'
    )
    received_on: date | None = Field(description="法院收到该笔款项的日期；未知时为 null")
    status: str = Field(
        description="款项状态，按法院的说法，如 待发放、已发放", examples=["待发放"]
    )
    paid_out_on: date | None = Field(description="发放日期；尚未发放时为 null")


class PaymentList(_Model):
    """The case's payments (执行款、保全款), in the order received."""

    case_number: str = Field(description="规范形式的案号")
    payments: list[PaymentOut] = Field(description="款项，按收款日期先后排列")
