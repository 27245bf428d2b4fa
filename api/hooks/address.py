"""Where a webhook may point: URL shape at registration, addresses at every delivery.

A receiver URL is ``http`` or ``https`` with a host, no user name or password and no
fragment. At registration an IP-literal host or ``localhost`` that is not a public
address is refused at once; other names are resolved at every delivery attempt
(:func:`resolve`), because what a name resolves to can change after registration. Every
address the name resolves to must be global (not private, loopback, link-local, shared,
reserved, documentation or multicast; IPv4-mapped IPv6 addresses are judged as IPv4),
and the delivery connects to an address that was checked, so a second lookup cannot
rebind the name to an internal host. Redirects are never followed. With
``WEBHOOK_ALLOW_PRIVATE`` every address is allowed (tests, on-premises receivers).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from matcher.model import Problem

MAX_URL = 2048


class Refused(Exception):
    """The receiver's host may not be reached (the message says why)."""


def refused_address(address: str) -> str | None:
    """Why ``address`` (an IP address) may not receive deliveries, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, words in (
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_private", "a private"),
        ("is_multicast", "a multicast"),
        ("is_unspecified", "an unspecified"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(ip, test):
            return f"{ip} is {words} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def url_problems(url: object, allow_private: bool, column: str = "url") -> list[Problem]:
    """What is wrong with a receiver URL (empty when it may be registered)."""

    def problem(message: str) -> list[Problem]:
        shown = url if isinstance(url, str) else repr(url)
        return [Problem(message, column=column, value=shown[:80], source="body")]

    if not isinstance(url, str) or not url.strip():
        return problem("expected an http or https URL")
    if len(url) > MAX_URL:
        return problem(f"at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return problem(f"not a URL ({error})")
    if parts.scheme not in ("http", "https"):
        return problem("expected an http or https URL")
    if not parts.hostname:
        return problem("the URL has no host")
    if parts.username is not None or parts.password is not None:
        return problem("put no user name or password in the URL; verify the signature instead")
    if parts.fragment:
        return problem("a URL with a #fragment is not sent to servers; leave it out")
    if port == 0:
        return problem("port 0 cannot receive anything")
    if allow_private:
        return []
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        return problem("localhost is not a public address (MENTORMATCH_WEBHOOK_ALLOW_PRIVATE)")
    try:
        why = refused_address(host)
    except ValueError:  # a name: judged at each delivery, when it is resolved
        return []
    return (
        problem(f"{why}; receivers must be public (MENTORMATCH_WEBHOOK_ALLOW_PRIVATE)")
        if why
        else []
    )


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses to connect to for ``host``, every one of them checked.

    Raises
    ------
    Refused
        If the name does not resolve, or any address it resolves to is not public
        (unless ``allow_private``).
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{host} does not resolve ({error})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not allow_private:
        for address in addresses:
            if (why := refused_address(address)) is not None:
                raise Refused(f"{host} resolves to {why}; receivers must be public")
    if not addresses:
        raise Refused(f"{host} does not resolve")
    return addresses
