"""Public verification: by number and holder's name, or by the signed link printed as a QR code."""

from django.core import signing
from django.core.cache import cache

from .models import Certificate

SALT = "certificate-verification"
ATTEMPTS_PER_MINUTE = 20


def token_for(certificate: Certificate) -> str:
    return signing.Signer(salt=SALT).signature(certificate.number)


def by_token(number: str, token: str) -> Certificate | None:
    signer = signing.Signer(salt=SALT)
    try:
        signer.unsign(f"{number}{signer.sep}{token}")
    except signing.BadSignature:
        return None
    return Certificate.objects.select_related("trade", "holder").filter(number=number).first()


def lookup(number: str, name: str) -> Certificate | None:
    """The certificate only if the number and the holder's name both match; nothing otherwise."""
    certificate = Certificate.objects.select_related("trade", "holder").filter(number=number.strip().upper()).first()
    if certificate is None or certificate.holder.name != name.strip():
        return None
    return certificate


def allowed(client_key: str) -> bool:
    """At most ATTEMPTS_PER_MINUTE verifications a minute from one address."""
    key = f"verify:{client_key}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 60)
        count = 1
    return count <= ATTEMPTS_PER_MINUTE
