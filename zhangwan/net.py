"""The client's address, the one way every limit and axes find out who is asking.

Behind TRUSTED_PROXY_COUNT reverse proxies (the README's TLS proxy is one) REMOTE_ADDR is the
nearest proxy, and each proxy appends the address it saw to X-Forwarded-For. The client is the
address the outermost trusted proxy saw: the TRUSTED_PROXY_COUNT-th entry from the right. Entries
to its left were written by the client and are never believed. With no proxy the header is
ignored altogether, so a forged X-Forwarded-For cannot pick its own address.
"""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    # ipware counts the proxies listed inside the header; the nearest proxy is REMOTE_ADDR, not listed.
    forwarded, _routable = get_client_ip(request, proxy_count=proxies - 1,
                                         request_header_order=("HTTP_X_FORWARDED_FOR",), strict=False)
    return forwarded or remote
