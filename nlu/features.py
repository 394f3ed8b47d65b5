"""What the intent classifier sees: normalised text with entity values masked.

Masking an amount as 金额 or a case number as 案号 lets "标的5万多少钱" and
"标的三十万多少钱" share their features, so the model learns the question, not
the figure.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba

from nlu.extractors.base import Entity
from nlu.normalize import collapse_whitespace

#: Entity types whose value says nothing about the intent, and their mask word.
MASKS: dict[str, str] = {
    "case_number": "案号",
    "amount": "金额",
    "phone": "电话",
    "id_number": "身份证",
    "date": "日期",
}
#: Long messages: the question is usually at the end, the situation at the start.
HEAD, TAIL = 120, 360

#: Domain words jieba's general dictionary splits badly.
DOMAIN_WORDS = (
    "诉讼费",
    "受理费",
    "立案",
    "网上立案",
    "跨域立案",
    "判决书",
    "裁定书",
    "调解书",
    "上诉",
    "再审",
    "申请再审",
    "强制执行",
    "申请执行",
    "执行款",
    "案款",
    "财产保全",
    "诉前保全",
    "保函",
    "电子保函",
    "缓交",
    "减交",
    "免交",
    "法律援助",
    "司法救助",
    "传票",
    "送达",
    "电子送达",
    "起诉状",
    "答辩状",
    "示范文本",
    "诉前调解",
    "司法确认",
    "绿色通道",
    "阅卷",
    "判后答疑",
    "转人工",
    "人工客服",
    "刑事自诉",
    "行政诉讼",
    "管辖",
    "退费",
    "缴费",
    "开庭",
    "案号",
)


log = logging.getLogger(__name__)

#: Where jieba's prefix dictionary is kept as a pickle (``use_dictionary_cache``).
_dictionary_cache: Path | None = None
#: What a cached dictionary must match: jieba's version and its dictionary file.
_CACHE_FORMAT = 1


def use_dictionary_cache(directory: Path) -> None:
    """Keep jieba's prefix dictionary in ``directory`` (the model's, as trusted as it).

    jieba rebuilds the dictionary from its word list, or reads its marshal cache
    in the temp directory, on the first parse: 1–1.5 s of every start-up. A pickle
    of the same dictionary loads in about a third of that. Call before the first
    parse; without a call jieba loads as it always does.
    """
    global _dictionary_cache
    _dictionary_cache = directory / "jieba-dictionary.pkl"


def _dictionary_stamp() -> tuple[object, ...]:
    source = Path(jieba.__file__).with_name("dict.txt")
    stat = source.stat()
    return (_CACHE_FORMAT, jieba.__version__, stat.st_size, stat.st_mtime_ns)


def _load_cached_dictionary(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            stamp, freq, total = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return False
    if stamp != _dictionary_stamp():
        return False
    jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = freq, total, True
    return True


def _save_dictionary(path: Path) -> None:
    """Written atomically; a read-only directory just means no cache."""
    data = (_dictionary_stamp(), jieba.dt.FREQ, jieba.dt.total)
    partial: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as out:
            partial = out.name
            pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except OSError as exc:
        log.info("jieba dictionary not cached in %s: %s", path.parent, exc)
        if partial is not None:
            Path(partial).unlink(missing_ok=True)  # a full disk leaves no half-written file


@cache
def _jieba_ready() -> bool:
    jieba.setLogLevel(60)  # silence the "Building prefix dict" chatter
    cache_path = _dictionary_cache
    if cache_path is None or not _load_cached_dictionary(cache_path):
        jieba.initialize()
        if cache_path is not None:
            _save_dictionary(cache_path)
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=20000)
    return True


def mask_entities(text: str, entities: Iterable[Entity]) -> str:
    out, last = [], 0
    for entity in sorted(entities, key=lambda e: e.start):
        mask = MASKS.get(entity.entity)
        if mask is None or entity.start < last:
            continue
        out.append(text[last : entity.start])
        out.append(f" {mask} ")
        last = entity.end
    out.append(text[last:])
    return collapse_whitespace("".join(out))


def clip(text: str) -> str:
    return text if len(text) <= HEAD + TAIL else text[:HEAD] + " " + text[-TAIL:]


def words(text: str) -> list[str]:
    """jieba words without spaces and single punctuation marks (module-level: picklable)."""
    _jieba_ready()
    return [w for w in jieba.lcut(text) if w.strip() and (w.isalnum() or len(w) > 1)]
