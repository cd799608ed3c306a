"""Behaviour of the Cdiscount and Octopia simulator, seen over HTTP."""

import base64
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import pytest
import requests

from simulator.control import handle_control
from simulator.exchange import Request
from simulator.server import start_in_thread
from simulator.state import SimulatorState

TIMEOUT = 5
SHORT_READ_TIMEOUT = 0.7
DEMO_PASSWORD = "Demo-2024!"
TOKEN_PATH = "/users/httpIssue.svc/"
SOAP_PATH = "/MarketplaceAPIService.svc"
OCTOPIA_TOKEN_PATH = "/auth/realms/maas/protocol/openid-connect/token"
OCTOPIA_SELLERS_PATH = "/seller/v2/sellers"

TOKEN_BODY = re.compile(
    rb'<string xmlns="http://schemas.microsoft.com/2003/10/Serialization/">'
    rb"([0-9a-f]{32})</string>"
)
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CDISCOUNT_NS = "http://www.cdiscount.com"
MESSAGES_NS = (
    "http://schemas.datacontract.org/2004/07/"
    "Cdiscount.Framework.Core.Communication.Messages"
)
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
DISPATCHER_NS = (
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher"
)
RECORDED_SOAP = (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "cdiscount" / "soap"
)
FORMAT_FAULT = "Token id is not correctly formatted."
RENEW_FAULT = "Your token does not exist, please renew your token id."
RESULT_CHILDREN = [
    f"{{{MESSAGES_NS}}}ErrorMessage",
    f"{{{MESSAGES_NS}}}OperationSuccess",
    f"{{{CDISCOUNT_NS}}}ErrorList",
    f"{{{CDISCOUNT_NS}}}SellerLogin",
    f"{{{CDISCOUNT_NS}}}TokenId",
    f"{{{CDISCOUNT_NS}}}DeliveryModes",
    f"{{{CDISCOUNT_NS}}}OfferPoolList",
    f"{{{CDISCOUNT_NS}}}Seller",
]
SELLER_CHILDREN = [
    f"{{{CDISCOUNT_NS}}}{name}"
    for name in (
        "Email",
        "IsAvailable",
        "Login",
        "MobileNumber",
        "PhoneNumber",
        "SellerAddress",
        "ShopName",
        "ShopUrl",
        "SiretNumber",
        "State",
    )
]


@pytest.fixture(scope="module")
def simulator():
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def demo_state(simulator):
    control(simulator, "POST", "reset")


@pytest.fixture
def url(simulator):
    return simulator.url


# Helpers.


def control(simulator, method, path, payload=None, expected_status=200):
    response = requests.request(
        method, f"{simulator.url}/_simulator/{path}", json=payload, timeout=TIMEOUT
    )
    assert response.status_code == expected_status, response.text
    return response.json()


def basic_header(login, password):
    # requests encodes str credentials as latin-1; the service wants UTF-8.
    encoded = base64.b64encode(f"{login}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {encoded}"}


def request_token(url, login, password, timeout=TIMEOUT):
    return requests.get(
        f"{url}{TOKEN_PATH}",
        params={"realm": "https://wsvc.cdiscount.com/MarketplaceAPIService.svc"},
        headers=basic_header(login, password),
        timeout=timeout,
    )


def token_of(response):
    assert response.status_code == 200, response.text
    match = TOKEN_BODY.fullmatch(response.content)
    assert match, response.content
    return match.group(1).decode("ascii")


def new_token(url, login="demo-shop-api", password=DEMO_PASSWORD):
    return token_of(request_token(url, login, password))


