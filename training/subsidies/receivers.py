"""Subsidies follow what happens to the certificates they stand on: certification sends the signals
(certification/signals.py), so it never imports this app; connected in apps.py."""

from certification.signals import certificate_reinstated, certificate_revoked

from . import services


def reverse_claims(sender, *, certificate, user, reason, **kwargs):
    services.claims_reverse_for_certificate(certificate=certificate, user=user, reason=reason)


def undo_reversals(sender, *, certificate, user, reason, **kwargs):
    services.reversals_undo_for_certificate(certificate=certificate, user=user, reason=reason)


def connect():
    certificate_revoked.connect(reverse_claims, dispatch_uid="subsidies.reverse_claims")
    certificate_reinstated.connect(undo_reversals, dispatch_uid="subsidies.undo_reversals")
