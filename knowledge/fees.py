"""Litigation fees under 《诉讼费用交纳办法》: banded scales, ranges, halving.

Money is Decimal throughout and rounded to the fen (ROUND_HALF_UP) once, at
the end, because a litigant compares our figure with the court's notice to
the cent. The schedule itself is data (knowledge/data/fees.yaml); this module
only knows how to apply it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

from knowledge.limits import AMOUNT_CEILING, TOO_LARGE
from knowledge.loader import (
    UNVERIFIED_NOTE,
    KnowledgeDataError,
    Tag,
    check_tag,
    load_config,
    load_data,
)

CENT = Decimal("0.01")
Procedure = Literal["ordinary", "simplified", "small_claims"]
Closure = Literal["judgment", "mediation", "withdrawal"]
PROCEDURES: tuple[str, ...] = ("ordinary", "simplified", "small_claims")
CLOSURES: tuple[str, ...] = ("judgment", "mediation", "withdrawal")
SUBJECTS: dict[str, str] = {"trademark": "商标", "patent": "专利", "maritime": "海事"}


class FeeError(ValueError):
    """The question cannot be answered as asked; the message says why, in Chinese."""


def yuan(value: Decimal) -> str:
    """Format money the way a fee notice does: 1,050元 / 16.67元."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + "元"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Band:
    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Scale:
    """A cumulative (分段累计) scale: a flat fee up to a threshold, then rated bands."""

    key: str
    flat_upto: Decimal
    flat_fee: Decimal
    bands: tuple[Band, ...]
    cap: Decimal | None
    source: str
    tag: Tag

    def apply(self, amount: Decimal) -> tuple[Decimal, list[str]]:
        """Return the exact (unrounded) fee for ``amount`` and one step per band used."""
        if self.flat_fee:
            steps = [f"不超过{yuan(self.flat_upto)}的部分：按件交纳{yuan(self.flat_fee)}"]
        else:
            steps = [f"不超过{yuan(self.flat_upto)}的部分：不另收费"]
        total = self.flat_fee
        for band in self.bands:
            if amount <= band.lower:
                break
            top = amount if band.upper is None else min(amount, band.upper)
            part = top - band.lower
            fee = part * band.rate
            total += fee
            label = (
                f"超过{yuan(band.lower)}的部分"
                if band.upper is None
                else f"{yuan(band.lower)}至{yuan(band.upper)}的部分"
            )
            steps.append(f"{label}：{yuan(part)} × {_percent(band.rate)} = {yuan(fee)}")
        if self.cap is not None and total > self.cap:
            steps.append(f"按规定最多交纳{yuan(self.cap)}")
            total = self.cap
        return total, steps


@dataclass(frozen=True)
class FeeKind:
    key: str
    name: str
    basis: Literal["case", "application"]
    amount_rule: Literal["required", "optional", "ignored"]
    source: str
    tag: Tag
    amount_meaning: str = "争议金额"
    scale: str | None = None
    scale_with_amount: str | None = None
    range_min: Decimal | None = None
    range_max: Decimal | None = None
    range_tag: Tag = "U"
    fixed: Decimal | None = None
    fixed_special: dict[str, Decimal] = field(default_factory=dict)
    fraction: Fraction | None = None
    cap: Decimal | None = None


@dataclass(frozen=True)
class LocalAmount:
    """A court's chosen amount within a statutory range (config/fees.yaml)."""

    amount: Decimal
    source: str


@dataclass(frozen=True)
class FeeSchedule:
    scales: dict[str, Scale]
    kinds: dict[str, FeeKind]
    halving_source: str
    local_amounts: dict[str, LocalAmount]


@dataclass(frozen=True)
class FeeResult:
    kind: str
    kind_name: str
    amount: Decimal | None
    procedure: str
    closure: str
    fee: Decimal
    full_fee: Decimal
    halved: bool
    steps: list[str]
    rule: str
    tag: Tag
    notes: list[str]
    min: Decimal | None = None
    max: Decimal | None = None

    @property
    def is_range(self) -> bool:
        return self.min is not None and self.max is not None and self.min != self.max

    def as_dict(self) -> dict[str, Any]:
        """The ``fee --json`` shape of contracts.md §2 (plus our extra fields)."""
        payload: dict[str, Any] = {
            "kind": self.kind,
            "kind_name": self.kind_name,
            "amount": self.amount,
            "procedure": self.procedure,
            "closure": self.closure,
            "fee": self.fee,
            "full_fee": self.full_fee,
            "halved": self.halved,
            "steps": self.steps,
            "rule": self.rule,
            "tag": self.tag,
            "notes": self.notes,
        }
        if self.min is not None and self.max is not None:
            payload["min"] = self.min
            payload["max"] = self.max
        return payload