def soap_body(token_id, operation="GetSellerInformation"):
    return (
        "<?xml version='1.0' encoding='utf-8'?>"
        f'<soap-env:Envelope xmlns:soap-env="{SOAP_NS}">'
        '<soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing">'
        f"<wsa:Action>http://www.cdiscount.com/IMarketplaceAPIService/{operation}"
        "</wsa:Action></soap-env:Header><soap-env:Body>"
        f'<ns0:{operation} xmlns:ns0="{CDISCOUNT_NS}"><ns0:headerMessage>'
        f'<ns1:Context xmlns:ns1="{MESSAGES_NS}"><ns1:CatalogID>1</ns1:CatalogID>'
        "<ns1:SiteID>100</ns1:SiteID></ns1:Context>"
        f'<ns2:Security xmlns:ns2="{MESSAGES_NS}">'
        f"<ns2:TokenId>{escape(token_id)}</ns2:TokenId><ns2:UserName/></ns2:Security>"
        f'<ns3:Version xmlns:ns3="{MESSAGES_NS}">1.0</ns3:Version>'
        f"</ns0:headerMessage></ns0:{operation}></soap-env:Body></soap-env:Envelope>"
    ).encode()


def call_soap(url, body, timeout=TIMEOUT):
    return requests.post(
        f"{url}{SOAP_PATH}",
        data=body,
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '"http://www.cdiscount.com/IMarketplaceAPIService/'
            'GetSellerInformation"',
        },
        timeout=timeout,
    )


def seller_information(url, token):
    return call_soap(url, soap_body(token))


def parse_xml(content):
    return ElementTree.fromstring(content)  # noqa: S314 - our own simulator's answer


def seller_result(response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    envelope = parse_xml(response.content)
    return envelope.find(
        f"{{{SOAP_NS}}}Body/{{{CDISCOUNT_NS}}}GetSellerInformationResponse"
        f"/{{{CDISCOUNT_NS}}}GetSellerInformationResult"
    )


def fault_of(response):
    assert response.status_code == 500, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    envelope = parse_xml(response.content)
    fault = envelope.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring")


def cd(path):
    return "/".join(f"{{{CDISCOUNT_NS}}}{step}" for step in path.split("/"))


def stats(simulator):
    return control(simulator, "GET", "stats")


def wait_for_token_requests_in_flight(simulator, count):
    deadline = time.monotonic() + TIMEOUT
    while stats(simulator)["concurrent_token_requests_now"] < count:
        assert time.monotonic() < deadline, "the request never reached the server"
        time.sleep(0.02)


def octopia_token_response(url, client_id, client_secret, **form):
    fields = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }
    fields.update(form)
    return requests.post(f"{url}{OCTOPIA_TOKEN_PATH}", data=fields, timeout=TIMEOUT)


def octopia_token(url, client_id="demo-client", client_secret="demo-secret"):
    response = octopia_token_response(url, client_id, client_secret)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def octopia_seller(url, access_token, seller_id):
    headers = {"Authorization": f"Bearer {access_token}"}
    if seller_id is not None:
        headers["SellerId"] = seller_id
    return requests.get(
        f"{url}{OCTOPIA_SELLERS_PATH}", headers=headers, timeout=TIMEOUT
    )


# Legacy token service.


def test_token_answer_is_a_bare_datacontract_string_in_text_plain(url):
    response = request_token(url, "demo-shop-api", DEMO_PASSWORD)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert TOKEN_BODY.fullmatch(response.content)
    assert len(response.content) == 109


@pytest.mark.parametrize(
    "path", ["/users/httpIssue.svc/", "/users/httpIssue.svc", "/users/httpissue.svc/"]
)
def test_token_path_works_with_or_without_trailing_slash_and_realm(url, path):
    headers = basic_header("demo-shop-api", DEMO_PASSWORD)

    with_realm = requests.get(
        f"{url}{path}?realm=https://wsvc.cdiscount.com/MarketplaceAPIService.svc",
        headers=headers,
        timeout=TIMEOUT,
    )
    without_realm = requests.get(f"{url}{path}", headers=headers, timeout=TIMEOUT)

    token_of(with_realm)
    token_of(without_realm)


