"""What certification tells the apps above it without importing them (DESIGN.md §9: training
depends on certification, never the other way). Sent inside the change's transaction: a receiver
that raises a ServiceError refuses the change, and its message reaches the officer."""

from django.dispatch import Signal

# certificate, user, reason (the text the consequences record)
certificate_revoked = Signal()
certificate_reinstated = Signal()
