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