def test_every_token_request_issues_a_new_token_and_earlier_ones_stay_valid(url):
    first = new_token(url)
    second = new_token(url)

    assert first != second
    for token in (first, second):
        assert seller_result(seller_information(url, token)) is not None


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("euro-api", "Mot-de-passe-€uro-2024"),
        ("chinese-api", "密码Ab1!中文"),
        ("店铺-api", "Store-2024!"),
        ("url-chars-api", "a:b@c/d?e#f&g=1"),
        ("spaces-api", "  leading and trailing spaces  "),
        ("cedilla-api", "Garçon,;=|2024"),
    ],
)
def test_utf8_basic_credentials_are_accepted(simulator, url, login, password):
    control(
        simulator,
        "POST",
        "accounts",
        {"login": login, "password": password},
        expected_status=201,
    )

    token_of(request_token(url, login, password))
    assert request_token(url, login, password.strip() + "x").status_code == 401


def test_password_sent_as_latin1_is_rejected(simulator, url):
    control(
        simulator,
        "POST",
        "accounts",
        {"login": "latin-api", "password": "Garçon1"},
        201,
    )
    encoded = base64.b64encode("latin-api:Garçon1".encode("latin-1")).decode()

    response = requests.get(
        f"{url}{TOKEN_PATH}",
        headers={"Authorization": f"Basic {encoded}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer 0123",
        "Basic not base64!",
        "Basic " + base64.b64encode(b"no-colon-here").decode(),
        "Basic " + base64.b64encode(b":password-without-login").decode(),
        "Basic " + base64.b64encode(b"bad-\xff-utf8:pw").decode(),
    ],
)
def test_unusable_basic_header_is_rejected(url, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = requests.get(f"{url}{TOKEN_PATH}", headers=headers, timeout=TIMEOUT)

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("demo-shop-api", "wrong-password"),
        ("demo-shop-api", DEMO_PASSWORD + " "),
        ("nobody-api", DEMO_PASSWORD),
        ("second-shop-api", DEMO_PASSWORD),
    ],
)
def test_wrong_password_or_unknown_login_is_rejected(url, login, password):
    assert request_token(url, login, password).status_code == 401


def test_second_demo_account_has_its_own_password(url):
    token_of(request_token(url, "second-shop-api", "Second-2024!"))


def test_rejecting_account_gets_401_even_with_the_right_password(url):
    assert request_token(url, "rejected-api", DEMO_PASSWORD).status_code == 401


def test_html_account_gets_a_bot_protection_page_with_status_200(url):
    response = request_token(url, "html-api", DEMO_PASSWORD)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>Cdiscount STS</title>" in response.text
    assert not TOKEN_BODY.search(response.content)


def test_unavailable_account_gets_503(url):
    assert request_token(url, "unavailable-api", DEMO_PASSWORD).status_code == 503


def test_hanging_token_request_does_not_block_other_requests(simulator, url):
    with ThreadPoolExecutor(max_workers=1) as pool:
        hanging = pool.submit(
            request_token, url, "hang-api", DEMO_PASSWORD, (TIMEOUT, SHORT_READ_TIMEOUT)
        )
        wait_for_token_requests_in_flight(simulator, 1)

        started = time.monotonic()
        token_of(request_token(url, "demo-shop-api", DEMO_PASSWORD))
        assert time.monotonic() - started < SHORT_READ_TIMEOUT

        with pytest.raises(requests.ReadTimeout):
            hanging.result()


def test_account_latency_delays_the_token(simulator, url):
    control(simulator, "PATCH", "accounts/demo-shop-api", {"token_latency_ms": 300})

    started = time.monotonic()
    token_of(request_token(url, "demo-shop-api", DEMO_PASSWORD))

    assert time.monotonic() - started >= 0.3


def test_more_than_a_hundred_token_requests_are_served_concurrently(simulator, url):
    control(simulator, "PATCH", "accounts/demo-shop-api", {"token_latency_ms": 1000})
    request_count = 120

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=request_count) as pool:
        responses = list(
            pool.map(
                lambda _: request_token(url, "demo-shop-api", DEMO_PASSWORD),
                range(request_count),
            )
        )
    elapsed = time.monotonic() - started

    assert len({token_of(response) for response in responses}) == request_count
    assert elapsed < 10, "requests were served one after the other"
    counts = stats(simulator)
    assert counts["token_requests"]["demo-shop-api"] == request_count
    assert counts["concurrent_token_requests_max"] >= 100


# SOAP service.


