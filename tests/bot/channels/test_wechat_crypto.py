"""Golden tests: every WeChat encryption vector of channels.md §1, through our codec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.channels.wechat import Codec, Rejected, parse_xml, sha1_signature, signature_matches

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "data/wechat/vectors.json").read_text("utf-8")
)


@pytest.mark.parametrize("v", VECTORS["decrypt"], ids=lambda v: v["name"])
def test_decrypt_vectors_byte_for_byte(v: dict[str, str]) -> None:
    codec = Codec(v["token"], v["aes_key"], v["app_id"])
    plain = codec.open(parse_xml(v["body"]), v["msg_signature"], v["timestamp"], v["nonce"])
    assert plain == v["plaintext"]


def test_vector_c_parses_to_the_litigants_text() -> None:
    v = VECTORS["decrypt"][0]
    codec = Codec(v["token"], v["aes_key"], v["app_id"])
    message = parse_xml(
        codec.open(parse_xml(v["body"]), v["msg_signature"], v["timestamp"], v["nonce"])
    )
    assert message["FromUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert message["Content"] == "abcdteT"
    assert message["MsgId"] == "6054768590064713728"


@pytest.mark.parametrize("v", VECTORS["echo"], ids=lambda v: v["name"])
def test_url_echo_vectors(v: dict[str, str]) -> None:
    codec = Codec(v["token"], v["aes_key"], v["app_id"])
    expected = sha1_signature(v["token"], v["timestamp"], v["nonce"], v["echostr"])
    assert signature_matches(expected, v["msg_signature"])
    assert codec.decrypt(v["echostr"]) == v["plaintext"]
    if "negative_nonce" in v:
        wrong = sha1_signature(v["token"], v["timestamp"], v["negative_nonce"], v["echostr"])
        assert not signature_matches(wrong, v["msg_signature"])


@pytest.mark.parametrize("v", VECTORS["encrypt"], ids=lambda v: v["name"])
def test_encrypt_with_fixed_random(v: dict[str, str]) -> None:
    codec = Codec(v.get("token", "unused"), v["aes_key"], v["app_id"])
    assert codec.encrypt(v["plaintext"], v["random"].encode()) == v["ciphertext"]
    if "msg_signature" in v:
        sealed = parse_xml(
            codec.seal(v["plaintext"], v["nonce"], v["timestamp"], v["random"].encode())
        )
        assert sealed["Encrypt"] == v["ciphertext"]
        assert sealed["MsgSignature"] == v["msg_signature"]
        assert (sealed["TimeStamp"], sealed["Nonce"]) == (v["timestamp"], v["nonce"])


@pytest.mark.parametrize("v", VECTORS["plain_signatures"], ids=lambda v: v["signature"][:8])
def test_plain_signatures(v: dict[str, str]) -> None:
    assert sha1_signature(v["token"], v["timestamp"], v["nonce"]) == v["signature"]
    if "negative" in v:
        expected = sha1_signature(v["token"], v["timestamp"], v["nonce"])
        assert not signature_matches(expected, v["negative"])


def _vector_c() -> dict[str, str]:
    return dict(VECTORS["decrypt"][0])


def test_wrong_app_id_is_refused() -> None:
    v = _vector_c()
    codec = Codec(v["token"], v["aes_key"], "wx_other")
    with pytest.raises(Rejected) as caught:
        codec.open(parse_xml(v["body"]), v["msg_signature"], v["timestamp"], v["nonce"])
    assert caught.value.status == 403 and "公众号" in caught.value.message


def test_tampered_signature_is_refused() -> None:
    v = _vector_c()
    codec = Codec(v["token"], v["aes_key"], v["app_id"])
    with pytest.raises(Rejected, match="签名"):
        codec.open(parse_xml(v["body"]), "deadbeef", v["timestamp"], v["nonce"])


def test_tampered_ciphertext_is_refused_cleanly() -> None:
    v = _vector_c()
    codec = Codec(v["token"], v["aes_key"], v["app_id"])
    encrypted = parse_xml(v["body"])["Encrypt"]
    for broken in (encrypted[:-8] + "AAAAAAA=", "notbase64!!", "QUJD", ""):
        with pytest.raises(Rejected):
            codec.decrypt(broken)


@pytest.mark.parametrize("key", ["short", "A" * 44, "!" * 43])
def test_bad_encoding_aes_key_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="EncodingAESKey"):
        Codec("t", key, "wx")
