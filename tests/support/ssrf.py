"""Places a hostile server may send the product to (server-side request forgery): each
with what its name resolves to (``None``: a literal address, or no host)."""

from __future__ import annotations

from collections.abc import Sequence

PUBLIC_IP = "93.184.216.34"
#: Where a hostile feed redirects, with what the name resolves to (``None``: a literal).
PRIVATE_TARGETS: dict[str, tuple[str, Sequence[str] | None]] = {
    "loopback": ("http://127.0.0.1:8080/admin", None),
    "loopback, other form": ("http://127.1/admin", ["127.0.0.1"]),
    "localhost": ("http://localhost/admin", ["127.0.0.1", "::1"]),
    "decimal loopback": ("http://2130706433/", ["127.0.0.1"]),
    "cloud metadata": ("http://169.254.169.254/latest/meta-data/", None),
    "metadata by name": ("http://metadata.google.internal/", ["169.254.169.254"]),
    "private 10/8": ("http://10.0.0.5/", None),
    "private 192.168/16": ("http://192.168.1.1/", None),
    "private 172.16/12": ("https://172.16.0.1/", None),
    "shared 100.64/10": ("http://100.64.0.1/", None),
    "unspecified": ("http://0.0.0.0:5432/", None),
    "IPv6 loopback": ("http://[::1]/", None),
    "IPv6 link-local": ("http://[fe80::1]/", None),
    "IPv6 unique local": ("http://[fd00::1]/", None),
    "IPv4-mapped loopback": ("http://[::ffff:127.0.0.1]/", None),
    "DNS rebinding (public and private)": ("http://rebind.example/", [PUBLIC_IP, "127.0.0.1"]),
    "name that does not resolve": ("http://nowhere.invalid/", []),
    "file scheme": ("file:///etc/passwd", None),
}
