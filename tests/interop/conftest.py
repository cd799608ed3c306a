import json
from pathlib import Path

import pytest
import xmlschema

from .recordings import RECORDINGS, require_recordings

# The real XSDs import each other by URL: this prefix, then xsd0 to xsd11.
XSD_URL_PREFIX = "https://wsvc.cdiscount.com/MarketplaceAPIService.svc?xsd="


@pytest.fixture(scope="session")
def recordings() -> Path:
    return require_recordings(RECORDINGS)


@pytest.fixture(scope="session")
def recorded_index(recordings) -> dict[str, dict]:
    """``fixtures_index.json`` by file name: recorded request and status."""
    entries = json.loads((recordings / "fixtures_index.json").read_text("utf-8"))
    return {entry["file"]: entry for entry in entries}


@pytest.fixture(scope="session")
def real_schema(recordings) -> xmlschema.XMLSchema10:
    """Cdiscount's ``xsd0`` (http://www.cdiscount.com) and what it imports.

    Imports resolve to the local copies; remote access is refused, so a
    missing mapping fails instead of reaching the network.
    """
    wsdl = recordings / "wsdl"

    def local_copy(uri: str) -> str:
        if uri.startswith(XSD_URL_PREFIX):
            name = uri.removeprefix(XSD_URL_PREFIX)
            return (wsdl / f"MarketplaceAPIService.xsd_{name}.xsd").as_uri()
        return uri

    return xmlschema.XMLSchema10(
        wsdl / "MarketplaceAPIService.xsd_xsd0.xsd",
        uri_mapper=local_copy,
        allow="local",
    )