def test_seller_information_answers_the_seller_message_in_wsdl_order(url):
    token = new_token(url)

    response = seller_information(url, token)

    result = seller_result(response)
    assert [child.tag for child in result] == RESULT_CHILDREN
    seller = result.find(cd("Seller"))
    assert [child.tag for child in seller] == SELLER_CHILDREN
    assert result.findtext(f"{{{MESSAGES_NS}}}OperationSuccess") == "true"
    assert result.findtext(cd("SellerLogin")) == "demo-shop-api"
    assert result.findtext(cd("TokenId")) == token
    assert seller.findtext(cd("Login")) == "demo-shop"
    assert seller.findtext(cd("ShopName")) == "Boutique Démo"
    assert seller.findtext(cd("IsAvailable")) == "ActiveSeller"
    assert seller.findtext(cd("State")) == "Activated"
    assert seller.findtext(cd("Email")).endswith("@example.invalid")
    assert seller.find(cd("ShopUrl")).get(XSI_NIL) == "true"
    assert "<?xml" not in response.text


@pytest.mark.parametrize(
    "token_id",
    ["invalid_token", "", "0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF"],
)
def test_malformed_token_gets_the_format_fault(url, token_id):
    code, text = fault_of(call_soap(url, soap_body(token_id)))

    assert code == "s:RequestTokenValidationError"
    assert text == FORMAT_FAULT


def test_never_issued_token_gets_the_renew_fault(url):
    code, text = fault_of(seller_information(url, "0" * 32))

    assert code == "s:RequestTokenValidationError"
    assert text == RENEW_FAULT


def test_expired_tokens_get_the_renew_fault_until_a_new_one_is_issued(simulator, url):
    old_token = new_token(url)

    expired = control(simulator, "POST", "tokens/expire", {"login": "demo-shop-api"})

    assert expired["expired_tokens"] == 1
    assert fault_of(seller_information(url, old_token))[1] == RENEW_FAULT
    assert seller_result(seller_information(url, new_token(url))) is not None


def test_token_stops_working_when_its_lifetime_ends(simulator, url):
    control(
        simulator,
        "POST",
        "accounts",
        {
            "login": "brief-api",
            "password": "Brief-2024!",
            "token_lifetime_seconds": 0.2,
        },
        expected_status=201,
    )
    token = new_token(url, "brief-api", "Brief-2024!")
    assert seller_result(seller_information(url, token)) is not None

    time.sleep(0.3)

    assert fault_of(seller_information(url, token))[1] == RENEW_FAULT


@pytest.mark.parametrize(
    "body",
    [
        b"not xml at all",
        b"",
        b"<Envelope><Body/></Envelope>",
        f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body/></s:Envelope>'.encode(),
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    ],
)
def test_unreadable_envelope_gets_the_deserialization_fault(url, body):
    response = call_soap(url, body)

    code, _ = fault_of(response)
    assert code == "a:DeserializationFailed"
    assert f'xmlns:a="{DISPATCHER_NS}"' in response.text


def test_other_operations_get_an_action_not_supported_fault(url):
    code, text = fault_of(call_soap(url, soap_body(new_token(url), "GetOrderList")))

    assert code == "a:ActionNotSupported"
    assert "GetOrderList" in text


@pytest.mark.parametrize(
    ("login", "is_available", "state"),
    [
        ("deactivated-api", "ActiveSeller", "Deactivated"),
        ("banned-api", "BannedSeller", "Activated"),
    ],
)
def test_seller_status_follows_the_account_behaviour(url, login, is_available, state):
    result = seller_result(seller_information(url, new_token(url, login)))

    assert result.findtext(f"{{{MESSAGES_NS}}}OperationSuccess") == "true"
    assert result.findtext(cd("Seller/IsAvailable")) == is_available
    assert result.findtext(cd("Seller/State")) == state


def test_not_authorized_account_gets_a_fault_naming_token_and_action(url):
    token = new_token(url, "notauthorized-api")

    code, text = fault_of(seller_information(url, token))

    guid = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"
    assert code == "s:RequestTokenValidationError"
    assert text.startswith("User is not authorized to access to this resource (")
    assert f"Token used: '{guid}'" in text
    assert "IMarketplaceAPIService/GetSellerInformation" in text


