import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_the_500_page_is_friendly_in_chinese_and_in_english():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        assert "出错" in server_error(request).content.decode()
    with translation.override("en"):
        assert "Something went wrong" in server_error(request).content.decode()


def test_the_404_page_is_friendly_in_english(client, db):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_database_down_page_is_a_503_in_chinese_and_in_english():
    from django.db import OperationalError

    from zhangwan.views import server_error

    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        with translation.override("zh-hans"):
            response = server_error(request)
        with translation.override("en"):
            english = server_error(request).content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "稍后即可恢复" in response.content.decode()
    assert "Back in a moment" in english
    assert server_error(request).status_code == 500  # any other error: the 500 page


@pytest.mark.django_db
def test_a_timeout_is_not_taken_for_the_database_being_down():
    import psycopg2
    from django.db import OperationalError, connection, transaction

    from zhangwan.views import database_down

    with pytest.raises(OperationalError) as timeout, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    assert not database_down(timeout.value)  # 57014: the server is there, the query was too slow

    with pytest.raises(psycopg2.OperationalError) as refused:
        psycopg2.connect(host="127.0.0.1", port=1, connect_timeout=2)
    gone = OperationalError(str(refused.value))
    gone.__cause__ = refused.value
    assert database_down(gone)
