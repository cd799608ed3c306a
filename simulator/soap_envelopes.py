"""SOAP 1.1 answers shaped like MarketplaceAPIService's, element for element.

The real service is WCF: no XML declaration, DataContract namespaces declared
where each element needs them, and i:nil for empty references. Clients parse
against the WSDL, so order and namespaces matter as much as the values.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

SOAP_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CDISCOUNT_NS = "http://www.cdiscount.com"
MESSAGES_NS = (
    "http://schemas.datacontract.org/2004/07/"
    "Cdiscount.Framework.Core.Communication.Messages"
)
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
WCF_DISPATCHER_NS = (
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher"
)
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class SellerProfile:
    """The values that differ from one simulated seller to the next."""

    api_login: str
    seller_login: str
    shop_name: str
    email: str
    is_available: str = "ActiveSeller"
    state: str = "Activated"


def envelope(body: str) -> bytes:
    """Wrap body content in a SOAP 1.1 envelope and encode it as UTF-8."""
    return (
        f'<s:Envelope xmlns:s="{SOAP_ENVELOPE_NS}"><s:Body>{body}</s:Body></s:Envelope>'
    ).encode()


def fault(code: str, message: str, *, dispatcher: bool = False) -> bytes:
    """Render a SOAP fault; dispatcher faults carry WCF's code namespace."""
    if dispatcher:
        faultcode = f'<faultcode xmlns:a="{WCF_DISPATCHER_NS}">a:{code}</faultcode>'
    else:
        faultcode = f"<faultcode>s:{code}</faultcode>"
    faultstring = f'<faultstring xml:lang="fr-FR">{escape(message)}</faultstring>'
    return envelope(f"<s:Fault>{faultcode}{faultstring}</s:Fault>")


def seller_information_success(seller: SellerProfile, token: str) -> bytes:
    """Render a successful GetSellerInformation answer for this seller."""
    result = (
        _operation_status(success=True, error_message="")
        + f"<SellerLogin>{escape(seller.api_login)}</SellerLogin>"
        + f"<TokenId>{escape(token)}</TokenId>"
        + _delivery_modes()
        + _offer_pools()
        + _seller(seller)
    )
    return _seller_information_response(result)


def seller_information_failure(error_message: str) -> bytes:
    """Render GetSellerInformation's business failure (success false)."""
    result = (
        _operation_status(success=False, error_message=error_message)
        + '<SellerLogin i:nil="true"/><TokenId i:nil="true"/>'
        + '<DeliveryModes i:nil="true"/><OfferPoolList i:nil="true"/>'
        + '<Seller i:nil="true"/>'
    )
    return _seller_information_response(result)


def _seller_information_response(result: str) -> bytes:
    return envelope(
        f'<GetSellerInformationResponse xmlns="{CDISCOUNT_NS}">'
        f'<GetSellerInformationResult xmlns:i="{XSI_NS}">{result}'
        "</GetSellerInformationResult></GetSellerInformationResponse>"
    )


def _operation_status(*, success: bool, error_message: str) -> str:
    # Both fields come from the base message class, hence their own namespace.
    if error_message:
        text = escape(error_message)
        error = f'<ErrorMessage xmlns="{MESSAGES_NS}">{text}</ErrorMessage>'
    else:
        error = f'<ErrorMessage xmlns="{MESSAGES_NS}"/>'
    flag = "true" if success else "false"
    status = f'<OperationSuccess xmlns="{MESSAGES_NS}">{flag}</OperationSuccess>'
    return error + status + "<ErrorList/>"


def _delivery_modes() -> str:
    modes = (("TRK", "Envoi suivi"), ("REG", "Lettre recommandée"))
    items = "".join(
        f"<DeliveryModeInformation><Code>{code}</Code><Name>{name}</Name>"
        "</DeliveryModeInformation>"
        for code, name in modes
    )
    return f"<DeliveryModes>{items}</DeliveryModes>"


def _offer_pools() -> str:
    return (
        "<OfferPoolList><OfferPool><Description>Cdiscount</Description><Id>1</Id>"
        "</OfferPool></OfferPoolList>"
    )


def _seller(seller: SellerProfile) -> str:
    parts = (
        f"<Email>{escape(seller.email)}</Email>",
        f"<IsAvailable>{seller.is_available}</IsAvailable>",
        f"<Login>{escape(seller.seller_login)}</Login>",
        "<MobileNumber>0611111111</MobileNumber>",
        "<PhoneNumber>0122222222</PhoneNumber>",
        _seller_address(),
        f"<ShopName>{escape(seller.shop_name)}</ShopName>",
        '<ShopUrl i:nil="true"/>',
        "<SiretNumber>12345678900000</SiretNumber>",
        f"<State>{seller.state}</State>",
    )
    return f"<Seller>{''.join(parts)}</Seller>"


def _seller_address() -> str:
    # Elements in the schema's alphabetical order, as WCF serialises them.
    fields = (
        ("Address1", "10 place de la Simulation"),
        ("Address2", None),
        ("ApartmentNumber", None),
        ("Building", None),
        ("City", "Testville"),
        ("Civility", "MRS"),
        ("CompanyName", None),
        ("Country", "FR"),
        ("County", None),
        ("FirstName", None),
        ("Instructions", None),
        ("LastName", None),
        ("PlaceName", None),
        ("RelayId", None),
        ("Street", None),
        ("ZipCode", "99999"),
    )
    parts = "".join(
        f'<{name} i:nil="true"/>' if value is None else f"<{name}>{value}</{name}>"
        for name, value in fields
    )
    return f"<SellerAddress>{parts}</SellerAddress>"
