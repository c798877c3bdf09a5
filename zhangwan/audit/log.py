"""The auditor's activity log: the history records of every tracked model, in one list.

Set-based, in a constant number of queries whatever the number of rows:

1. ``entries(filters)`` is one ``UNION ALL`` over the historical tables, reading only the columns they
   share (history id, date, user, type, reason, the object's id) plus the model's label, newest first;
   the paginator counts it and slices one page of it. Its text is put together from a statement kept per
   table and the filters' conditions on the shared columns: the ORM compiling 57 querysets twice a
   request was most of the page's time.
2. ``decorate(rows)`` then reads the page's details with a few queries per model on the page, never per
   row: the history records themselves with each one's previous record (one statement per history table,
   its text composed once per process: the ORM compiling it afresh for every model on every page was most
   of the page's time), the objects as they are now (their name and link), the related objects named in
   the changes, and the users.

An organization filter keeps the records "of" an organization: the organization itself, a worker whose
current employer it is, a record naming such a worker or the organization directly (a foreign key to
Worker or Organization, or one step further, as an attendance through its enrollment), and any record
written by a user of that organization (a liaison). See docs/security.md, "The activity log".
"""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhangwan.columns import FULL_ID_NUMBER
from zhangwan.history import REASONS, reason_text
from zhangwan.registry.models import Organization, Worker
from zhangwan.registry.validators import mask_bank_account, mask_id_number
from zhangwan.sql import compose

BANK_ACCOUNT = "registry.view_bank_account"

KINDS = {"+": _("Record created"), "~": _("Record changed"), "-": _("Record deleted")}
COLUMNS = ("hdate", "model", "hid", "huser", "htype", "hreason", "oid")

# The app's page of an object, where it has one the auditor may open.
PAGES = {
    "registry.Worker": "registry:worker_detail",
    "training.TrainingClass": "training:class_detail",
    "subsidies.Policy": "subsidies:policy_detail",
    "subsidies.Claim": "subsidies:claim_detail",
    "subsidies.Batch": "subsidies:batch_detail",
    "competitions.Competition": "competitions:competition_detail",
    "masters.Nomination": "masters:nomination_detail",
    "masters.SelectionRound": "masters:round_detail",
}

# Relations a model's name (its __str__) reads, fetched with it so that naming a page of records costs one
# query per model (zhangwan/tests/matrix/test_activity_log_names.py names a record of every model).
NAME_RELATED = {
    "training.Enrollment": ("worker", "training_class"),
    "training.Attendance": ("enrollment__worker", "session"),
    "training.PlanLine": ("plan", "trade"),
    "competitions.Event": ("competition",),
    "competitions.Entry": ("event__competition",),
    "competitions.ScoreSheet": ("entry__event__competition", "judge"),
    "competitions.Result": ("entry__event__competition",),
    "competitions.JudgeAssignment": ("judge", "event__competition"),
    "competitions.Mark": ("part",),
    "certification.Application": ("worker", "session__trade"),
    "masters.Assignment": ("reviewer__user", "nomination__nominee", "nomination__round"),
    "masters.Score": ("assignment__reviewer__user", "assignment__nomination__nominee",
                      "assignment__nomination__round", "criterion"),
    "masters.Objection": ("nomination__nominee", "nomination__round"),
    "masters.Conflict": ("reviewer__user", "worker"),
    "masters.ConflictWaiver": ("reviewer__user", "nomination__nominee", "nomination__round"),
    "masters.IncentiveGrant": ("policy", "master__worker", "organization"),
    # Models with more foreign keys than their name reads (by default every foreign key is joined).
    "subsidies.Claim": ("worker",),
    "subsidies.Batch": ("policy",),
    "registry.TransferRequest": ("worker", "to_organization"),
    "masters.Nomination": ("nominee", "round"),
    "masters.TalkOrder": ("topic", "organization"),
    "training.Mentorship": ("mentor", "apprentice"),
    "training.TrainingClass": (),
    "certification.Certificate": (),
    "accounts.Invitation": (),
    "api.ApiToken": (),
}


def tracked_models() -> list:
    """The models with a history table, by app and name."""
    return list(_tracked())


@functools.cache
def _tracked() -> tuple:
    # Once per process: simple_history builds a new manager class at each read of ``Model.history``.
    found = [m for m in apps.get_models() if hasattr(getattr(m, "history", None), "model")
             and not m._meta.label.startswith("simple_history")]
    return tuple(sorted(found, key=lambda m: m._meta.label))


