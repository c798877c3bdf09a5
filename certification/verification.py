"""Public verification: by number and holder's name, or by the signed link printed as a QR code."""

from datetime import timedelta

from django.core import signing

from zhangwan.ratelimit import Limit

from .models import Certificate

SALT = "certificate-verification"
# Checks by number and name, per client address: enough for an employer checking a pile of
# certificates, far too few to walk the number space.
CHECKS = Limit("certificate-verify", 20, timedelta(minutes=1))


def token_for(certificate: Certificate) -> str:
    return signing.Signer(salt=SALT).signature(certificate.number)


def by_token(number: str, token: str) -> Certificate | None:
    signer = signing.Signer(salt=SALT)
    try:
        signer.unsign(f"{number}{signer.sep}{token}")
    except signing.BadSignature:
        return None
    return Certificate.objects.select_related("trade", "holder", "body").filter(number=number).first()


def lookup(number: str, name: str) -> Certificate | None:
    """The certificate only if the number and the holder's name both match; nothing otherwise."""
    certificate = (Certificate.objects.select_related("trade", "holder", "body")
                   .filter(number=number.strip().upper()).first())
    if certificate is None or certificate.holder.name != name.strip():
        return None
    return certificate

