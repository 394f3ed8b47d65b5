"""The address a request came from, believing X-Forwarded-For only from trusted proxies.

``YICHUANG_TRUSTED_PROXIES`` lists the proxies (IPs or CIDRs, comma-separated);
by default none, and the header is ignored: anyone can send it, so trusting it
from everyone (or from loopback, where a local proxy and a local attacker look
alike) would let a rotating header buy unlimited login tries. Behind a trusted
proxy, the address is the right-most one in the header that is not itself a
trusted proxy: the entries left of it were written by the client and prove nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "-"


@lru_cache(maxsize=8)
def parse_proxies(spec: str) -> tuple[IpNetwork, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` as networks; raises ValueError naming a bad entry."""
    networks: list[IpNetwork] = []
    for part in spec.split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"YICHUANG_TRUSTED_PROXIES 中的地址无效: {entry}") from exc
    return tuple(networks)


def _trusted(address: str, proxies: tuple[IpNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def resolve(peer: str, forwarded_for: list[str], proxies: tuple[IpNetwork, ...]) -> str:
    """The client of a connection from ``peer`` that carried these X-Forwarded-For headers."""
    if not _trusted(peer, proxies):
        return peer
    chain = [a.strip() for header in forwarded_for for a in header.split(",") if a.strip()]
    for address in reversed(chain):
        if not _trusted(address, proxies):
            return address
    return chain[0] if chain else peer  # every hop is a trusted proxy


def client_address(request: Request) -> str:
    """The address to count, log and rate-limit a request by."""
    peer = request.client.host if request.client else UNKNOWN
    settings = getattr(request.app.state, "settings", None)
    proxies = parse_proxies(str(getattr(settings, "trusted_proxies", "") or ""))
    if not proxies:
        return peer
    return resolve(peer, request.headers.getlist("x-forwarded-for"), proxies)


def came_over_https(request: Request) -> bool:
    """True when the request reached us, or a trusted proxy in front of us, over https."""
    if request.url.scheme == "https":
        return True
    settings = getattr(request.app.state, "settings", None)
    proxies = parse_proxies(str(getattr(settings, "trusted_proxies", "") or ""))
    peer = request.client.host if request.client else UNKNOWN
    if not proxies or not _trusted(peer, proxies):
        return False
    proto = request.headers.get("x-forwarded-proto", "")
    return proto.split(",")[-1].strip().lower() == "https"
