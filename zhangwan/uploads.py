"""Checks for uploaded attachments: the type comes from the file's first bytes, not its name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
DOCUMENTS = tuple(SIGNATURES)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


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
