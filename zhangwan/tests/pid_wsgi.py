"""The project's WSGI application, with the serving process's id in an X-Worker-Pid header: lets a
test see which gunicorn worker answered each request. Used only by tests."""

import os

from zhangwan.wsgi import application as django_application


def application(environ, start_response):
    def with_pid(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Worker-Pid", str(os.getpid()))], exc_info)

    return django_application(environ, with_pid)
