"""History with user and reason: the one place that talks to django-simple-history.

Every write that must appear in an object's history goes through one of these:

- ``save_with_history(obj, user=…, reason=…)`` / ``delete_with_history`` — one object;
- ``bulk_create_with_history`` / ``bulk_update_with_history`` — a list of objects;
- ``update_with_history(queryset, …)`` — one set-based UPDATE, then ``record_history``
  (one ``INSERT … SELECT``) copies the changed rows into the history table;
- ``stamp(obj, user=…, when=…)`` — who and when for a later bulk history insert (the demo's past).

A reason is a short key (``"batch.approved"``), optionally with a detail the key's label shows
(``reason_key("batch.paid", reference)`` → ``"batch.paid:BANK-1"``). ``REASONS`` maps each key to a
lazily translated label, so the history reads in the reader's language (``reason_text``, the template
filter ``history_reason``); a reason that is no key (rows written before keys, free text) shows as
it is. Add a key here before using it: ``reason_key`` refuses unknown ones.

The private attributes django-simple-history reads (``_history_user``, ``_change_reason``,
``_history_date``) are set in this module only (ruff's SLF001 enforces it elsewhere).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import utils

from zhangwan.sql import array_literal

HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
REASON_LENGTH = 100

REASONS = {
    "status": _("Status changed"),
    # training
    "class.capacity": _("Capacity changed"),
    "class.cancelled": _("Class cancelled"),
    "class.finished": _("Class finished"),
    "class.finished_early": _("Finished before its last session: %(detail)s"),
    "enrollment.registered": _("Registered (%(detail)s)"),
    "enrollment.cancelled": _("Registration cancelled"),
    "enrollment.withdrawn": _("Withdrawn by the training officer: %(detail)s"),
    "enrollment.promoted": _("Promoted from the waiting list"),
    "enrollment.registered_late": _("Registered by the training officer after the start: %(detail)s"),
    "enrollment.moved": _("Moved to another class: %(detail)s"),
    "enrollment.exam": _("Exam result"),
    "attendance.marked": _("Attendance marked"),
    "attendance.imported": _("Attendance imported"),
    "attendance.all_present": _("Everyone present (then the exceptions)"),
    "attendance.checked_in": _("Checked in by QR code"),
    "plan.from_needs": _("From the needs survey: %(detail)s"),
    # subsidies
    "claim.computed": _("Computed"),
    "claim.approved": _("Approved"),
    "claim.refused": _("Refused"),
    "claim.reversal": _("Reversal"),
    "claim.reopened": _("Reopened for review: %(detail)s"),
    "claim.reversal_undone": _("Reversal undone: %(detail)s"),
    "policy.reversal_undone": _("Reversal %(detail)s undone"),
    "claim.batched": _("Put in a disbursement batch"),
    "claim.unbatched": _("Taken out of a deleted batch"),
    "batch.approved": _("Approved"),
    "batch.paid": _("Paid, bank reference %(detail)s"),
    "policy.batch_approved": _("Batch %(detail)s approved"),
    "policy.batch_paid": _("Batch %(detail)s paid"),
    "policy.reversal": _("Reversal %(detail)s of a paid claim deducted"),
    "policy.batch_sent_back": _("Batch %(detail)s sent back: no longer committed"),
    "policy.budget": _("Budget changed to ¥%(detail)s"),
    "batch.sent_back": _("Sent back: %(detail)s"),
    "claim.recovered": _("Marked as recovered, reference %(detail)s"),
    "claim.recovered_by_batch": _("Recovered with its recovery batch"),
    "worker.bank_details": _("Bank details changed by the worker"),
    "worker.mobile_changed": _("Mobile number changed by the worker (confirmed with a code)"),
    "worker.bank_details_by_staff": _("Bank details entered by union staff"),
    "worker.bank_details_imported": _("Bank details imported by the liaison"),
    "shortage.saved": _("Shortage list entry saved"),
    "application.subsidy": _("Applied for the skill-improvement subsidy"),
    "insured.imported": _("Imported from the social-insurance office's list"),
    # certification
    "application.withdrawn": _("Withdrawn"),
    "application.eligibility": _("Eligibility checked"),
    "application.admitted": _("Admitted"),
    "application.scores": _("Scores entered"),
    "application.scores_imported": _("Scores imported"),
    "session.certificates_issued": _("Certificates issued"),
    "certificate.issued": _("Issued"),
    "certificate.revoked": _("Revoked"),
    "certificate.reinstated": _("Reinstated: %(detail)s"),
    "certificate.imported": _("Imported"),
    "competition.award": _("Competition award"),
    # competitions
    "entry.withdrawn": _("Withdrawn"),
    "entry.advanced": _("Advanced from %(detail)s"),
    "mark.marked": _("Marked"),
    "mark.corrected": _("Correction: %(detail)s"),
    "sheet.submitted": _("Submitted"),
    "result.computed": _("Results computed"),
    "result.recorded": _("Result recorded"),
    "competition.published": _("Results published"),
    "competition.published_short": _("Results published with entries short of score sheets: %(detail)s"),
    "competition.withdrawn": _("Results withdrawn: %(detail)s"),
    "result.corrected": _("Result corrected: %(detail)s"),
    "entry.advancement_undone": _("Advancement taken back: the results of %(detail)s changed"),
    "certificate.competition_undone": _("Competition award taken back: %(detail)s"),
    "grant.competition_undone": _("Competition award taken back: %(detail)s"),
    # masters
    "nomination.edited": _("Draft edited"),
    "nomination.submitted": _("Nomination submitted"),
    "nomination.withdrawn": _("Nomination withdrawn"),
    "nomination.eligibility": _("Eligibility checked"),
    "nomination.reviewers_assigned": _("Reviewers assigned"),
    "nomination.ranked": _("Ranking computed"),
    "nomination.shortlisted": _("Put on the shortlist"),
    "nomination.shortlist_redone": _("Taken off the shortlist when it was redone"),
    "nomination.shortlist_changed": _("Shortlist changed: %(detail)s"),
    "nomination.tie_decided": _("Tie at the quota line decided: %(detail)s"),
    "nomination.publicity": _("Put in publicity"),
    "nomination.not_shortlisted": _("Not shortlisted"),
    "nomination.objection_upheld": _("Objection upheld"),
    "nomination.conferred": _("Title conferred"),
    "round.publicity_opened": _("Publicity opened"),
    "round.conferred": _("Titles conferred"),
    "title.conferred": _("Title conferred"),
    "objection.resolved": _("Objection answered"),
    "assignment.assigned": _("Reviewers assigned"),
    "assignment.removed": _("Removed by the officer"),
    "assignment.nomination_withdrawn": _("Released: the nomination was withdrawn"),
    "assignment.draft": _("Draft scores saved"),
    "assignment.submitted": _("Review submitted"),
    "assignment.reassigned": _("Reassigned after a conflict"),
    "review.conflict_declared": _("Conflict declared"),
    "score.scored": _("Scored"),
    "talk.scheduled": _("Talk scheduled"),
    "talk.held": _("Talk held"),
    "talk.cancelled": _("Talk cancelled"),
    # accounts
    "invitation.sent": _("Invitation sent"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.cancelled": _("Invitation cancelled"),
    "invitation.accepted": _("Invitation accepted"),
    # registry
    "roster.import": _("Roster import"),
    # api
    "api.token_created": _("API token created"),
    "api.token_revoked": _("API token revoked"),
    "api.call": _("API call"),
    "webhook.created": _("Webhook added"),
    "webhook.enabled": _("Webhook enabled again"),
    "webhook.disabled": _("Webhook disabled after repeated failures"),
    "webhook.deleted": _("Webhook deleted"),
    "worker.created_by_staff": _("Created by union staff"),
    "demo": _("Demo data"),
    "bench": _("Benchmark data"),
}


def reason_key(key: str, detail: str = "") -> str:
    """The stored reason: the key, with its detail after a colon when the label shows one."""
    if key not in REASONS:
        raise KeyError(f"Unknown history reason {key!r}: add it to zhangwan.history.REASONS")
    return (f"{key}:{detail}" if detail else key)[:REASON_LENGTH]


# reason key → the choices its detail is a value of (a registration's channel): the detail is then
# shown by its label. Filled by the apps that write such reasons (``detail_choices``).
DETAIL_CHOICES: dict[str, object] = {}


def detail_choices(key: str, choices) -> None:
    """The details of this reason key are values of these choices (a TextChoices class)."""
    DETAIL_CHOICES[key] = choices


def reason_text(stored: str | None) -> str:
    """A stored reason in the reader's language; free text (older rows) as it is."""
    if not stored:
        return ""
    key, _colon, detail = stored.partition(":")
    label = REASONS.get(key)
    if label is None:
        return stored
    if key in DETAIL_CHOICES:
        detail = dict(DETAIL_CHOICES[key].choices).get(detail, detail)
    return str(label) % {"detail": detail} if "%(detail)s" in str(label) else str(label)


