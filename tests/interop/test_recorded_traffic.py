"""Our Cdiscount client against traffic recorded from the real service in 2019.

The recordings (``../shared/fixtures/cdiscount``, see its PROVENANCE.md) are
read in place. These tests check what the simulator cannot: that what we
send matches Cdiscount's own XSDs, and that what Cdiscount really answered
reads as the outcome we intend.
"""

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import vcr
from lxml import etree
from zeep.xsd.context import XmlParserContext

from stores.cdiscount import seller_service
from stores.cdiscount.endpoints import legacy_endpoints
from stores.cdiscount.errors import (
    AccountNotUsable,
    CdiscountError,
    TokenRejected,
    UnexpectedAnswer,
)
from stores.cdiscount.seller_service import (
    NotUsable,
    SellerInformation,
    check_operation_success,
    get_seller_information,
)
from stores.cdiscount.token_service import request_token
from stores.environments import Environment
from stores.services import legacy_check
from stores.services.legacy_check import verify_legacy_account

from .recordings import require_recordings

pytestmark = pytest.mark.interop

PRODUCTION = legacy_endpoints(Environment.PRODUCTION)
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CDISCOUNT_NS = "http://www.cdiscount.com"
MESSAGES_NS = "http://schemas.datacontract.org/2004/07/Cdiscount.Framework.Core.Communication.Messages"
OPERATION = "GetSellerInformation"

API_LOGIN = "any-seller-api"
API_PASSWORD = "Any-password-1"
RECORDED_TOKEN = "deadbeefdeadbeefdeadbeef00000001"
TOKEN_BODY = "sts/token_response_200.xml"
RECORDED_REQUEST = "soap/GetSellerInformation_request_zeep331.xml"
RECORDED_SUCCESS = "soap/GetSellerInformation_response_200_recorded.xml"

SESSION_A = "cassettes/get_seller_information_prod_2019.yaml"
SESSION_B = "cassettes/invalid_token_fault_then_refresh_prod_2019.yaml"
# Session B: what the recording sent in place of the first token it got.
SESSION_B_INVALID_TOKEN = "invalid_token"
SESSION_B_TOKENS = [
    "deadbeefdeadbeefdeadbeef00000005",
    "deadbeefdeadbeefdeadbeef00000007",
]
# vcrpy's defaults less the port, plus what makes a SOAP call this call.
MATCH_ON = ("method", "scheme", "host", "path", "query", "soap_call")

# The placeholders the original authors put in at record time.
RECORDED_SELLER = SellerInformation(
    seller_login="SELLERLOGIN",
    shop_name="SHOPNAME",
    state="Activated",
    availability="ActiveSeller",
)
NOT_AUTHORIZED_FAULT = (
    "User is not authorized to access to this resource (Token used: "
    "'deadbeef-dead-beef-dead-beef00000012', Resource: (Service: "
    "'marketplaceapiservice.svc' / Action: "
    "'http://www.cdiscount.com/IMarketplaceAPIService/"
    "GetFulfilmentActivationReportList'))."
)
OPERATION_SUCCEEDED = "operation succeeded"


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A ``CdiscountError`` as the outcome tables compare it."""

    error: type[CdiscountError]
    reason: str = ""
    cdiscount_message: str = ""

    @classmethod
    def of(cls, error: CdiscountError) -> "Refusal":
        return cls(
            type(error),
            getattr(error, "reason", ""),
            getattr(error, "cdiscount_message", ""),
        )


# Every recorded answer in soap/ and what our client must make of it.
SOAP_OUTCOMES = {
    RECORDED_SUCCESS: RECORDED_SELLER,
    "soap/GetSellerInformation_response_200_fake_filled.xml": SellerInformation(
        seller_login="fake-seller-api",
        shop_name="Boutique Exemple",
        state="Activated",
        availability="ActiveSeller",
    ),
    "soap/GetSellerIndicators_response_200.xml": OPERATION_SUCCEEDED,
    "soap/GetProductStockList_response_200_operation_false_vendeur_desactive.xml": (
        Refusal(AccountNotUsable, NotUsable.REFUSED, "Vendeur désactivé")
    ),
    "soap/fault_token_does_not_exist_500.xml": Refusal(TokenRejected),
    "soap/fault_token_not_correctly_formatted_500.xml": Refusal(TokenRejected),
    "soap/fault_user_not_authorized_500.xml": Refusal(
        AccountNotUsable, NotUsable.NOT_AUTHORIZED, NOT_AUTHORIZED_FAULT
    ),
    "soap/fault_deserialization_failed_500.xml": Refusal(UnexpectedAnswer),
}
SOAP_REQUESTS = {RECORDED_REQUEST}


class CannedAdapter(requests.adapters.BaseAdapter):
    """Answer every request with one canned response and keep what was sent."""

    def __init__(self, answer: Callable[[], requests.Response]):
        super().__init__()
        self.answer = answer
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = self.answer()
        response.request, response.url = request, request.url
        return response

    def close(self):
        pass


def http_response(status: int, content_type: str, content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = content_type
    response._content = content
    return response


def recorded_response(recordings: Path, index: dict, name: str) -> requests.Response:
    """``name``'s body, with the status and content type it was served with."""
    recorded = index[name]["response"]
    return http_response(
        recorded["status"]["code"],
        recorded["headers"]["Content-Type"][0],
        (recordings / name).read_bytes(),
    )