def test_operation_false_account_gets_a_french_business_error(url):
    response = seller_information(url, new_token(url, "operationfalse-api"))

    result = seller_result(response)
    assert result.findtext(f"{{{MESSAGES_NS}}}OperationSuccess") == "false"
    message = "Vous n'êtes pas autorisé à utiliser cette API."
    assert result.findtext(f"{{{MESSAGES_NS}}}ErrorMessage") == message
    assert message.encode() in response.content
    assert result.find(cd("Seller")).get(XSI_NIL) == "true"


def test_retired_account_gets_404_from_the_soap_service(url):
    assert seller_information(url, new_token(url, "retired-api")).status_code == 404


def test_soap_unavailable_account_gets_503(simulator, url):
    control(
        simulator,
        "POST",
        "accounts",
        {
            "login": "down-api",
            "password": "Down-2024!",
            "behaviour": "soap_unavailable",
        },
        expected_status=201,
    )

    response = seller_information(url, new_token(url, "down-api", "Down-2024!"))

    assert response.status_code == 503


def test_hanging_soap_call_does_not_block_other_calls(simulator, url):
    control(simulator, "PATCH", "accounts/banned-api", {"behaviour": "soap_hang"})
    hanging_token = new_token(url, "banned-api")
    ok_token = new_token(url)

    with ThreadPoolExecutor(max_workers=1) as pool:
        hanging = pool.submit(
            call_soap, url, soap_body(hanging_token), (TIMEOUT, SHORT_READ_TIMEOUT)
        )
        started = time.monotonic()
        assert seller_result(seller_information(url, ok_token)) is not None
        assert time.monotonic() - started < SHORT_READ_TIMEOUT

        with pytest.raises(requests.ReadTimeout):
            hanging.result()


def element_shape(root):
    return [(element.tag, sorted(element.attrib)) for element in root.iter()]


@pytest.mark.interop
@pytest.mark.skipif(not RECORDED_SOAP.is_dir(), reason="no recorded traffic here")
def test_seller_information_has_the_recorded_shape(url):
    recording = RECORDED_SOAP / "GetSellerInformation_response_200_recorded.xml"

    ours = parse_xml(seller_information(url, new_token(url)).content)

    assert element_shape(ours) == element_shape(parse_xml(recording.read_bytes()))


@pytest.mark.interop
@pytest.mark.skipif(not RECORDED_SOAP.is_dir(), reason="no recorded traffic here")
@pytest.mark.parametrize(
    ("recording", "token_id"),
    [
        ("fault_token_not_correctly_formatted_500.xml", "invalid_token"),
        ("fault_token_does_not_exist_500.xml", "0" * 32),
    ],
)
def test_token_faults_match_the_recorded_bytes(url, recording, token_id):
    response = call_soap(url, soap_body(token_id))

    assert response.content == (RECORDED_SOAP / recording).read_bytes()


@pytest.mark.parametrize("query", ["", "?wsdl", "?xsd=xsd0"])
def test_get_on_the_soap_path_is_not_found(url, query):
    response = requests.get(f"{url}{SOAP_PATH}{query}", timeout=TIMEOUT)

    assert response.status_code == 404


def test_unknown_path_is_not_found_and_wrong_method_is_not_allowed(url):
    assert requests.get(f"{url}/nothing-here", timeout=TIMEOUT).status_code == 404
    assert requests.post(f"{url}{TOKEN_PATH}", timeout=TIMEOUT).status_code == 405


def test_head_request_gets_headers_without_body(url):
    response = requests.head(f"{url}{SOAP_PATH}", timeout=TIMEOUT)

    assert response.status_code == 404
    assert response.content == b""


# Statistics.


