"""Demo accounts for ``seed_demo``: an administrator, one user per staff role and a customer."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from shop.accounts import roles
from shop.accounts.models import Address, User


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


ADMIN_EMAIL = "admin@tienda-agua.example"
STAFF = [
    ("catalogo@tienda-agua.example", roles.CATALOGUE_MANAGER),
    ("pedidos@tienda-agua.example", roles.ORDER_MANAGER),
    ("facturacion@tienda-agua.example", roles.BILLING_OPERATOR),
    ("tienda@tienda-agua.example", roles.SHOP_ADMINISTRATOR),
]
CUSTOMER_EMAIL = "cliente@tienda-agua.example"


def _user(email: str, password: str, **fields: object) -> User:
    user, _created = User.objects.update_or_create(email=email, defaults=fields)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def seed(*, password: str) -> list[DemoLogin]:
    logins = [DemoLogin(ADMIN_EMAIL, "superuser")]
    _user(ADMIN_EMAIL, password, is_staff=True, is_superuser=True, first_name="Ana")
    for email, role in STAFF:
        user = _user(email, password, is_staff=True, first_name=role)
        user.groups.set([Group.objects.get(name=role)])
        logins.append(DemoLogin(email, role))
    customer = _user(CUSTOMER_EMAIL, password, first_name="Lucía", last_name="Romero")
    Address.objects.update_or_create(
        user=customer,
        street_address_1="Calle Betis 12",
        defaults={
            "first_name": "Lucía",
            "last_name": "Romero",
            "postal_code": "41010",
            "city": "Sevilla",
            "province": "Sevilla",
            "phone": "600000000",
            "is_default_shipping": True,
            "is_default_billing": True,
        },
    )
    logins.append(DemoLogin(CUSTOMER_EMAIL, "customer"))
    return logins


@dataclass(frozen=True)
class PortalCustomer:
    """A customer of the demo portal (/portal-demo/), signed in by ``portalSignIn``."""

    subject: str
    email: str
    name: str
    contracts: tuple[str, ...]


# Lucía holds the contracts ``billing_bridge.demo`` seeds; Javier holds none (he
# pays by card). The third has the e-mail of the shop's own demo account, to show
# that the portal cannot take over a shop account.
PORTAL_CUSTOMERS = (
    PortalCustomer(
        "OV-0001",
        "lucia.romero@correo.example",
        "Lucía Romero",
        ("41000123", "41000456", "41000789"),
    ),
    PortalCustomer("OV-0002", "javier.ortiz@correo.example", "Javier Ortiz", ()),
    PortalCustomer("OV-0003", CUSTOMER_EMAIL, "Lucía Romero", ("41000123",)),
)
