"""The address QR labels encode: whether a phone can open it, and the one this machine serves on."""

import ipaddress
import socket
from urllib.parse import urlsplit

# What `flask run --host` accepts for "every interface": no phone can open a URL with these in it.
WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 (compared against, not bound)
# A private address to "connect" a UDP socket to: connect() only asks the routing table which of this
# machine's addresses would be used; a UDP connect sends no packet, so this works with no network access.
_PROBE = ("10.254.254.254", 9)


def is_loopback(url: str) -> bool:
    """Say whether a URL names this computer only (127.x, ::1, localhost): a phone cannot open it."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """Return this machine's address on its network (an IPv4 a phone on the same Wi-Fi reaches), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            found = probe.getsockname()[0]
    except OSError:  # no route at all (no network): ask what the host name resolves to instead
        found = None
    candidates = [found] if found else []
    try:
        candidates += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    for candidate in candidates:
        address = ipaddress.ip_address(candidate)
        if not (address.is_loopback or address.is_unspecified):
            return candidate
    return None


def serving_url(host: str, port: int) -> str:
    """Return the URL of a server listening on host:port, as a phone would open it.

    For every interface (0.0.0.0, ::) that is this machine's network address; failing that (no network
    found) the loopback address, which is_loopback() then reports.
    """
    if host in WILDCARD_HOSTS:
        host = lan_address() or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"
