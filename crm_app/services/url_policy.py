"""Which addresses a user-added MCP server may have, so the app is not a relay into its own network.

The app connects to a user's server from the inside of its own network; an address such as
``http://127.0.0.1:6379`` or ``http://169.254.169.254/`` would let anyone reach what only the app
should. So, outside the demo (``APP_MODE=demo`` runs everything on loopback):

* the host must resolve, and every address it resolves to must be public — not loopback, private,
  link-local, unique-local, carrier-grade NAT, multicast, reserved or unspecified, including those
  forms wrapped in IPv6 (``::ffff:127.0.0.1``, 6to4, Teredo, NAT64) and IPv4's legacy spellings
  (``127.1``, ``2130706433``, ``0x7f.0.0.1``);
* ``MCP_ALLOWED_HOSTS`` (comma-separated) narrows the hosts allowed: names (``mcp.example.com``),
  wildcard subdomains (``*.example.com``), and networks (``10.20.0.0/16``) — a listed network also
  allows its addresses when they are not public, which is how an operator admits an internal server.
  Empty: any public host.

The resolver is passed in (``Resolver``), so tests need no hosts file or DNS.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from crm_app.services.errors import ValidationFailed
from crm_app.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], Iterable[str]]
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SETTING = "MCP_ALLOWED_HOSTS"


class UrlRefused(Exception):
    """The address is not allowed; the message says why and what to do."""


def system_resolver(host: str) -> list[str]:
    """Every address `host` resolves to (the operating system's resolver; blocking)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(f"The host {host} could not be found. Check the server's address.") from exc
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class HostPolicy:
    """The allow-list: host names, wildcard suffixes and networks. Empty means any public host."""

    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()
    allow_internal: bool = False

    @classmethod
    def parse(cls, raw: str, *, allow_internal: bool = False) -> HostPolicy:
        names, suffixes, networks = set(), [], []
        for entry in (e.strip().lower() for e in (raw or "").split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("*."):
                suffixes.append(entry[1:])
            else:
                names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(suffixes), tuple(networks), allow_internal)

    @property
    def restricted(self) -> bool:
        return bool(self.names or self.suffixes or self.networks)

    def _listed_network(self, address: IPAddress) -> bool:
        return any(address in net for net in self.networks if net.version == address.version)

    def _listed_name(self, host: str) -> bool:
        return host in self.names or any(host.endswith(s) for s in self.suffixes)

    def check(self, url: str, resolve: Resolver = system_resolver) -> None:
        """Raise `UrlRefused` unless the server at `url` may be used."""
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
        if not host:
            raise UrlRefused("Enter the server's full address, such as https://example.com/mcp.")
        literal = ip_literal(host)
        if self.restricted and not (self._listed_name(host) or (literal is not None and self._listed_network(literal))):
            raise UrlRefused(f"{host} is not one of the tool server hosts this installation allows ({SETTING}). "
                             "Ask your administrator to add it, or use an allowed server.")
        if self.allow_internal:
            return
        addresses = [literal] if literal is not None else [_parse(a) for a in resolve(host)]
        if not addresses:
            raise UrlRefused(f"The host {host} could not be found. Check the server's address.")
        for address in addresses:
            reason = internal_reason(address)
            if reason and not self._listed_network(address):
                subject = str(address) if literal is not None else f"{host} resolves to {address}, which"
                raise UrlRefused(f"{subject} is {reason}. Tool servers must be on the public internet; if this is an "
                                 f"internal server you trust, ask your administrator to list its network in {SETTING}.")


def _parse(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])


def ip_literal(host: str) -> IPAddress | None:
    """`host` as an IP address when it is written as one, in any spelling a resolver accepts, else None."""
    bare = host.strip("[]")
    try:
        return _parse(bare)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, UnicodeError, ValueError):
        return None


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def internal_reason(address: IPAddress) -> str:
    """What kind of non-public address this is ("a loopback address", …), or "" for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_v4(address)) is not None:
        return internal_reason(inner)
    if address.is_loopback:
        return "a loopback address (this server itself)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or not address.is_global:
        return "a private or reserved network address"
    return ""


def current_policy() -> HostPolicy:
    settings = get_settings()
    return HostPolicy.parse(settings.mcp_allowed_hosts, allow_internal=settings.is_demo)


def check_server_url(url: str, resolve: Resolver = system_resolver) -> None:
    """Refuse a user-added server's address as a form error on its field (resolves the host; blocking)."""
    try:
        current_policy().check(url, resolve)
    except UrlRefused as exc:
        raise ValidationFailed({"url": str(exc)}) from exc


__all__ = ["HostPolicy", "Resolver", "UrlRefused", "check_server_url", "current_policy", "internal_reason",
           "ip_literal", "system_resolver"]