def model_choices() -> list[tuple[str, str]]:
    return sorted(((m._meta.label, f"{m._meta.verbose_name}") for m in tracked_models()), key=lambda c: c[1])


@functools.cache
def _history(model):
    return model.history.model


def _organization_match(history_model, organization_id, subqueries: dict) -> Q:
    """The records of this history table that belong to the organization (see the module's text).

    Written as semi-joins, ``IN (SELECT …)``: PostgreSQL finds the organization's workers and users once per
    table by their index and tests each record against them. Joined instead, every history table hashed
    all 30,000 workers (and the users) to test its records: 0.6 s for one page of a filtered log on the
    2022 demo, most of it spent twice (the count and the page). Each subquery is compiled once per log
    (``subqueries``), not once per table that uses it."""

    def ids(model, **lookups) -> RawSQL:
        key = (model, *lookups.items())
        if key not in subqueries:
            subqueries[key] = RawSQL(*model._meta.base_manager.filter(**lookups).values("pk").query.sql_with_params())
        return subqueries[key]

    workers = ids(Worker, employer_id=organization_id)
    match = Q(history_user_id__in=ids(get_user_model(), organization_id=organization_id))
    if issubclass(history_model.instance_type, Organization):
        match |= Q(**{history_model.instance_type._meta.pk.attname: organization_id})
    if issubclass(history_model.instance_type, Worker):
        match |= Q(employer_id=organization_id)
    for fk in history_model._meta.concrete_fields:
        if not fk.is_relation or fk.name == "history_user":
            continue
        target = fk.related_model
        if target is Organization:
            match |= Q(**{fk.attname: organization_id})
        elif target is Worker:
            match |= Q(**{f"{fk.attname}__in": workers})
        else:
            for hop in target._meta.concrete_fields:
                if hop.is_relation and hop.related_model is Worker:
                    match |= Q(**{f"{fk.attname}__in": ids(target, **{f"{hop.attname}__in": workers})})
    return match


def _reason_match(text: str) -> tuple[str, list]:
    """A reason (the log's `hreason`) whose stored key or its label (in the reader's language or in English)
    has the text: SQL and its parameters, matched as Django's `icontains` and `startswith` match."""
    from django.utils import translation

    text = text.strip()
    lowered = text.lower()
    keys = []
    for key, label in REASONS.items():
        with translation.override("en"):
            english = str(label)
        if lowered in str(label).lower() or lowered in english.lower():
            keys.append(key)
    like = connection.ops.prep_for_like_query
    return ("(UPPER(hreason::text) LIKE UPPER(%s) OR hreason = ANY(%s) OR hreason LIKE ANY(%s))",
            [f"%{like(text)}%", keys, [f"{like(key)}:%" for key in keys]])


@dataclass
class Filters:
    model: str = ""
    user_ids: object = None  # a queryset of user ids, or None
    organization_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    kind: str = ""
    reason: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Log:
    """The activity log as the paginator, the export and the API read it: count() and slices, newest first,
    of one UNION ALL statement; a row is a dict of COLUMNS (the model's label, the history record's id, user,
    type and reason, the object's id)."""

    ORDER = "ORDER BY hdate DESC, model DESC, hid DESC"

    def __init__(self, sql: str, params: list):
        self.sql, self.params = sql, params

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({self.sql}) AS log", self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[dict]:
        start = int(index.start or 0)
        limit = "" if index.stop is None else f" LIMIT {int(index.stop) - start}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({self.sql}) AS log {self.ORDER}{limit} OFFSET {start}", self.params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def __iter__(self):
        return iter(self[0:None])


def _object_column(model) -> str:
    """The column of a history table that holds the tracked object's id, quoted."""
    return connection.ops.quote_name(_history(model)._meta.get_field(model._meta.pk.name).column)


@functools.cache
def _branch_sql(model) -> str:
    """One tracked model's history table as the log's COLUMNS, in their order (its label a parameter),
    composed once per process from the models' names."""
    return compose(
        "SELECT {h.history_date} AS hdate, %s::varchar AS model, {h.history_id} AS hid, "
        "{h.history_user} AS huser, {h.history_type} AS htype, {h.history_change_reason} AS hreason, "
        "h.{object} AS oid FROM {h}", h=_history(model), object=_object_column(model))


