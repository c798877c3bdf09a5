import threading

import pytest

from .browser import Origin, OriginServer


@pytest.fixture(scope="module")
def origin():
    """The address of a small server of the static files and of the pages handed to the browser (browser.Pages)."""
    server = OriginServer(("127.0.0.1", 0), Origin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
