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
