"""Factories for promotions, vouchers and their codes (kept here, not in
tests/factories.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from discounts.models import Promotion, ValueType, Voucher, VoucherCode


def _an_hour_ago():
    return timezone.now() - timedelta(hours=1)


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Rebajas {n}")
    value_type = ValueType.PERCENTAGE
    value = Decimal("50")
    starts_at = factory.LazyFunction(_an_hour_ago)

    @factory.post_generation
    def products(self, _create, extracted, **_kwargs):
        if extracted:
            self.products.set(extracted)

    @factory.post_generation
    def variants(self, _create, extracted, **_kwargs):
        if extracted:
            self.variants.set(extracted)

    @factory.post_generation
    def categories(self, _create, extracted, **_kwargs):
        if extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def collections(self, _create, extracted, **_kwargs):
        if extracted:
            self.collections.set(extracted)


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voucher
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cupón {n}")
    scope = Voucher.Scope.ENTIRE_ORDER
    value_type = ValueType.PERCENTAGE
    value = Decimal("10")
    starts_at = factory.LazyFunction(_an_hour_ago)

    @factory.post_generation
    def products(self, _create, extracted, **_kwargs):
        if extracted:
            self.products.set(extracted)

    @factory.post_generation
    def categories(self, _create, extracted, **_kwargs):
        if extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def collections(self, _create, extracted, **_kwargs):
        if extracted:
            self.collections.set(extracted)


class VoucherCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoucherCode

    voucher = factory.SubFactory(VoucherFactory)
    code = factory.Sequence(lambda n: f"AGUA{n}")


def voucher_with_code(code: str = "AGUA10", **fields) -> Voucher:
    voucher = VoucherFactory(**fields)
    VoucherCodeFactory(voucher=voucher, code=code)
    return voucher
