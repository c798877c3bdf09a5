"""training/rows.py writes the catalogue's cards and the officer's class rows in Python: the HTML must be
what the templates it replaced rendered (kept below as the reference), for classes in every state, with
and without a level, a base, the union's mark, with markup in their names, in both languages, one by one
and as a page whose rows share trades, providers and statuses."""

import datetime
import itertools

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from training.models import Course, TrainingBase, TrainingClass
from training.rows import ClassCard, ClassRow, catalogue_cards, class_rows
from zhangwan.registry.models import Organization, Trade

# The templates' loops as they were (training/templates/training/catalogue.html and class_list.html).
CARD = """{% load i18n training_tags %}
  <div class="col-md-6 col-xl-4">
    <div class="card h-100">
      <div class="card-body">
        <div class="d-flex justify-content-between gap-2 mb-1">
          <span class="badge text-bg-light border">{{ cls.course.trade.name }}</span>
          {% if cls.takes_waiting_list %}<span class="badge text-bg-warning">{% translate "Full · waiting list open" %}</span>{% else %}<span class="badge {{ cls.status|status_badge }}">{{ cls.get_status_display }}</span>{% endif %}
        </div>
        <h2 class="h6 card-title mt-2"><a class="stretched-link text-decoration-none" href="{% url 'training:class_detail' cls.pk %}">{{ cls.title }}</a></h2>
        <p class="small text-muted mb-2">{% if cls.course.level is not None %}{{ cls.course.get_level_display }} · {% endif %}{{ cls.get_audience_display }}</p>
        <p class="small mb-0"><i class="bi bi-calendar3"></i> {{ cls.starts_on|date:"Y-m-d" }} – {{ cls.ends_on|date:"Y-m-d" }}<br>
          <i class="bi bi-geo-alt"></i> {{ cls.venue }}{% if cls.base_beside_venue %} · {{ cls.base_beside_venue }}{% endif %}</p>
      </div>
      <div class="card-footer small d-flex justify-content-between">
        <span>{% if cls.takes_waiting_list %}{% translate "Every seat is taken: join the waiting list" %}
          {% elif cls.is_open %}{% blocktranslate with left=cls.seats_left capacity=cls.capacity %}{{ left }} of {{ capacity }} seats left{% endblocktranslate %}
          {% else %}{% blocktranslate with capacity=cls.capacity %}{{ capacity }} seats{% endblocktranslate %}{% endif %}</span>
        <span class="text-muted">{{ cls.provider }}</span>
      </div>
    </div>
  </div>"""  # noqa: E501

ROW = """{% load i18n training_tags %}
  <tr>
    <td><a href="{% url 'training:class_manage' c.pk %}">{{ c.title }}</a>{% if c.union_class %} <span class="badge text-bg-danger">{% translate "Union" %}</span>{% endif %}</td>
    <td class="d-none d-md-table-cell small">{{ c.course.trade.name }}</td>
    <td class="d-none d-lg-table-cell small">{{ c.provider }}</td>
    <td class="text-nowrap small">{{ c.starts_on|date:"Y-m-d" }}</td>
    <td class="text-nowrap small">{{ c.confirmed_count }}/{{ c.capacity }}</td>
    <td><span class="badge {{ c.status|status_badge }}">{{ c.get_status_display }}</span></td>
  </tr>"""  # noqa: E501


def classes():
    """Unsaved classes (no database needed) in every combination that changes the HTML, of two trades and two
    providers (saved ones' keys: a page shares what rows of the same trade or provider show)."""
    trades = [Trade(pk=1, code="6-18-02-04", name_zh="焊工 <&>", name_en='Welder "W"'),
              Trade(pk=2, code="6-18-01-01", name_zh="车工", name_en="Turner")]
    providers = [Organization(pk=1, name="十堰 <i>&</i> 职校"), Organization(pk=2, name="东风 & 技校")]
    bases = [None, TrainingBase(name="张湾区职工服务中心"), TrainingBase(name="车城 <基地> & 中心")]
    states = [(TrainingClass.Status.OPEN, 3), (TrainingClass.Status.OPEN, 30), (TrainingClass.Status.CLOSED, 30),
              (TrainingClass.Status.RUNNING, 12), (TrainingClass.Status.FINISHED, 0),
              (TrainingClass.Status.CANCELLED, 0)]
    for n, ((status, confirmed), level, base, union) in enumerate(
            itertools.product(states, [None, 4], bases, [False, True]), start=1):
        course = Course(title="焊工", trade=trades[n % 2], level=level, hours=24)
        yield TrainingClass(
            pk=n, title=f"<script>alert({n})</script> 焊工 & \"班\" '{n}'", course=course,
            provider=providers[n % 3 // 2], base=base, venue="张湾区职工服务中心 <b>", capacity=30,
            confirmed_count=confirmed, status=status, union_class=union,
            audience=TrainingClass.Audience.values[n % len(TrainingClass.Audience.values)],
            starts_on=datetime.date(2026, 3, 9), ends_on=datetime.date(2026, 3, 11) if n % 2 else None)


def cards(classes):
    """catalogue_cards of the classes as the catalogue reads them: rows of values (ClassCard)."""
    return catalogue_cards([ClassCard(c.pk, c.title, c.starts_on, c.ends_on, c.venue, c.audience, c.confirmed_count,
                                      c.capacity, c.status, c.course.level, c.course.trade, c.base, c.provider_id,
                                      c.provider.name) for c in classes])


def officer_rows(classes):
    """class_rows of the classes as the officer's list reads them: rows of values (ClassRow)."""
    return class_rows([ClassRow(c.pk, c.title, c.union_class, c.course.trade, c.provider_id, c.provider.name,
                                c.starts_on, c.confirmed_count, c.capacity, c.status) for c in classes])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("reference", "name", "write"), [(CARD, "cls", cards), (ROW, "c", officer_rows)])
def test_the_rows_are_the_html_the_templates_rendered(language, reference, name, write):
    template = Template(reference)
    expected_page = []
    with translation.override(language):
        for cls in classes():
            expected = template.render(Context({name: cls}))
            written = write([cls])
            assert parse_html(written) == parse_html(expected), (cls.pk, written, expected)
            assert "<script>" not in written
            expected_page.append(expected)
        assert len(expected_page) == 72
        assert parse_html(write(list(classes()))) == parse_html("".join(expected_page))
