import pytest

from .browser import Origin, OriginServer
from .processes import serving


@pytest.fixture(scope="module")
def origin():
    """The address of a small server of the static files and of the pages handed to the browser (browser.Pages)."""
    with serving(OriginServer(("127.0.0.1", 0), Origin)) as server:
        yield f"http://127.0.0.1:{server.server_port}"