def body_child(envelope: etree._Element) -> etree._Element:
    return envelope.find(f"{{{SOAP_ENV}}}Body")[0]


def security_child(message: etree._Element, name: str) -> etree._Element:
    return message.find(f".//{{{MESSAGES_NS}}}Security/{{{MESSAGES_NS}}}{name}")


def token_id(body: bytes | str | None) -> str | None:
    if not body:
        return None
    element = etree.fromstring(body.encode() if isinstance(body, str) else body)
    return element.findtext(f".//{{{MESSAGES_NS}}}TokenId")


def unquoted(soap_action: str | None) -> str:
    return (soap_action or "").strip('"')


def envelope_built_by_zeep(token: str) -> etree._Element:
    service = seller_service._service(PRODUCTION.soap_url)
    return service._client.create_message(
        service, OPERATION, headerMessage=seller_service.build_header(token)
    )


# --- 1. What we send validates against Cdiscount's own XSDs ------------------


def test_recorded_zeep_request_validates_against_the_real_xsds(recordings, real_schema):
    # The real server accepted this request: proves the validator's setup.
    envelope = etree.fromstring((recordings / RECORDED_REQUEST).read_bytes())

    real_schema.validate(body_child(envelope))


def test_envelope_zeep_builds_from_our_contract_validates_against_the_real_xsds(
    real_schema,
):
    message = body_child(envelope_built_by_zeep(RECORDED_TOKEN))

    real_schema.validate(message)
    assert security_child(message, "TokenId").text == RECORDED_TOKEN


def remove_token_id(message: etree._Element) -> None:
    token = security_child(message, "TokenId")
    token.getparent().remove(token)


def move_token_id_after_user_name(message: etree._Element) -> None:
    token = security_child(message, "TokenId")
    token.getparent().append(token)


@pytest.mark.parametrize("break_it", [remove_token_id, move_token_id_after_user_name])
def test_envelope_with_a_broken_security_block_fails_the_real_xsds(
    real_schema, break_it
):
    message = body_child(envelope_built_by_zeep(RECORDED_TOKEN))
    break_it(message)

    reasons = [error.reason for error in real_schema.iter_errors(message)]

    assert reasons, "the real XSDs accepted a broken Security block"
    assert any("TokenId" in reason for reason in reasons), reasons


def soap_service_answering(answer: Callable[[], requests.Response]) -> CannedAdapter:
    """Make our production SOAP service's transport answer ``answer()``."""
    adapter = CannedAdapter(answer)
    transport = seller_service._service(PRODUCTION.soap_url)._client.transport
    transport.session.mount(PRODUCTION.soap_url, adapter)
    return adapter


