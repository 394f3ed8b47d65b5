"""All configuration, from ``YICHUANG_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: What Telegram accepts as a webhook's secret_token (setWebhook).
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """One settings object, built in entry points and passed down (never a global)."""

    model_config = SettingsConfigDict(
        env_prefix="YICHUANG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///var/yichuang.db"
    #: Directory of the court-editable files (courts.yaml, fees.yaml,
    #: model_texts.yaml, calendar.yaml); see config/README.md.
    config_dir: Path = Path("config")
    #: Public base URL of this service, used to build links (QR images) users open.
    public_base_url: str = "http://127.0.0.1:8000"
    #: The trained intent model (rebuilt by `yichuang nlu train` when the data changes).
    nlu_model_path: Path = Path("var/nlu/model.pkl")
    #: Rasa-format training data; unset = the data shipped in nlu/data.
    nlu_data_dir: Path | None = None
    #: How this process reaches itself over loopback; `serve` sets it from --host/--port.
    local_url: str = "http://127.0.0.1:8000"
    court_api_url: str | None = None
    #: Bearer token of the Rasa REST channel (/webhooks/rest/*); unset: loopback clients only.
    rest_token: str | None = None
    #: Let tests break the built-in simulator on purpose (its /_sim/faults, on its own
    #: loopback port); never in production.
    court_sim_faults: bool = False
    court_api_key: str | None = None
    #: Case look-ups one process lets wait on the court API at once; more get 系统繁忙 at
    #: once, so a court that hangs never takes the threads other litigants' turns need.
    court_max_in_flight: int = Field(default=16, ge=1, le=1000)
    court_fixture: Path | None = None
    wechat_token: str | None = None
    wechat_aes_key: str | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_api_base_url: str = "https://api.weixin.qq.com/"
    #: How long a push waits for its turn before WeChat gets "success" and the answer
    #: follows as 客服消息. None: 0.9 s when 客服消息 can be sent (app id and secret set),
    #: else 4 s (the passive reply is then the only way to answer).
    wechat_passive_seconds: float | None = Field(default=None, gt=0, le=4.5)
    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    desk_secret_key: str | None = None
    #: Key of the hashes in the shared attempt counters (logins, proofs); unset = a random
    #: secret kept in the database, the same for every process (bot.storage.attempts).
    attempt_key: str | None = None
    #: Proxies whose X-Forwarded-For is believed: comma-separated IPs or CIDRs
    #: (e.g. "127.0.0.1,10.0.0.0/8"); empty = the header is ignored (bot.client_address).
    trusted_proxies: str = ""
    #: A desk login ends after this many minutes without use (and after 12 h in any case).
    desk_idle_minutes: int = 30
    business_hours: str = "Mon-Fri 08:30-12:00,14:30-17:30"
    log_level: str = "INFO"
    #: Transcripts older than this are deleted (by the server itself, or `yichuang desk purge`).
    retention_days: int = Field(default=180, ge=1)
    #: How often the server purges by itself; 0 leaves it to `yichuang desk purge` (cron).
    purge_interval_hours: float = Field(default=24.0, ge=0)
    #: The recovery pass (bot.recovery) runs at start-up and then this often; 0 turns it off.
    recovery_interval_seconds: float = Field(default=30.0, ge=0)
    #: A message or delivery younger than this is still in its own request's hands.
    recovery_grace_seconds: float = Field(default=30.0, ge=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        from bot.client_address import parse_proxies

        parse_proxies(value)  # a typo stops start-up, not every request
        return value

    @field_validator("wechat_aes_key")
    @classmethod
    def _aes_key(cls, value: str | None) -> str | None:
        """Checked here, so a wrong key stops ``serve`` with one line, not a traceback."""
        if value is None:
            return None
        if len(value) != 43:
            raise ValueError(f"EncodingAESKey 必须是 43 个字符（现在是 {len(value)} 个）")
        try:
            base64.b64decode(value + "=", validate=True)
        except binascii.Error:
            raise ValueError("EncodingAESKey 不是有效的 Base64") from None
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: str | None) -> str | None:
        if value is not None and not TELEGRAM_SECRET.fullmatch(value):
            raise ValueError("Telegram 只接受 1–256 个字符的 A-Z a-z 0-9 _ -")
        return value

    @model_validator(mode="after")
    def _wechat_pair(self) -> Self:
        """客服消息 needs both; one without the other is a half-done configuration."""
        if bool(self.wechat_app_id) != bool(self.wechat_app_secret):
            missing = "APP_SECRET" if self.wechat_app_id else "APP_ID"
            given = "APP_ID" if self.wechat_app_id else "APP_SECRET"
            raise ValueError(
                f"YICHUANG_WECHAT_{missing}: 设置了 YICHUANG_WECHAT_{given} 就必须同时设置它"
            )
        return self

    def court_config_dir(self) -> Path | None:
        """The configuration directory if it exists, else None (= nothing configured)."""
        return self.config_dir if self.config_dir.is_dir() else None


def describe(error: ValidationError) -> str:
    """A settings error as one line naming the environment variable (for the CLI)."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not first["loc"]:  # a check across fields names its variable itself
        return f"配置错误 (invalid configuration): {message}"
    variable = "YICHUANG_" + str(first["loc"][0]).upper()
    return f"配置错误 (invalid configuration): {variable}: {message}"
