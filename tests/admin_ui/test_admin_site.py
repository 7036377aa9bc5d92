import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from admin_ui import sites
from admin_ui.sites import OTHER, SECTIONS, section_of
from orders.models import Order, ShippingZone
from orders.payments.memory import gateway
from shop.accounts.models import User
from shop.accounts.roles import ORDER_MANAGER, SHOP_ADMINISTRATOR
from shop.content.models import FaqCategory, FaqEntry
from tests.admin_ui.test_claims_admin import open_claim, shipped_order
from tests.factories.orders import place_order, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
EN = {"Accept-Language": "en"}


def shop_admin():
    user = User.objects.create_user("tienda@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=SHOP_ADMINISTRATOR))
    return user


def test_admin_speaks_spanish_by_default(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Administración de la Tienda del Agua" in response.content.decode()


def test_admin_speaks_english_when_asked(client):
    response = client.get("/admin/login/", headers={"Accept-Language": "en"})
    assert "Water Shop administration" in response.content.decode()


def test_admin_requires_a_staff_login(client):
    User.objects.create_user("cliente@example.com", PASSWORD)
    client.post("/admin/login/", {"username": "cliente@example.com", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_login_is_throttled_per_account(client):
    shop_admin()
    for _ in range(5):
        client.post("/admin/login/", {"username": "tienda@example.com", "password": "wrong"})
    client.post("/admin/login/", {"username": "tienda@example.com", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_shop_administrator_edits_faq_entry_sanitised_and_logged(client):
    user = shop_admin()
    category = FaqCategory.objects.create(name="Pagos")
    entry = FaqEntry.objects.create(category=category, question="¿Cómo pago?", answer="<p>Así</p>")
    client.force_login(user)
    response = client.post(
        f"/admin/content/faqentry/{entry.pk}/change/",
        {
            "category": category.pk,
            "question": "¿Cómo pago?",
            "question_en": "How do I pay?",
            "answer": '<p onclick="x()">Con tarjeta<script>alert(1)</script></p>',
            "answer_en": "",
            "position": 1,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.answer == "<p>Con tarjeta</p>"
    assert entry.question_en == "How do I pay?"
    log = LogEntry.objects.get(object_id=str(entry.pk), content_type__model="faqentry")
    assert (log.user_id, log.action_flag) == (user.pk, CHANGE)


def test_shop_administrator_cannot_change_users_or_grant_superuser(client):
    user = shop_admin()
    customer = User.objects.create_user("cliente@example.com", PASSWORD, first_name="Lucía")
    client.force_login(user)
    response = client.post(
        f"/admin/accounts/user/{customer.pk}/change/",
        {"email": "cliente@example.com", "first_name": "Otra", "is_superuser": "on"},
    )
    customer.refresh_from_db()
    assert response.status_code == 403
    assert (customer.first_name, customer.is_superuser) == ("Lucía", False)


# The index, organised by task

SECTION_LINK = re.compile(r'<a href="/admin/section/([a-z]+)/" class="section"[^>]*>([^<]+)</a>')
TASK_ORDER = [
    "catalogue",
    "discounts",
    "orders",
    "claims",
    "shipping",
    "billing",
    "invoices",
    "settings",
    "users",
    "system",
]


def superuser(client):
    user = User.objects.create_superuser("root@example.com", PASSWORD)
    client.force_login(user)
    return user


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_index_lists_the_sections_by_task_in_the_admins_language(client, language):
    superuser(client)

    page = client.get("/admin/", headers={"Accept-Language": language}).content.decode()

    with translation.override(language):
        names = {section.slug: str(section.name) for section in SECTIONS}
        title = f"<title>{gettext('Dashboard')} | {gettext('Water Shop administration')}</title>"
    assert SECTION_LINK.findall(page) == [(slug, names[slug]) for slug in TASK_ORDER]
    assert title in page


def test_the_sections_are_named_for_the_back_offices_tasks():
    with translation.override("en"):
        assert [str(section.name) for section in SECTIONS] == [
            "Catalogue",
            "Promotions and vouchers",
            "Orders",
            "Claims",
            "Shipping",
            "Billing on the water bill",
            "Invoices and VERI*FACTU",
            "Shop settings",
            "Users and roles",
            "Background work",
        ]


def test_every_registered_model_has_its_section():
    unplaced = [
        opts.label
        for opts in (model._meta for model in admin.site._registry)
        if section_of(opts.app_label, str(opts.model_name)) is OTHER
    ]

    assert unplaced == []


def test_a_new_model_goes_to_its_apps_section_or_else_to_other():
    assert section_of("orders", "claim").slug == "claims"
    assert section_of("orders", "order").slug == "orders"
    assert section_of("catalog", "newmodel").slug == "catalogue"
    assert section_of("newapp", "thing") is OTHER


def test_a_model_no_section_names_is_listed_last_under_other(monkeypatch):
    unnamed = {label: place for label, place in sites._PLACES.items() if "content" not in label}
    monkeypatch.setattr(sites, "_PLACES", unnamed)
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root@example.com", PASSWORD)

    with translation.override("en"):
        sections = [
            (section["app_label"], [str(model["name"]) for model in section["models"]])
            for section in admin.site.get_app_list(request)
        ]

    assert [slug for slug, _models in sections] == [*TASK_ORDER[:7], "users", "system", "other"]
    assert sections[-1] == (
        "other",
        ["FAQ categories", "FAQ entries", "Home page sections", "Legal pages", "Shop settings"],
    )


def test_a_section_page_lists_its_models(client):
    client.force_login(staff_in_role(ORDER_MANAGER))

    response = client.get("/admin/section/shipping/", headers={"Accept-Language": "en"})

    page = response.content.decode()
    assert response.status_code == 200
    assert SECTION_LINK.findall(page) == [("shipping", "Shipping")]
    assert re.findall(r'<th scope="row" id="shipping-\w+">\s*<a href="([^"]+)"', page) == [
        "/admin/orders/shippingzone/",
        "/admin/orders/shippingmethod/",
        "/admin/orders/pickuppoint/",
    ]


def test_an_unknown_section_is_not_found(client):
    superuser(client)

    assert client.get("/admin/section/nothing/").status_code == 404


def test_the_page_of_one_app_still_lists_that_apps_models(client):
    superuser(client)

    page = client.get("/admin/orders/", headers={"Accept-Language": "en"}).content.decode()

    assert re.findall(r'<th scope="row" id="orders-(\w+)">', page) == [
        "claim",
        "order",
        "payment",
        "pickuppoint",
        "shippingmethod",
        "shippingzone",
    ]


# History: every administrative change is logged with its author


def order_action(client, action, data):
    order = place_order(lines=[(stocked_variant(quantity=5, price="10.00"), 2)])
    line = order.lines.get()
    data = {key.replace("LINE", str(line.pk)): value for key, value in data.items()}
    if action == "refund":
        page = client.get(f"/admin/orders/order/{order.pk}/refund/").content.decode()
        [data["idempotency_key"]] = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
    response = client.post(f"/admin/orders/order/{order.pk}/{action}/", data, headers=EN)
    return response, order


def claim_action(client, action, data):
    claim = open_claim(shipped_order(stocked_variant(quantity=5, price="10.00")))
    response = client.post(f"/admin/orders/claim/{claim.pk}/{action}/", data, headers=EN)
    return response, claim


@pytest.mark.parametrize(
    ("act", "action", "data", "message"),
    [
        (
            order_action,
            "fulfill",
            {"line_LINE": "1", "tracking_number": ""},
            "Shipped 1 \N{MULTIPLICATION SIGN} {sku}.",
        ),
        (order_action, "cancel", {"reason": "Duplicado"}, "Cancelled: Duplicado"),
        (order_action, "note", {"message": "Llamar antes"}, "Note added."),
        (
            order_action,
            "refund",
            {"amount": "5.00", "reason": "Gesto comercial"},
            "Refund of 5.00 €: 5.00 € refunded, 0.00 € refused (Gesto comercial).",
        ),
        (claim_action, "answer", {"message": "¿Una foto?"}, "Answered: ¿Una foto?"),
        (claim_action, "review", {}, "Put in review."),
        (claim_action, "reject", {"message": "Sin daños"}, "Rejected: Sin daños"),
        (
            claim_action,
            "resolve",
            {"resolution": "none", "message": "Hablado"},
            "Resolved with no action. Hablado",
        ),
    ],
)
def test_each_action_page_logs_the_change_with_its_author(client, act, action, data, message):
    gateway.reset()
    manager = staff_in_role(ORDER_MANAGER)
    client.force_login(manager)

    response, obj = act(client, action, data)

    assert response.status_code == 302
    [log] = LogEntry.objects.all()
    sku = obj.lines.get().sku if isinstance(obj, Order) else ""
    assert (log.user, log.action_flag, log.object_id, log.object_repr) == (
        manager,
        CHANGE,
        str(obj.pk),
        str(obj),
    )
    assert log.change_message == message.format(sku=sku)


def test_a_refused_action_logs_nothing(client):
    client.force_login(staff_in_role(ORDER_MANAGER))

    response, order = order_action(client, "fulfill", {"line_LINE": "0", "tracking_number": ""})

    assert response.status_code == 200
    assert order.fulfillments.count() == 0
    assert not LogEntry.objects.exists()


def test_a_change_through_a_form_is_logged_with_what_changed(client):
    zone = ShippingZone.objects.create(name="Sevilla capital", countries=["ES"])
    user = staff_in_role(SHOP_ADMINISTRATOR)
    client.force_login(user)
    empty = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "9"}
    data = {"name": "Sevilla", "countries": "ES", "is_active": "on"}
    data |= {
        f"{prefix}-{key}": value for prefix in ("rules", "methods") for key, value in empty.items()
    }

    client.post(f"/admin/orders/shippingzone/{zone.pk}/change/", data)

    # written once, by shipping_zone_update, naming the fields it changed
    [log] = LogEntry.objects.all()
    with translation.override("en"):
        assert (log.user, log.action_flag, log.get_change_message()) == (user, CHANGE, "name")