def test_stats_count_requests_per_login_and_reset_zeroes_them(simulator, url):
    token = new_token(url)
    new_token(url, "second-shop-api", "Second-2024!")
    request_token(url, "demo-shop-api", "wrong")
    seller_information(url, token)
    seller_information(url, "invalid_token")
    octopia_token(url)

    counts = stats(simulator)

    assert counts["token_requests"] == {"demo-shop-api": 2, "second-shop-api": 1}
    assert counts["soap_requests"] == {"demo-shop-api": 1, "(unknown)": 1}
    assert counts["octopia_token_requests"] == {"demo-client": 1}
    assert counts["concurrent_token_requests_max"] >= 1

    control(simulator, "POST", "reset")

    counts = stats(simulator)
    assert counts["token_requests"] == {}
    assert counts["soap_requests"] == {}
    assert counts["octopia_token_requests"] == {}


def test_soap_calls_with_an_expired_token_still_count_for_its_login(simulator, url):
    token = new_token(url)
    control(simulator, "POST", "tokens/expire", {"login": "demo-shop-api"})

    seller_information(url, token)

    assert stats(simulator)["soap_requests"] == {"demo-shop-api": 1}


# Service-wide token override.


def test_global_unavailable_fails_every_token_request(simulator, url):
    control(simulator, "POST", "global", {"token_behaviour": "unavailable"})

    assert request_token(url, "demo-shop-api", DEMO_PASSWORD).status_code == 503
    octopia = octopia_token_response(url, "demo-client", "demo-secret")
    assert octopia.status_code == 503

    control(simulator, "POST", "global", {"token_behaviour": None})

    token_of(request_token(url, "demo-shop-api", DEMO_PASSWORD))


def test_global_refuse_closes_the_connection_unanswered(simulator, url):
    control(simulator, "POST", "global", {"token_behaviour": "refuse"})

    with pytest.raises(requests.ConnectionError):
        request_token(url, "demo-shop-api", DEMO_PASSWORD)
    with pytest.raises(requests.ConnectionError):
        octopia_token_response(url, "demo-client", "demo-secret")
    assert stats(simulator)["token_requests"] == {"demo-shop-api": 1}


def test_global_hang_leaves_the_soap_service_alone(simulator, url):
    token = new_token(url)
    control(simulator, "POST", "global", {"token_behaviour": "hang"})

    with pytest.raises(requests.ReadTimeout):
        request_token(
            url, "demo-shop-api", DEMO_PASSWORD, (TIMEOUT, SHORT_READ_TIMEOUT)
        )
    assert seller_result(seller_information(url, token)) is not None


def test_global_latency_delays_token_requests(simulator, url):
    override = control(simulator, "POST", "global", {"token_latency_ms": 300})

    started = time.monotonic()
    token_of(request_token(url, "demo-shop-api", DEMO_PASSWORD))

    assert time.monotonic() - started >= 0.3
    assert override == {"token_behaviour": None, "token_latency_ms": 300}
    assert control(simulator, "GET", "global") == override


# Control API.


def test_posting_an_account_creates_it_then_replaces_it(simulator, url):
    account = {"login": "new-shop-api", "password": "New-2024!", "shop_name": "Neuve"}

    created = control(simulator, "POST", "accounts", account, expected_status=201)
    account["password"] = "Newer-2024!"
    control(simulator, "POST", "accounts", account, expected_status=200)

    assert created["seller_login"] == "new-shop"
    assert created["behaviour"] == "ok"
    assert created["token_lifetime_seconds"] == 48 * 3600
    assert "password" not in created
    assert request_token(url, "new-shop-api", "New-2024!").status_code == 401
    token = new_token(url, "new-shop-api", "Newer-2024!")
    result = seller_result(seller_information(url, token))
    assert result.findtext(cd("Seller/ShopName")) == "Neuve"


def test_patching_an_account_changes_its_password(simulator, url):
    control(simulator, "PATCH", "accounts/demo-shop-api", {"password": "Changed-1"})

    assert request_token(url, "demo-shop-api", DEMO_PASSWORD).status_code == 401
    token_of(request_token(url, "demo-shop-api", "Changed-1"))


