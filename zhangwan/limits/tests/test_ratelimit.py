"""The one rate-limit mechanism (zhangwan/ratelimit.py) and the one client address (zhangwan/net.py)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from zhangwan import ratelimit
from zhangwan.limits.models import RateCounter
from zhangwan.limits.tasks import purge_rate_counters
from zhangwan.net import client_ip

MINUTE = timedelta(minutes=1)
PROXY = "10.0.0.254"


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_address_is_the_socket_and_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"
    assert client_ip(request_from(PROXY, "192.168.3.20")) == "192.168.3.20"  # a factory's own network


def test_behind_one_proxy_entries_the_client_wrote_are_not_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 1.2.3.4, junk"; the proxy appended the address it saw.
    assert client_ip(request_from(PROXY, "1.2.3.4, junk, 198.51.100.1")) == "198.51.100.1"


def test_behind_two_proxies_the_address_is_the_one_the_outer_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(PROXY, "1.2.3.4, 198.51.100.1, 10.0.0.9")) == "198.51.100.1"


def test_behind_a_proxy_a_request_without_the_header_is_the_socket(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("203.0.113.7")) == "203.0.113.7"


def test_the_limit_lets_through_exactly_its_number_then_refuses(db):
    answers = [ratelimit.hit("test", "a", limit=3, window=MINUTE) for _ in range(5)]
    assert answers == [True, True, True, False, False]


def test_each_key_and_each_scope_counts_on_its_own(db):
    for _ in range(3):
        ratelimit.hit("test", "a", limit=3, window=MINUTE)
    assert ratelimit.hit("test", "b", limit=3, window=MINUTE)
    assert ratelimit.hit("other", "a", limit=3, window=MINUTE)
    assert not ratelimit.hit("test", "a", limit=3, window=MINUTE)


def test_exceeded_looks_without_counting(db):
    limit = ratelimit.Limit("test", 2, MINUTE)
    assert not limit.exceeded("a")
    assert not limit.exceeded("a")
    limit.hit("a")
    assert not limit.exceeded("a")
    limit.hit("a")
    assert limit.exceeded("a")


def test_clear_forgets_the_key(db):
    limit = ratelimit.Limit("test", 1, MINUTE)
    limit.hit("a")
    limit.hit("b")
    limit.clear("a")
    assert limit.hit("a")
    assert not limit.hit("b")


def test_a_new_window_starts_from_zero(db, monkeypatch):
    limit = ratelimit.Limit("test", 1, MINUTE)
    now = timezone.now()
    limit.hit("a")
    assert limit.exceeded("a")
    monkeypatch.setattr(timezone, "now", lambda: now + MINUTE)
    assert not limit.exceeded("a")
    assert limit.hit("a")


def test_the_table_holds_no_address(db):
    ratelimit.hit("test", "198.51.100.1", limit=3, window=MINUTE)
    counter = RateCounter.objects.get()
    assert "198.51.100.1" not in counter.key
    assert counter.count == 1


def test_purge_deletes_finished_windows_only_and_can_run_twice(db, monkeypatch):
    ratelimit.hit("minute", "a", limit=3, window=MINUTE)
    ratelimit.hit("day", "a", limit=3, window=timedelta(days=1))
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=2))
    assert purge_rate_counters() == 1
    assert purge_rate_counters() == 0
    assert list(RateCounter.objects.values_list("scope", flat=True)) == ["day"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_over_the_limit_let_exactly_the_limit_through():
    limit, callers = 5, 12
    barrier, answers = threading.Barrier(callers), []

    def call():
        barrier.wait()
        try:
            answers.append(ratelimit.hit("race", "a", limit=limit, window=timedelta(hours=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * (callers - limit) + [True] * limit
    assert RateCounter.objects.get(scope="race").count == callers


def test_the_decorator_answers_429_in_the_readers_language_and_does_not_run_the_view(db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    runs = []

    @ratelimit.rate_limited(ratelimit.Limit("test", 2, MINUTE))
    def view(request):
        runs.append(request)
        return HttpResponse("done")

    answers = [view(request_from("203.0.113.7")) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert len(runs) == 2
    assert "请求过于频繁" in answers[2].content.decode()
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert view(request_from("203.0.113.8")).status_code == 200  # another visitor


def test_the_decorator_counts_only_the_methods_it_is_given(db):
    @ratelimit.rate_limited(ratelimit.Limit("test", 1, MINUTE))
    def view(request):
        return HttpResponse("done")

    for _ in range(3):
        assert view(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")).status_code == 200
    assert not RateCounter.objects.exists()
