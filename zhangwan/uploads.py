"""Uploaded attachments: checked on the way in (the type comes from the file's first bytes, not its
name) and served back in one way (`serve_stored_file`)."""

from csp.decorators import csp_replace
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from zhangwan.excel import XLSX_CONTENT_TYPE

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
DOCUMENTS = tuple(SIGNATURES)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# The only types a served file is sent as; anything else goes out as a download of unknown bytes.
SERVED_TYPES = (*DOCUMENTS, XLSX_CONTENT_TYPE)
# A served file is a document of its own with no script and no origin: a PDF's JavaScript, or an
# HTML page that claims to be something else, cannot reach the user's session. Chromium's PDF viewer
# still shows such a PDF.
SANDBOX_POLICY = "sandbox; default-src 'none'"


def sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, magics in SIGNATURES.items():
        if any(head.startswith(magic) for magic in magics):
            return content_type
    return None


def check_attachment(upload, *, allowed=DOCUMENTS, max_bytes=MAX_ATTACHMENT_BYTES) -> str:
    """The file's real content type, or ValidationError saying why it is refused."""
    if upload.size > max_bytes:
        raise ValidationError(_("“%(name)s” is %(size).1f MB; the limit is %(limit).0f MB.")
                              % {"name": upload.name, "size": upload.size / 1024 / 1024,
                                 "limit": max_bytes / 1024 / 1024})
    content_type = sniff(upload)
    if content_type not in allowed:
        raise ValidationError(_("“%(name)s” is not a PDF, JPG or PNG file (whatever its name says).")
                              % {"name": upload.name})
    return content_type


def serve_stored_file(stored, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """The response for a stored file (a FieldFile): the not-found page when storage no longer has
    it; its type only from SERVED_TYPES; shown inline only if it is a PDF or an image."""
    if content_type not in SERVED_TYPES:
        content_type = "application/octet-stream"
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as missing:  # ValueError: the field holds no file at all
        raise Http404(_("The file is no longer stored.")) from missing
    response = FileResponse(handle, content_type=content_type, filename=filename,
                            as_attachment=not (inline and content_type in DOCUMENTS))
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


def embedding(response, urls: list[str]):
    """The page `response` with a CSP that lets it embed exactly these files (<object>): django-csp's
    per-view replacement of `object-src`, which stays 'none' everywhere else."""
    if not urls:
        return response
    return csp_replace({"object-src": urls})(lambda: response)()