@pytest.fixture
def posted_call(recordings, recorded_index):
    """Call GetSellerInformation on production; a recorded success answers."""
    adapter = soap_service_answering(
        lambda: recorded_response(recordings, recorded_index, RECORDED_SUCCESS)
    )
    seller = get_seller_information(PRODUCTION.soap_url, RECORDED_TOKEN)
    return adapter.sent, seller


def test_bytes_our_client_posts_validate_against_the_real_xsds(
    posted_call, real_schema
):
    sent, seller = posted_call

    [request] = sent
    message = body_child(etree.fromstring(request.body))
    real_schema.validate(message)
    assert security_child(message, "TokenId").text == RECORDED_TOKEN
    assert seller == RECORDED_SELLER


def test_our_client_posts_to_the_recorded_url_with_the_recorded_soap_headers(
    posted_call, recorded_index
):
    [request], _ = posted_call
    recorded = recorded_index[RECORDED_SUCCESS]["request"]
    recorded_headers = recorded_index[RECORDED_REQUEST]["request_headers"]

    assert (request.method, request.url) == (recorded["method"], recorded["uri"])
    assert unquoted(request.headers["SOAPAction"]) == unquoted(recorded["SOAPAction"])
    assert request.headers["Content-Type"] == recorded_headers["Content-Type"][0]


# --- 2. The token service's recorded answer ----------------------------------


def issue_token(answer: Callable[[], requests.Response]):
    """Run ``request_token`` on production against a canned answer."""
    adapter = CannedAdapter(answer)
    session = requests.Session()
    session.mount(PRODUCTION.token_url, adapter)
    token = request_token(
        PRODUCTION.token_url, API_LOGIN, API_PASSWORD, session=session
    )
    return token, adapter.sent


def test_recorded_token_body_served_as_text_plain_gives_its_token(
    recordings, recorded_index, settings
):
    answer = recorded_response(recordings, recorded_index, TOKEN_BODY)
    assert answer.headers["Content-Type"] == "text/plain"

    token, [request] = issue_token(lambda: answer)

    assert token.value == RECORDED_TOKEN
    assert token.expires_at - token.issued_at == settings.CDISCOUNT_TOKEN_LIFETIME
    recorded = recorded_index[TOKEN_BODY]["request"]
    assert (request.method, request.url) == (recorded["method"], recorded["uri"])
    assert request.headers["Authorization"].startswith("Basic ")


def wrapped_in_html_page(body: bytes) -> bytes:
    return (
        b"<html><head><title>Cdiscount STS</title></head><body>%s</body></html>" % body
    )


def with_31_hex_characters(body: bytes) -> bytes:
    return body.replace(RECORDED_TOKEN.encode(), RECORDED_TOKEN[:-1].encode())


@pytest.mark.parametrize("spoil", [wrapped_in_html_page, with_31_hex_characters])
def test_token_body_not_exactly_as_recorded_is_an_unexpected_answer(recordings, spoil):
    body = spoil((recordings / TOKEN_BODY).read_bytes())

    with pytest.raises(UnexpectedAnswer):
        issue_token(lambda: http_response(200, "text/plain", body))


# --- 3. Every recorded SOAP answer maps to its outcome -----------------------


def read_with_our_client(recordings: Path, index: dict, name: str):
    """Read a recorded answer the way our client would.

    Faults and GetSellerInformation answers go through the whole of
    ``get_seller_information``. Answers to other operations are read as our
    base message, which every answer of the service extends.
    """
    response = recorded_response(recordings, index, name)
    operation = unquoted(index[name]["request"]["SOAPAction"]).rsplit("/")[-1]
    if response.status_code != 200 or operation == OPERATION:
        soap_service_answering(lambda: response)
        return get_seller_information(PRODUCTION.soap_url, RECORDED_TOKEN)
    client = seller_service._service(PRODUCTION.soap_url)._client
    base_message = client.get_type(f"{{{CDISCOUNT_NS}}}ServiceBaseAPIMessage")
    result = base_message.parse_xmlelement(
        body_child(etree.fromstring(response.content))[0],
        schema=client.wsdl.types,
        context=XmlParserContext(settings=client.settings),
    )
    check_operation_success(result)
    return OPERATION_SUCCEEDED


