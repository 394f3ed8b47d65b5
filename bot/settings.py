"""All configuration, from ``YICHUANG_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    #: How this process reaches itself over loopback (the built-in court simulator
    #: is served at {local_url}/court-sim); `serve` sets it from --host/--port.
    local_url: str = "http://127.0.0.1:8000"
    court_api_url: str | None = None
    #: Bearer token of the Rasa REST channel (/webhooks/rest/*); unset: loopback clients only.
    rest_token: str | None = None
    #: Let tests break the built-in simulator on purpose (/court-sim/_sim/faults);
    #: never in production.
    court_sim_faults: bool = False
    court_api_key: str | None = None
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

    def court_config_dir(self) -> Path | None:
        """The configuration directory if it exists, else None (= nothing configured)."""
        return self.config_dir if self.config_dir.is_dir() else None