def _stamp(obj, *, user, reason: str = "", detail: str = "", when=None):
    obj._history_user = user
    if reason:
        obj._change_reason = reason_key(reason, detail)
    if when is not None:
        obj._history_date = when
    return obj


def stamp(obj, *, user=None, when=None):
    """Who made obj and when, read by a later bulk history insert (``bulk_create_with_history``)."""
    return _stamp(obj, user=user, when=when)


def stamped_date(obj):
    """The date ``stamp`` gave obj's history (None: not stamped)."""
    return getattr(obj, "_history_date", None)


def save_with_history(obj, *, user, reason: str = "", detail: str = "", update_fields=None):
    """obj.save(), its history row by user with this reason key (none for a creation if you like)."""
    _stamp(obj, user=user, reason=reason, detail=detail)
    obj.save(update_fields=update_fields)
    return obj


def delete_with_history(obj, *, user, reason: str = "", detail: str = ""):
    """obj.delete(), its '-' history row by user."""
    _stamp(obj, user=user, reason=reason, detail=detail)
    return obj.delete()


def bulk_create_with_history(objs, model, *, user=None, reason: str = "", detail: str = "", batch_size=None):
    """Insert objs in bulk with one history row each ('+'); per-object ``stamp`` wins over user."""
    return utils.bulk_create_with_history(objs, model, batch_size=batch_size, default_user=user,
                                          default_change_reason=reason_key(reason, detail) if reason else None)


