"""Cache the HTML of busy list pages per visitor and data version.

Anonymous visitors share one copy of a page (such pages carry no CSRF token); a logged-in user has
their own, keyed by their session and CSRF cookies, so nothing of one person's page reaches another
(the unread-notification badge is loaded by the page itself). `version()` returns something that changes whenever the
page's data does (the newest history row of its tables), so a page is never stale. The copies live
in each process's memory (the "pages" cache), which a restart or deploy empties.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language

TIMEOUT = 300


def _has_messages(request) -> bool:
    if request.COOKIES.get("messages"):
        return True
    return request.user.is_authenticated and "_messages" in request.session


def _visitor(request) -> str:
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    cookies = request.COOKIES
    return f"{user.pk}:{cookies.get(settings.SESSION_COOKIE_NAME, '')}:{cookies.get(settings.CSRF_COOKIE_NAME, '')}"


def cached_page(version):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET" or getattr(request, "htmx", False) or _has_messages(request):
                return view(request, *args, **kwargs)
            raw = f"{request.get_full_path()}|{get_language()}|{_visitor(request)}|{version()}"
            key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
            cache = caches["pages"]
            html = cache.get(key)
            if html is not None:
                return HttpResponse(html)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                cache.set(key, response.content, TIMEOUT)
            return response

        return wrapper

    return decorator
