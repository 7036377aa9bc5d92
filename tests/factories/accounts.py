"""Users and addresses: customers, staff holding given permissions or roles."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group, Permission

from shop.accounts.models import Address, User

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Lucía"
    last_name = "García"
    language_code = "es"
    is_active = True

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **_kwargs: object) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    """A staff member; ``permissions=["accounts.view_user"]`` grants permissions by name."""

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True

    @factory.post_generation
    def permissions(
        obj: User, create: bool, extracted: list[str] | None, **_kwargs: object
    ) -> None:
        if not create or not extracted:
            return
        for name in extracted:
            app_label, codename = name.split(".")
            obj.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    first_name = "Lucía"
    last_name = "García"
    street_address_1 = factory.Sequence(lambda n: f"Calle Sierpes {n + 1}")
    postal_code = "41001"
    city = "Sevilla"
    province = "Sevilla"
    country = "ES"


def staff_in_role(role: str, **fields: object) -> User:
    """A staff member in the permission group of ``role`` (``shop.accounts.roles``)."""
    user = StaffFactory(**fields)
    Group.objects.get(name=role).user_set.add(user)
    return user
