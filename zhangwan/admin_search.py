"""The admin's search over a related model's fields, without joining it into the list's query.

Django matches ``search_fields = ["worker__name"]`` by joining the worker into every query of the
changelist: the page, its count(*), and the date hierarchy's MIN/MAX and DISTINCT years each join
and scan the list's whole table with the related ones (the enrollments list searched for a name: four
scans of enrollment ⋈ worker ⋈ class, issue 21). Matched as ``worker IN (SELECT id FROM worker
WHERE name ILIKE …)`` instead, PostgreSQL reads the related table once per query into a hashed set
and filters the list's own table against it; the results are the same rows.
"""

from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal


class RelatedSearch:
    """For a ModelAdmin whose search_fields are plain field names or lookups through forward foreign
    keys (``worker__name``, ``training_class__title``): each word of the search matches any of the
    fields (case ignored), every word must match, as in Django's own search. A prefixed field
    (``^``, ``=``, ``@``) or a lookup through a reverse relation leaves the search to Django."""

    def get_search_results(self, request, queryset, search_term):
        terms = self._search_terms(queryset.model, self.get_search_fields(request))
        if not search_term or terms is None:
            return super().get_search_results(request, queryset, search_term)
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            match = Q()
            for relation, lookup in terms:
                if relation is None:
                    match |= Q(**{f"{lookup}__icontains": bit})
                else:
                    related = relation.related_model._meta.base_manager.filter(**{f"{lookup}__icontains": bit})
                    match |= Q(**{f"{relation.name}__in": related.values("pk")})
            queryset = queryset.filter(match)
        return queryset, False

    @staticmethod
    def _search_terms(model, search_fields):
        """[(forward foreign key or None, lookup on its model or on this one)], or None for Django's way."""
        terms = []
        for field_name in search_fields:
            if field_name[:1] in "^=@":
                return None
            first, _, rest = field_name.partition("__")
            if not rest:
                terms.append((None, field_name))
                continue
            relation = model._meta.get_field(first)
            if not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
                return None
            terms.append((relation, rest))
        return terms