# --- loading ---------------------------------------------------------------


def _dec(value: Any, origin: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise KnowledgeDataError(f"{origin}: 不是数字: {value!r}") from exc


def _scale(key: str, raw: dict[str, Any]) -> Scale:
    origin = f"knowledge/data/fees.yaml scales.{key}"
    lower = _dec(raw["flat"]["upto"], origin)
    bands = []
    for item in raw["bands"]:
        upper = None if item["upto"] is None else _dec(item["upto"], origin)
        bands.append(Band(lower=lower, upper=upper, rate=_dec(item["rate"], origin)))
        if upper is not None:
            lower = upper
    return Scale(
        key=key,
        flat_upto=_dec(raw["flat"]["upto"], origin),
        flat_fee=_dec(raw["flat"]["fee"], origin),
        bands=tuple(bands),
        cap=None if raw.get("cap") is None else _dec(raw["cap"], origin),
        source=str(raw["source"]),
        tag=check_tag(raw["tag"], origin),
    )


def _kind(key: str, raw: dict[str, Any], scales: dict[str, Scale]) -> FeeKind:
    origin = f"knowledge/data/fees.yaml kinds.{key}"
    for ref in ("scale", "scale_with_amount"):
        if raw.get(ref) is not None and raw[ref] not in scales:
            raise KnowledgeDataError(f"{origin}: 未知的 {ref} {raw[ref]!r}")
    rng = raw.get("range") or {}
    return FeeKind(
        key=key,
        name=str(raw["name"]),
        basis=raw["basis"],
        amount_rule=raw["amount"],
        source=str(raw["source"]),
        tag=check_tag(raw["tag"], origin),
        amount_meaning=str(raw.get("amount_meaning", "争议金额")),
        scale=raw.get("scale"),
        scale_with_amount=raw.get("scale_with_amount"),
        range_min=_dec(rng["min"], origin) if rng else None,
        range_max=_dec(rng["max"], origin) if rng else None,
        range_tag=check_tag(raw.get("range_tag", "U"), origin),
        fixed=None if raw.get("fixed") is None else _dec(raw["fixed"], origin),
        fixed_special={k: _dec(v, origin) for k, v in (raw.get("fixed_special") or {}).items()},
        fraction=None if raw.get("fraction") is None else Fraction(str(raw["fraction"])),
        cap=None if raw.get("cap") is None else _dec(raw["cap"], origin),
    )


def _local_amounts(config_dir: Path | None, kinds: dict[str, FeeKind]) -> dict[str, LocalAmount]:
    """Read the court's chosen amounts, refusing any outside the statutory range."""
    raw = load_config(config_dir, "fees.yaml").get("amounts") or {}
    chosen: dict[str, LocalAmount] = {}
    for key, item in raw.items():
        origin = f"{config_dir}/fees.yaml amounts.{key}"
        if item is None or (isinstance(item, dict) and item.get("amount") is None):
            continue
        kind = kinds.get(key)
        if kind is None or kind.range_min is None or kind.range_max is None:
            raise KnowledgeDataError(f"{origin}: 该费用种类没有可由省级确定的幅度")
        if not isinstance(item, dict) or not item.get("source"):
            raise KnowledgeDataError(f"{origin}: 需要 amount 和 source（文件依据）")
        amount = _dec(item["amount"], origin)
        if not kind.range_min <= amount <= kind.range_max:
            raise KnowledgeDataError(
                f"{origin}: {amount} 超出法定幅度 {kind.range_min}–{kind.range_max} 元"
            )
        chosen[key] = LocalAmount(amount=amount, source=str(item["source"]))
    return chosen


def fee_schedule_from(raw: dict[str, Any], config_dir: Path | None = None) -> FeeSchedule:
    scales = {key: _scale(key, item) for key, item in raw["scales"].items()}
    kinds = {key: _kind(key, item, scales) for key, item in raw["kinds"].items()}
    return FeeSchedule(
        scales=scales,
        kinds=kinds,
        halving_source=str(raw["halving"]["source"]),
        local_amounts=_local_amounts(config_dir, kinds),
    )


@cache
def load_fee_schedule(config_dir: Path | None = None) -> FeeSchedule:
    """The statutory schedule, with the court's chosen range amounts applied."""
    return fee_schedule_from(load_data("fees.yaml"), config_dir)


def fee_kinds(schedule: FeeSchedule | None = None) -> dict[str, str]:
    """KIND → its Chinese name, for menus and error messages."""
    schedule = schedule or load_fee_schedule()
    return {key: kind.name for key, kind in schedule.kinds.items()}


# --- calculation -----------------------------------------------------------


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _apply_fraction(value: Decimal, fraction: Fraction) -> Decimal:
    return value * fraction.numerator / fraction.denominator


def _base(
    kind: FeeKind, amount: Decimal | None, subject: str | None, schedule: FeeSchedule
) -> tuple[Decimal, Decimal, list[str], list[str], Tag]:
    """Full fee before halving as (low, high, steps, notes, tag); low == high unless a range."""
    steps: list[str] = []
    notes: list[str] = []
    if kind.fixed is not None:
        fee = kind.fixed
        if subject:
            fee = kind.fixed_special.get(subject, kind.fixed)
            steps.append(f"{SUBJECTS[subject]}行政案件：每件{yuan(fee)}")
        else:
            steps.append(f"每件{yuan(fee)}")
        return fee, fee, steps, notes, kind.tag

    scale_key = kind.scale_with_amount if amount is not None else None
    scale_key = scale_key or kind.scale
    if (
        kind.range_min is not None
        and kind.range_max is not None
        and not (amount is not None and kind.scale_with_amount)
    ):
        low, high, tag = kind.range_min, kind.range_max, kind.range_tag
        local = schedule.local_amounts.get(kind.key)
        if local is not None:
            low = high = local.amount
            tag = "S"
            steps.append(f"每件{yuan(low)}（本院采用的标准，依据：{local.source}）")
        else:
            steps.append(f"每件{yuan(low)}至{yuan(high)}")
            notes.append(
                f"法定幅度为每件{yuan(low)}至{yuan(high)}，内蒙古自治区确定的具体金额未经核实，"
                f"{UNVERIFIED_NOTE}"
            )
        if kind.scale is not None and amount is not None:
            extra, extra_steps = schedule.scales[kind.scale].apply(amount)
            steps.append(f"另按{kind.amount_meaning}{yuan(amount)}加收：")
            steps.extend(f"  {line}" for line in extra_steps)
            low, high = low + extra, high + extra
        return low, high, steps, notes, tag

    if scale_key is None:
        raise KnowledgeDataError(f"knowledge/data/fees.yaml kinds.{kind.key}: 没有计算方式")
    if amount is None:
        # Only preservation reaches here: no amount → the flat per-case fee.
        scale = schedule.scales[scale_key]
        steps.append(f"没有保全金额的：每件{yuan(scale.flat_fee)}")
        return scale.flat_fee, scale.flat_fee, steps, notes, kind.tag
    fee, scale_steps = schedule.scales[scale_key].apply(amount)
    steps.append(f"按{kind.amount_meaning}{yuan(amount)}分段累计：")
    steps.extend(f"  {line}" for line in scale_steps)
    if kind.fraction is not None:
        steps.append(f"财产案件标准合计{yuan(fee)}，按{kind.fraction}交纳")
        fee = _apply_fraction(fee, kind.fraction)
    if kind.cap is not None and fee > kind.cap:
        steps.append(f"最高不超过{yuan(kind.cap)}")
        fee = kind.cap
    return fee, fee, steps, notes, kind.tag


def _kind_notes(kind: FeeKind) -> list[str]:
    notes = {
        "enforcement": "申请执行费不预交，执行后交纳，由被执行人负担（办法第二十条、第三十八条）。",
        "preservation": "保全申请费由申请人预交和负担，可在起诉时一并主张（办法第三十八条）。",
        "payment_order": f"三分之一按分四舍五入到分；法院的取整做法{UNVERIFIED_NOTE}。",
        "labor": "追索劳动报酬的案件可以不预交案件受理费（办法第二十条）。",
    }
    return [notes[kind.key]] if kind.key in notes else []


def calculate_fee(
    kind: str,
    amount: Decimal | int | str | None = None,
    procedure: str = "ordinary",
    closure: str = "judgment",
    subject: str | None = None,
    schedule: FeeSchedule | None = None,
) -> FeeResult:
    """Compute one fee as the court's notice would, with the reasoning in ``steps``."""
    schedule = schedule or load_fee_schedule()
    spec = schedule.kinds.get(kind)
    if spec is None:
        known = "、".join(schedule.kinds)
        raise FeeError(f"不认识的费用种类“{kind}”，可选：{known}")
    if procedure not in PROCEDURES:
        raise FeeError(f"程序应为 ordinary（普通程序）或 simplified（简易程序），不是“{procedure}”")
    if closure not in CLOSURES:
        raise FeeError(f"结案方式应为 judgment、mediation 或 withdrawal，不是“{closure}”")
    if subject is not None and (subject not in SUBJECTS or not spec.fixed_special):
        raise FeeError(f"“{subject}”只适用于行政案件，可选：{'、'.join(SUBJECTS)}")

    value = None if amount is None else _dec_input(amount)
    notes: list[str] = []
    if value is None and spec.amount_rule == "required":
        raise FeeError(f"计算{spec.name}需要{spec.amount_meaning}，请提供金额（元）")
    if value is not None and spec.amount_rule == "ignored":
        notes.append(f"{spec.name}不按金额计算，已忽略所填金额。")
        value_for_calc = None
    else:
        value_for_calc = value

    low, high, steps, base_notes, tag = _base(spec, value_for_calc, subject, schedule)
    notes = base_notes + notes + _kind_notes(spec)
    full_low, full_high = _round(low), _round(high)
    if low != high:
        steps.append(f"合计：{yuan(full_low)}至{yuan(full_high)}")
    else:
        steps.append(f"合计：{yuan(full_low)}")

    reasons = []
    if procedure in ("simplified", "small_claims"):
        reasons.append("适用简易程序" if procedure == "simplified" else "小额诉讼（属简易程序）")
    if closure != "judgment":
        reasons.append("以调解方式结案" if closure == "mediation" else "申请撤诉")
    halved = bool(reasons) and spec.basis == "case"
    fee_low, fee_high = full_low, full_high
    if halved:
        fee_low, fee_high = _round(full_low / 2), _round(full_high / 2)
        once = "（多种情形同时存在也只减半一次）" if len(reasons) > 1 else ""
        shown = yuan(fee_low) if fee_low == fee_high else f"{yuan(fee_low)}至{yuan(fee_high)}"
        steps.append(f"{'、'.join(reasons)}，减半交纳{once}：{shown}")
    elif reasons:
        notes.append("减半交纳只适用于案件受理费，申请费不减半。")

    return FeeResult(
        kind=kind,
        kind_name=spec.name,
        amount=value,
        procedure=procedure,
        closure=closure,
        fee=fee_low,
        full_fee=full_low,
        halved=halved,
        steps=steps,
        rule=spec.source + (f"；{schedule.halving_source}" if halved else ""),
        tag=tag,
        notes=notes,
        min=fee_low if spec.range_min is not None and fee_low != fee_high else None,
        max=fee_high if spec.range_min is not None and fee_low != fee_high else None,
    )


def _dec_input(amount: Decimal | int | str) -> Decimal:
    try:
        if isinstance(amount, Decimal | int) and not isinstance(amount, bool):
            value = Decimal(amount)  # exact: no str() of a 5000-digit int
        else:
            value = Decimal(str(amount).replace(",", "").replace("，", "").strip())
    except InvalidOperation as exc:
        raise FeeError(f"金额“{amount}”不是有效的数字") from exc
    if not value.is_finite() or value < 0:
        raise FeeError(f"金额“{amount}”无效：应为不小于 0 的数字（元）")
    if value >= AMOUNT_CEILING:
        raise FeeError(TOO_LARGE)
    return value
