"""A bound on the whole request body, checked before anything reads it.

Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files, which it streams to
disk whatever their size; FILE_UPLOAD_MAX_MEMORY_SIZE only chooses memory or disk. Django reads at
most Content-Length bytes of a body (a body without one, e.g. chunked, is read as empty), so a
Content-Length over the limit is refused here, first, with 413 and nothing parsed or stored. The TLS
proxy in front should refuse the same size (nginx `client_max_body_size`), so a browser still sending
gets the refusal rather than a reset connection."""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils import translation

MB = 1024 * 1024


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return too_large(request, length)
        return self.get_response(request)


def too_large(request, length):
    """The 413 page in the user's language; it runs before the session and locale middleware, so it
    asks for nothing they would provide."""
    with translation.override(translation.get_language_from_request(request)):
        body = loader.get_template("413.html").render({
            "size_mb": f"{length / MB:.0f}", "limit_mb": f"{settings.REQUEST_BODY_MAX_BYTES / MB:.0f}"})
    return HttpResponse(body, status=413)