def _common_conditions(filters: Filters) -> tuple[list[str], list]:
    """The filters every table shares, on the log's columns (PostgreSQL applies them to each table)."""
    conditions, params = [], []
    if filters.user_ids is not None:
        users, users_params = filters.user_ids.query.sql_with_params()
        conditions.append(f"huser IN ({users})")
        params += users_params
    if filters.date_from:
        conditions.append("hdate >= %s")
        params.append(_start_of(filters.date_from))
    if filters.date_to:
        conditions.append("hdate < %s")
        params.append(_start_of(filters.date_to + datetime.timedelta(days=1)))
    if filters.kind:
        conditions.append("htype = %s")
        params.append(filters.kind)
    if filters.reason.strip():
        # The same reasons for every table: their labels are translated once per search.
        reason, reason_params = _reason_match(filters.reason)
        conditions.append(reason)
        params += reason_params
    return conditions, params


def _branch(model, filters: Filters, subqueries: dict) -> tuple[str, list]:
    """One table's part of the log: the statement kept for it, or, filtered to an organization (a match of
    its own per table, applied on the table itself), compiled by the ORM."""
    label = model._meta.label
    if not filters.organization_id:
        return _branch_sql(model), [label]
    history = _history(model)
    rows = history.objects.filter(_organization_match(history, filters.organization_id, subqueries)).order_by()
    return rows.annotate(
        hdate=F("history_date"), model=Value(label, output_field=models.CharField()), hid=F("history_id"),
        huser=F("history_user_id"), htype=F("history_type"), hreason=F("history_change_reason"),
        oid=F(model._meta.pk.attname),
    ).values(*COLUMNS).query.sql_with_params()


def entries(filters: Filters | None = None) -> Log | None:
    """The log (one UNION ALL over the tracked models' history tables), newest first; None when no model
    matches. Its text is put together from statements kept per table, not compiled by the ORM on every
    request (57 tables: most of a page's time); only the organization filter, whose match differs by table,
    is compiled each time."""
    filters = filters or Filters()
    branches, params, subqueries = [], [], {}
    for model in tracked_models():
        if filters.model and filters.model != model._meta.label:
            continue
        branch, branch_params = _branch(model, filters, subqueries)
        branches.append(branch)
        params += branch_params
    if not branches:
        return None
    conditions, condition_params = _common_conditions(filters)
    union = " UNION ALL ".join(f"({branch})" for branch in branches)
    if conditions:
        union = f"SELECT * FROM ({union}) AS tables WHERE {' AND '.join(conditions)}"
    return Log(union, [*params, *condition_params])


@dataclass
class Entry:
    """One history record as the log shows it."""

    when: datetime.datetime
    model_label: str
    model_name: str
    history_id: int
    object_id: int
    kind: str
    kind_name: str
    reason: str
    user: object = None
    record: str = ""
    url: str = ""
    changes: list = field(default_factory=list)  # (field name, before, after)

    @property
    def user_name(self) -> str:
        return (self.user.get_full_name() if self.user else "") or ""

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)

    @property
    def changes_text(self) -> str:
        return "; ".join(f"{name}: {_text(before)} → {_text(after)}" for name, before, after in self.changes)


