"""QR codes drawn as inline SVG (no image files, nothing fetched): certificates' verification links and
the training sessions' check-in codes."""

import io

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return mark_safe(svg[svg.index("<svg"):])  # noqa: S308 - generated SVG, the XML declaration dropped to inline it
