import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group

from shop.accounts.models import User
from shop.accounts.roles import SHOP_ADMINISTRATOR
from shop.content.models import FaqCategory, FaqEntry

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


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