@pytest.mark.parametrize("name", sorted(SOAP_OUTCOMES))
def test_recorded_soap_answer_reads_as_its_expected_outcome(
    recordings, recorded_index, name
):
    try:
        outcome = read_with_our_client(recordings, recorded_index, name)
    except CdiscountError as error:
        outcome = Refusal.of(error)

    assert outcome == SOAP_OUTCOMES[name]


def test_every_recorded_soap_file_has_an_expected_outcome(recordings):
    recorded = {f"soap/{path.name}" for path in (recordings / "soap").iterdir()}

    assert recorded == set(SOAP_OUTCOMES) | SOAP_REQUESTS


# --- 4. Whole recorded sessions replay through our client --------------------


def same_soap_call(live, recorded) -> None:
    """vcrpy matcher: same SOAPAction (modulo quoting) and same TokenId."""
    live_action = unquoted(live.headers.get("SOAPAction"))
    assert live_action == unquoted(recorded.headers.get("SOAPAction"))
    assert token_id(live.body) == token_id(recorded.body)


def replay(recordings: Path, cassette: str):
    player = vcr.VCR(record_mode="none", match_on=MATCH_ON)
    player.register_matcher("soap_call", same_soap_call)
    return player.use_cassette(str(recordings / cassette), allow_playback_repeats=False)


def played(cassette) -> list[tuple[str, str]]:
    """Method and URI of the played interactions, in recorded order."""
    return [
        (request.method, request.uri)
        for position, request in enumerate(cassette.requests)
        if cassette.play_counts[position]
    ]


TOKEN_CALL = ("GET", PRODUCTION.token_url)
SOAP_CALL = ("POST", PRODUCTION.soap_url)


def test_recorded_production_session_verifies_the_account(recordings):
    with replay(recordings, SESSION_A) as cassette:
        account = verify_legacy_account(Environment.PRODUCTION, API_LOGIN, API_PASSWORD)

    assert account.seller == RECORDED_SELLER
    assert account.token.value == RECORDED_TOKEN
    # One token, one call: no WSDL download; the second recorded call unused.
    assert played(cassette) == [TOKEN_CALL, SOAP_CALL]
    assert cassette.play_count == 2


@pytest.fixture
def first_token_invalid(monkeypatch):
    """Send ``invalid_token`` in place of the first token, as when recorded."""
    issued = []

    def request_token_first_one_invalid(*args, **kwargs):
        token = request_token(*args, **kwargs)
        issued.append(token.value)
        if len(issued) == 1:
            return dataclasses.replace(token, value=SESSION_B_INVALID_TOKEN)
        return token

    monkeypatch.setattr(legacy_check, "request_token", request_token_first_one_invalid)
    return issued


def test_recorded_token_fault_is_renewed_once_and_retried_once(
    recordings, first_token_invalid
):
    with replay(recordings, SESSION_B) as cassette:
        account = verify_legacy_account(Environment.PRODUCTION, API_LOGIN, API_PASSWORD)

    assert first_token_invalid == SESSION_B_TOKENS
    assert account.token.value == SESSION_B_TOKENS[1]
    assert account.seller == RECORDED_SELLER
    assert played(cassette) == [TOKEN_CALL, SOAP_CALL, TOKEN_CALL, SOAP_CALL]
    assert played(cassette).count(TOKEN_CALL) == 2


# --- The guard on the shared folder ------------------------------------------


def test_missing_recordings_skip_the_interop_tests_outside_ci(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="recorded Cdiscount traffic"):
        require_recordings(tmp_path / "missing", environ={})


def test_missing_recordings_fail_the_interop_tests_on_ci(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_recordings(tmp_path / "missing", environ={"CI": "true"})