def bulk_update_with_history(objs, model, fields, *, user=None, reason: str, detail: str = "", batch_size=None):
    """Update these fields of objs in bulk, with one history row each ('~')."""
    return utils.bulk_update_with_history(objs, model, fields, batch_size=batch_size, default_user=user,
                                          default_change_reason=reason_key(reason, detail))


def bulk_history_create(model, objs, *, user=None, reason: str, batch_size=None):
    """One '+' history row per saved object; per-object ``stamp`` (who, when) wins over user and now."""
    model.history.bulk_history_create(objs, batch_size=batch_size, default_change_reason=reason_key(reason),
                                      default_user=user)


def bulk_insert_with_history(model, objs, *, user=None, reason: str, batch_size=None):
    """Plain ``bulk_create`` then ``bulk_history_create``: for loaders that set dates themselves (the
    demo), where django-simple-history's own bulk create would look rows up again."""
    if objs:
        model.objects.bulk_create(objs, batch_size=batch_size)
        bulk_history_create(model, objs, user=user, reason=reason, batch_size=batch_size)
    return objs


def _stored(reason: str, detail: str) -> str:
    # Free text without a detail is stored as it is (a test's audit baseline); a key is checked as usual.
    if not reason or (reason not in REASONS and not detail):
        return reason[:REASON_LENGTH]
    return reason_key(reason, detail)


def record_history(model, pks, *, reason: str, detail: str = "", user=None, history_type: str = "~") -> int:
    """Copy rows of model with these primary keys into its history table ('+' created, '~' changed,
    '-' about to be deleted): one INSERT … SELECT, instead of a history object per row in Python."""
    pks = list(pks)
    if not pks:
        return 0
    history = model.history.model._meta
    columns = [f.column for f in history.concrete_fields if f.name not in HISTORY_FIELDS]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    numbers = all(isinstance(pk, int) for pk in pks)  # then one array literal: thousands of ids read fast
    sql = (
        f"INSERT INTO {quote(history.db_table)} ({names}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {names}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} = ANY(%s{'::bigint[]' if numbers else ''})"
    )
    stored = _stored(reason, detail)
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), stored, history_type, getattr(user, "pk", None),
                             array_literal(pks) if numbers else pks])
        return cursor.rowcount


def delete_many_with_history(queryset, *, reason: str, detail: str = "", user=None) -> int:
    """Delete the rows of the queryset (which nothing references) in one DELETE, their '-' history rows
    written first by one INSERT … SELECT; returns how many. Inside the caller's transaction."""
    pks = list(queryset.select_for_update().values_list("pk", flat=True))
    record_history(queryset.model, pks, reason=reason, detail=detail, user=user, history_type="-")
    rows = queryset.model.objects.filter(pk__in=pks)
    return rows._raw_delete(rows.db)  # no per-row signals: the history rows are already written


def update_with_history(queryset, *, reason: str, detail: str = "", user=None, **changes) -> list[int]:
    """Lock the rows of the queryset, change them in one UPDATE and copy them into history; returns
    their ids. Inside the caller's transaction."""
    pks = list(queryset.select_for_update().values_list("pk", flat=True))
    queryset.model.objects.filter(pk__in=pks).update(**changes)
    record_history(queryset.model, pks, reason=reason, detail=detail, user=user)
    return pks


def history_with_changes(records, limit: int = 20) -> list:
    """The latest history records, newest first, each with ``changes``: (field label, before,
    after) against the record before it — read-only fields such as status included, choices and
    related objects in words."""
    records = list(records[: limit + 1])
    set_changes(records)
    return records[:limit]


def set_changes(records, masks=None) -> None:
    """Give each history record (newest first) its ``changes`` against the one after it in the list;
    the last one gets none (it is the oldest, or the caller passed the one before it too). ``masks``:
    field name ending → function hiding a value the reader may not see whole (identity numbers)."""
    masks = masks or {}
    for record, previous in zip(records, [*records[1:], None], strict=False):
        record.changes = []
        if previous is None:
            continue
        for field in record.tracked_fields:
            before, after = getattr(previous, field.attname), getattr(record, field.attname)
            if before != after:
                mask = next((m for suffix, m in masks.items() if field.name.endswith(suffix)), None)
                if mask is not None:
                    before, after = (mask(v) if v else v for v in (before, after))
                record.changes.append((field.verbose_name, _shown(previous, field, before),
                                       _shown(record, field, after)))


def _shown(record, field, value):
    if value is None:
        return None
    if field.is_relation:
        try:
            return getattr(record, field.name)
        except ObjectDoesNotExist:
            return value
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return dict(field.flatchoices).get(value, value) if field.choices else value