def test_patching_an_account_with_a_non_ascii_login_in_the_path(simulator, url):
    control(simulator, "POST", "accounts", {"login": "店铺-api", "password": "p"}, 201)

    control(
        simulator, "PATCH", "accounts/%E5%BA%97%E9%93%BA-api", {"behaviour": "reject"}
    )

    assert request_token(url, "店铺-api", "p").status_code == 401


def test_patching_an_unknown_account_is_404(simulator):
    control(simulator, "PATCH", "accounts/ghost-api", {"behaviour": "ok"}, 404)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("POST", "accounts", {"login": "x-api"}),
        ("POST", "accounts", {"login": "x-api", "password": "p", "colour": "red"}),
        ("POST", "accounts", {"login": "a:b", "password": "p"}),
        ("POST", "accounts", {"login": "x-api", "password": "p", "behaviour": "odd"}),
        ("PATCH", "accounts/demo-shop-api", {"token_latency_ms": -1}),
        ("PATCH", "accounts/demo-shop-api", {"login": "renamed-api"}),
        ("POST", "global", {"token_behaviour": "explode"}),
        ("POST", "octopia/sellers", {"seller_id": "abc"}),
        ("POST", "octopia/clients", {"client_id": "c", "client_secret": 3}),
        ("POST", "accounts", ["not", "an", "object"]),
    ],
)
def test_control_api_refuses_invalid_input(simulator, method, path, payload):
    answer = control(simulator, method, path, payload, expected_status=400)

    assert answer["error"]


def test_reset_restores_the_demo_accounts(simulator, url):
    control(simulator, "PATCH", "accounts/demo-shop-api", {"behaviour": "reject"})

    control(simulator, "POST", "reset")

    token_of(request_token(url, "demo-shop-api", DEMO_PASSWORD))


def test_control_api_answers_loopback_clients_only():
    state = SimulatorState()
    remote = Request("GET", "/_simulator/stats", client_host="192.0.2.10")
    local_v6 = Request("GET", "/_simulator/stats", client_host="::1")

    assert handle_control(remote, state).status == 403
    assert handle_control(local_v6, state).status == 200


# Octopia.


def test_octopia_token_is_an_opaque_bearer_token(url):
    response = octopia_token_response(url, "demo-client", "demo-secret")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 7200
    assert re.fullmatch(r"sim\.[0-9a-f]{32}", answer["access_token"])


def test_octopia_token_accepts_basic_client_authentication(url):
    response = requests.post(
        f"{url}{OCTOPIA_TOKEN_PATH}",
        data={"grant_type": "client_credentials"},
        headers=basic_header("cdauth-platform", "platform-secret"),
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["access_token"].startswith("sim.")


@pytest.mark.parametrize(
    ("client_id", "client_secret", "error"),
    [
        ("demo-client", "wrong-secret", "unauthorized_client"),
        ("unknown-client", "demo-secret", "invalid_client"),
        ("", "demo-secret", "invalid_client"),
    ],
)
def test_octopia_token_refuses_bad_client_credentials(
    url, client_id, client_secret, error
):
    response = octopia_token_response(url, client_id, client_secret)

    assert response.status_code == 401
    assert response.json()["error"] == error


def test_octopia_token_refuses_other_grant_types(url):
    response = octopia_token_response(
        url, "demo-client", "demo-secret", grant_type="password"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("behaviour", "status", "content_type"),
    [
        ("reject", 401, "application/json"),
        ("html", 200, "text/html; charset=utf-8"),
        ("unavailable", 503, "text/html; charset=utf-8"),
    ],
)
def test_octopia_client_behaviours(simulator, url, behaviour, status, content_type):
    control(simulator, "PATCH", "octopia/clients/demo-client", {"behaviour": behaviour})

    response = octopia_token_response(url, "demo-client", "demo-secret")

    assert response.status_code == status
    assert response.headers["Content-Type"] == content_type


def test_octopia_hanging_client_times_out(simulator, url):
    control(simulator, "PATCH", "octopia/clients/demo-client", {"behaviour": "hang"})

    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{url}{OCTOPIA_TOKEN_PATH}",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            },
            timeout=(TIMEOUT, SHORT_READ_TIMEOUT),
        )


