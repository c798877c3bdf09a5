"""The one person picker: a searchable, filterable, paginated list of workers used wherever a page
chooses people (a liaison's class registration, competition entries, the nominee of a nomination).

The page's view builds a `Picker` over the rows the user may choose from and gives it to the form's
`PeopleField` (several people) or `PersonField` (one). The chosen ids travel in one hidden input
(comma-separated, so thousands of them stay one POST field), so they survive paging, searching and a
form error. The view answers its own URL with `?pick=rows` (the partial with one page of matches)
and `?pick=ids` (every matching id that may be chosen, for "select all matching"); static/js/picker.js
fetches both. Rows already taken (registered, entered, nominated) are shown marked and cannot be chosen.

    picker = Picker(workers_for(request.user), url=request.path, taken=enrolled_ids, taken_label=_("Registered"))
    if (answer := picker.answer(request)) is not None:
        return answer
    form = RegisterForm(request.POST or None, picker=picker)   # field.use(picker) in the form

Each answer costs a constant number of queries: the count, the page, the taken ids among the page.
"""

from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from zhangwan.query import SEARCH_MAX_LENGTH
from zhangwan.registry.models import Trade

PAGE_SIZE = 20
MAX_IDS = 10_000  # "select all matching" never answers more than this many ids


@dataclass
class Picker:
    workers: QuerySet  # whom this user may choose (already scoped to them)
    url: str  # the page answering ?pick=rows / ?pick=ids
    taken: QuerySet | None = None  # the workers already registered / entered / nominated
    taken_label: str = ""
    trade_filter: bool = True
    full_id_allowed: bool = False
    show_employer: bool = False  # when the workers come from several organizations
    multiple: bool = True

    def matching(self, params) -> QuerySet:
        """The workers the search box and filters of params select."""
        workers = self.workers.search(search_param_from(params), full_id_allowed=self.full_id_allowed)
        trade = params.get("trade", "")
        if self.trade_filter and trade.isascii() and trade.isdigit() and len(trade) < 10:
            workers = workers.filter(trades__trade_id=int(trade))
        if params.get("leader") == "1":
            workers = workers.filter(team_leader=True)
        return workers.order_by("name", "pk")

    def page(self, params):
        page = Paginator(self.matching(params).select_related("employer"), PAGE_SIZE).get_page(params.get("page"))
        rows = list(page.object_list)
        taken = set()
        if self.taken is not None and rows:
            taken = set(self.taken.filter(pk__in=[w.pk for w in rows]).values_list("pk", flat=True))
        for worker in rows:
            worker.is_taken = worker.pk in taken
        return page, rows

    def rows_html(self, params) -> str:
        page, rows = self.page(params)
        return render_to_string("includes/picker_rows.html", {
            "page": page, "rows": rows, "picker": self, "input_type": "checkbox" if self.multiple else "radio",
        })

    def free_ids(self, params) -> list[int]:
        workers = self.matching(params)
        if self.taken is not None:
            workers = workers.exclude(pk__in=self.taken.values("pk"))
        return list(workers.values_list("pk", flat=True)[:MAX_IDS])

    def trades(self):
        return Trade.objects.all() if self.trade_filter else []

    def answer(self, request):
        """The picker's own answers to the page's URL, or None for the page itself."""
        what = request.GET.get("pick")
        if what is None:
            return None
        if what == "rows":
            return HttpResponse(self.rows_html(request.GET))
        if what == "ids" and self.multiple:
            return JsonResponse({"ids": self.free_ids(request.GET)})
        return HttpResponseBadRequest()


def search_param_from(params) -> str:
    return str(params.get("q", "")).replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


class PickerWidget(forms.Widget):
    """The chosen ids in one hidden input, the chosen names, the search bar and the first page of
    matches (fetched again by static/js/picker.js as the user searches and pages)."""

    picker: Picker | None = None

    def __init__(self, *, multiple: bool, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple

    def value_from_datadict(self, data, files, name):
        raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        ids = [part.strip() for value in raw for part in str(value or "").split(",") if part.strip()]
        if self.multiple:
            return ids
        return ids[0] if ids else None

    def value_omitted_from_data(self, data, files, name):
        return False

    def chosen_ids(self, value) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value]
        ids = []
        for v in values:
            v = getattr(v, "pk", v)
            if isinstance(v, int) or (isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 10):
                ids.append(int(v))
        return list(dict.fromkeys(ids))

    def render(self, name, value, attrs=None, renderer=None):
        picker = self.picker
        ids = self.chosen_ids(value)
        shown = list(picker.workers.filter(pk__in=ids[:SHOWN_CHOSEN]).order_by("name", "pk")) if ids else []
        return render_to_string("includes/picker.html", {
            "name": name, "id": (attrs or {}).get("id", f"id_{name}"), "picker": picker, "ids": ids,
            "value": ",".join(str(i) for i in ids), "shown": shown, "more": max(0, len(ids) - len(shown)),
            "rows": picker.rows_html({}), "trades": picker.trades(), "multiple": self.multiple,
        })


SHOWN_CHOSEN = 30


class _PickerMixin:
    def use(self, picker: Picker):
        """Choose from the picker's workers, shown by the picker."""
        if picker.multiple != self.widget.multiple:
            raise ValueError("A picker of one person for a field of several, or the other way round.")
        self.queryset = picker.workers
        self.widget.picker = picker


class PeopleField(_PickerMixin, forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None)
        super().__init__(widget=PickerWidget(multiple=True), **kwargs)


class PersonField(_PickerMixin, forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("empty_label", None)
        super().__init__(widget=PickerWidget(multiple=False), **kwargs)