def _text(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _page_url(label: str, model, pk) -> str:
    name = PAGES.get(label)
    if name is None and admin.site.is_registered(model):
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
    if name is None:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _name_related(model) -> list[str]:
    declared = NAME_RELATED.get(model._meta.label)
    if declared is not None:
        return list(declared)
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


@functools.cache
def _records_sql(model) -> str:
    """The statement of _records_and_previous for one tracked model's history table, composed once per process
    from the models' names (a renamed field is followed)."""
    history = _history(model)
    return compose(
        "WITH page AS (SELECT {h.history_id} AS id, (SELECT {p.history_id} FROM {p} WHERE p.{pk} = h.{pk} "
        "AND ({p.history_date}, {p.history_id}) < ({h.history_date}, {h.history_id}) "
        "ORDER BY {p.history_date} DESC, {p.history_id} DESC LIMIT 1) AS previous_id FROM {h} "
        "WHERE {h.history_id} = ANY(%s)) "
        "SELECT r.*, page.previous_id, page.id IS NOT NULL AS on_page "
        "FROM {r} LEFT JOIN page ON page.id = {r.history_id} "
        "WHERE {r.history_id} IN (SELECT id FROM page UNION ALL SELECT previous_id FROM page)",
        h=history, p=history, r=history, pk=_object_column(model))


def _records_and_previous(model, ids) -> tuple[dict, dict]:
    """The history records with these ids, each with the id of the record before it for the same object
    (`previous_id`), and those earlier records: by history id, in one query whose text is composed once."""
    records = list(_history(model).objects.raw(_records_sql(model), [list(ids)]))
    return {r.history_id: r for r in records if r.on_page}, {r.history_id: r for r in records}


def _named(model, ids) -> dict:
    """The objects with these ids, with what their names read (one query)."""
    related = _name_related(model)
    objects = model._meta.default_manager.all()
    # select_related() with no name would follow every foreign key, and theirs.
    return (objects.select_related(*related) if related else objects).in_bulk(ids)


def decorate(rows, user=None) -> list[Entry]:
    """The page's rows (dicts of COLUMNS) as Entries with user, record, link and changes: a few queries
    per model on the page and one for the users, whatever the number of rows. Identity and bank
    account numbers in the changes are masked unless the reader (user) may see them whole."""
    rows = list(rows)
    masks = _masks(user)
    by_model = defaultdict(list)
    for row in rows:
        by_model[row["model"]].append(row)
    records, previous, objects = {}, {}, {}
    related_wanted = defaultdict(set)  # related model → ids named in the changes
    changes_raw = {}
    for label, model_rows in by_model.items():
        model = apps.get_model(label)
        ids = [r["hid"] for r in model_rows]
        object_ids = {r["oid"] for r in model_rows}
        page, before = _records_and_previous(model, ids)
        objects[label] = _named(model, object_ids)
        for hid, record in page.items():
            records[(label, hid)] = record
            earlier = before.get(record.previous_id)
            previous[(label, hid)] = earlier
            if earlier is None:
                continue
            found = []
            for tracked in record.tracked_fields:
                if getattr(tracked, "auto_now", False):
                    continue  # the time of the change, shown once in its own column
                old, new = getattr(earlier, tracked.attname), getattr(record, tracked.attname)
                if old != new:
                    found.append((tracked, old, new))
                    if tracked.is_relation:
                        related_wanted[tracked.related_model].update(v for v in (old, new) if v is not None)
            changes_raw[(label, hid)] = found
    related = {m: _named(m, ids) for m, ids in related_wanted.items()}
    users = get_user_model().objects.in_bulk({r["huser"] for r in rows if r["huser"]})

    entries_out = []
    for row in rows:
        label, hid = row["model"], row["hid"]
        model = apps.get_model(label)
        current = objects[label].get(row["oid"])
        entry = Entry(
            when=timezone.localtime(row["hdate"]), model_label=label, model_name=str(model._meta.verbose_name),
            history_id=hid, object_id=row["oid"], kind=row["htype"], kind_name=str(KINDS.get(row["htype"], "")),
            reason=row["hreason"] or "", user=users.get(row["huser"]),
            record=str(current) if current is not None else f"{model._meta.verbose_name} #{row['oid']}",
            url=_page_url(label, model, row["oid"]) if current is not None else "",
        )
        for tracked, old, new in changes_raw.get((label, hid), []):
            mask = next((m for suffix, m in masks.items() if tracked.name.endswith(suffix)), None)
            old, new = _shown(tracked, old, related), _shown(tracked, new, related)
            if mask is not None:
                old, new = (mask(v) if v else v for v in (old, new))
            entry.changes.append((str(tracked.verbose_name), old, new))
        entries_out.append(entry)
    return entries_out


def _masks(user) -> dict:
    """Field name ending → masking function, for the numbers this reader may not see whole."""
    masks = {}
    if user is None or not user.has_perm(FULL_ID_NUMBER):
        masks["id_number"] = mask_id_number
    if user is None or not user.has_perm(BANK_ACCOUNT):
        masks["bank_account"] = mask_bank_account
    return masks


def _shown(tracked, value, related):
    if value is None or value == "":
        return None
    if tracked.is_relation:
        return related.get(tracked.related_model, {}).get(value, value)
    if tracked.choices:
        return dict(tracked.flatchoices).get(value, value)
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
    return value