def test_octopia_seller_is_returned_for_a_linked_client(url):
    response = octopia_seller(url, octopia_token(url), "100001")

    assert response.status_code == 200
    seller = response.json()
    assert seller["id"] == "100001"
    assert seller["shopName"] == "Boutique Octopia"
    assert seller["login"]


@pytest.mark.parametrize("seller_id", ["200001", "200002"])
def test_platform_client_reaches_every_seller_linked_to_it(url, seller_id):
    token = octopia_token(url, "cdauth-platform", "platform-secret")

    assert octopia_seller(url, token, seller_id).json()["id"] == seller_id


@pytest.mark.parametrize(
    ("seller_id", "status", "code"),
    [
        ("200003", 403, "seller_not_linked"),
        ("200001", 403, "seller_not_linked"),
        ("999999", 404, "seller_not_found"),
        (None, 400, "invalid_seller_id"),
        ("abc", 400, "invalid_seller_id"),
    ],
)
def test_octopia_seller_errors(url, seller_id, status, code):
    response = octopia_seller(url, octopia_token(url), seller_id)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_unlinked_seller_error_says_which_client_lacks_the_link(url):
    response = octopia_seller(url, octopia_token(url), "200003")

    assert "not linked" in response.json()["detail"]
    assert "demo-client" in response.json()["detail"]


@pytest.mark.parametrize("access_token", ["sim." + "0" * 32, "garbage", ""])
def test_octopia_sellers_refuse_an_invalid_bearer_token(url, access_token):
    response = octopia_seller(url, access_token, "100001")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_octopia_sellers_refuse_an_expired_bearer_token(simulator, url):
    token = octopia_token(url)

    control(simulator, "POST", "octopia/tokens/expire", {"client_id": "demo-client"})

    assert octopia_seller(url, token, "100001").status_code == 401


def test_octopia_token_lifetime_comes_from_the_client(simulator, url):
    control(
        simulator,
        "POST",
        "octopia/clients",
        {"client_id": "brief", "client_secret": "s", "token_lifetime_seconds": 0},
        expected_status=201,
    )

    response = octopia_token_response(url, "brief", "s")

    assert response.json()["expires_in"] == 0
    assert (
        octopia_seller(url, response.json()["access_token"], "100001").status_code
        == 401
    )


def test_linking_a_seller_through_the_control_api_grants_access(simulator, url):
    token = octopia_token(url)

    answer = control(
        simulator,
        "POST",
        "octopia/sellers",
        {"seller_id": "200003", "shop_name": "Liée", "linked_clients": ["demo-client"]},
    )

    assert answer["linked_clients"] == ["demo-client"]
    assert octopia_seller(url, token, "200003").json()["shopName"] == "Liée"


def test_client_seller_ids_replace_its_links(simulator, url):
    token = octopia_token(url)

    control(
        simulator,
        "PATCH",
        "octopia/clients/demo-client",
        {"seller_ids": ["200003"]},
    )

    assert octopia_seller(url, token, "200003").status_code == 200
    assert octopia_seller(url, token, "100001").status_code == 403


def test_new_octopia_client_reaches_its_new_seller(simulator, url):
    control(
        simulator,
        "POST",
        "octopia/sellers",
        {"seller_id": 300001},
        expected_status=201,
    )
    control(
        simulator,
        "POST",
        "octopia/clients",
        {
            "client_id": "fresh",
            "client_secret": "fresh-secret",
            "seller_ids": ["300001"],
        },
        expected_status=201,
    )

    token = octopia_token(url, "fresh", "fresh-secret")

    assert octopia_seller(url, token, "300001").status_code == 200
    assert stats(simulator)["octopia_seller_requests"] == {"fresh": 1}


# Command line.


def test_command_line_prints_its_url_serves_quietly_and_stops_on_sigterm():
    repository_root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0"],
        cwd=repository_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(
            r"Cdiscount simulator listening on (http://127\.0\.0\.1:\d+)\n", line
        )
        assert match, line
        token_of(request_token(match.group(1), "demo-shop-api", DEMO_PASSWORD))

        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0
    assert stdout == ""
    assert stderr == ""
