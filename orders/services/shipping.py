"""Shipping writes by staff: zones with their postal-code rules, shipping methods and
pickup points. Each service runs in one transaction, names its actor and leaves an
entry in the administration history.

Services take already-fetched objects and a ``data`` dict holding only the fields
to change; they raise ``ValidationError`` keyed by model field, with
``ShippingErrorCode``s, and write nothing when they do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from orders.errors import ShippingErrorCode as Code
from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from orders.selectors import forget_shipping_zones
from shop.accounts import spain
from shop.accounts.models import User
from shop.audit import record_change
from shop.money import is_whole_cents
from shop.validation import assign, full_clean, save_unique

# ISO 3166-1 alpha-2, every officially assigned code.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 -- 9 lines of codes read better than 249 list items
)
# Lists arrive in variables, which the request's token limit does not count.
MAX_RULES = 500
MAX_AMOUNT = Decimal("1e8")
ModelT = TypeVar("ModelT", bound=models.Model)


_assign = assign


def _error(message: str, code: Code = Code.INVALID) -> ValidationError:
    return ValidationError(message, code=code)


def _record(
    *,
    actor: User,
    obj: models.Model,
    action: Literal["add", "change", "delete"],
    changed: Sequence[str] = (),
) -> None:
    """What every shipping write ends with: the zones are read afresh, and the
    history entry says who did it and what it set. A deletion records first."""
    forget_shipping_zones()
    record_change(actor=actor, obj=obj, action=action, message=", ".join(changed))


def _save(
    save: Callable[[ModelT, dict[str, Any]], list[str]],
    obj: ModelT,
    data: dict[str, Any],
    *,
    actor: User,
) -> ModelT:
    """``save`` (one of the ``_save_*`` below) ``data`` on ``obj``, then :func:`_record`
    it: an add when ``obj`` is new, else a change naming the fields set."""
    adding = obj._state.adding
    changed = save(obj, data)
    if adding:
        _record(actor=actor, obj=obj, action="add")
    else:
        _record(actor=actor, obj=obj, action="change", changed=changed)
    return obj


def _clean(obj: models.Model, errors: dict[str, Any], exclude: Sequence[str] = ()) -> None:
    """Model validation of the fields not in ``errors`` or ``exclude``; raises every
    error at once (the shop's own messages win over Django's)."""
    try:
        full_clean(obj, Code, exclude=[*exclude, *errors])
    except ValidationError as exc:
        errors = {**exc.error_dict, **errors}
    if errors:
        raise ValidationError(errors)


# Zones


@dataclass(frozen=True)
class PostalCodeRuleData:
    """One postal-code rule as entered: a ``prefix``, or a ``start``-``end`` range."""

    inclusion: str = PostalCodeRule.Inclusion.INCLUDE
    prefix: str = ""
    start: str = ""
    end: str = ""


def _digits(value: str, shortest: int, longest: int) -> bool:
    return value.isascii() and value.isdigit() and shortest <= len(value) <= longest


def postal_code_rule_problem(rule: PostalCodeRuleData) -> tuple[str, str] | None:
    """What is wrong with ``rule``: the field at fault (``inclusion``, ``prefix``,
    ``start``, ``end``) and a message to follow "Rule 2: " (so in lower case);
    None when it is right."""
    if rule.inclusion not in PostalCodeRule.Inclusion.values:
        return "inclusion", _("choose include or exclude.")
    if rule.prefix and not (rule.start or rule.end):
        if not _digits(rule.prefix, 1, 5):
            return "prefix", _("a prefix has 1 to 5 digits.")
        return None
    if rule.prefix or not (rule.start and rule.end):
        field = "prefix" if rule.prefix or not (rule.start or rule.end) else "start"
        if rule.start and not rule.end:
            field = "end"
        return field, _("give a prefix, or the first and last postal codes of a range.")
    for field in ("start", "end"):
        if not _digits(getattr(rule, field), 5, 5):
            return field, _("a range runs between two postal codes of 5 digits.")
    if rule.start > rule.end:
        return "end", _("the range ends before it starts.")
    return None


def _rules_errors(rules: Sequence[PostalCodeRuleData]) -> list[ValidationError]:
    """One INVALID_POSTAL_CODE_RULE error per faulty rule, numbered from 1."""
    if len(rules) > MAX_RULES:
        return [_error(_("At most %(count)d at once.") % {"count": MAX_RULES})]
    problems = [(number, postal_code_rule_problem(rule)) for number, rule in enumerate(rules, 1)]
    return [
        _error(
            _("Rule %(number)d: %(problem)s") % {"number": number, "problem": problem[1]},
            Code.INVALID_POSTAL_CODE_RULE,
        )
        for number, problem in problems
        if problem is not None
    ]


def shipping_zone_check(zone: ShippingZone) -> None:
    """Normalise ``zone.countries`` (upper case, no repeats); REQUIRED or INVALID on
    ``countries`` when there are none or unknown ones."""
    if (error := _countries_error(zone)) is not None:
        raise ValidationError({"countries": error})


def _countries_error(zone: ShippingZone) -> ValidationError | None:
    """Normalise ``zone.countries`` (upper case, no repeats); an error when none or unknown."""
    zone.countries = list(dict.fromkeys(str(code).strip().upper() for code in zone.countries or []))
    unknown = [code for code in zone.countries if code not in COUNTRY_CODES]
    if not zone.countries:
        return _error(_("Choose at least one country."), Code.REQUIRED)
    if unknown:
        return _error(_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    return None


ZONE_FIELDS = ("name", "countries", "is_active")


def _save_zone(zone: ShippingZone, data: dict[str, Any]) -> list[str]:
    changed = _assign(zone, data, ZONE_FIELDS)
    rules: Sequence[PostalCodeRuleData] | None = data.get("rules")
    errors: dict[str, Any] = {}
    if (countries := _countries_error(zone)) is not None:
        errors["countries"] = countries
    if rules is not None and (rule_errors := _rules_errors(rules)):
        errors["rules"] = rule_errors
    _clean(zone, errors, exclude=["countries"])
    save_unique(zone, Code)
    if rules is not None:
        zone.rules.all().delete()
        PostalCodeRule.objects.bulk_create(
            PostalCodeRule(
                zone=zone, inclusion=r.inclusion, prefix=r.prefix, start=r.start, end=r.end
            )
            for r in rules
        )
        changed.append("rules")
    return changed


@transaction.atomic
def shipping_zone_create(*, actor: User, data: dict[str, Any]) -> ShippingZone:
    """Add a zone. ``name`` and ``countries`` (ISO 3166-1 alpha-2 codes, at least one;
    upper-cased, repeats dropped) are required; ``rules`` is a list of
    :class:`PostalCodeRuleData` (none: the whole of the countries). A faulty rule is
    an INVALID_POSTAL_CODE_RULE error on ``rules`` naming the rule's number (from 1)."""
    return _save(_save_zone, ShippingZone(), data, actor=actor)


@transaction.atomic
def shipping_zone_update(*, actor: User, zone: ShippingZone, data: dict[str, Any]) -> ShippingZone:
    """Change a zone; ``rules``, when given, replaces every rule (``[]`` removes them all)."""
    # Concurrent replacements of the rules queue instead of merging.
    ShippingZone.objects.select_for_update().filter(pk=zone.pk).exists()
    return _save(_save_zone, zone, data, actor=actor)


@transaction.atomic
def shipping_zone_delete(*, actor: User, zone: ShippingZone) -> None:
    """Delete a zone with its rules and methods; pickup points stay."""
    _record(actor=actor, obj=zone, action="delete")
    zone.delete()


# Methods

METHOD_FIELDS = (
    "kind",
    "name",
    "name_en",
    "price",
    "min_order_value",
    "max_order_value",
    "min_weight_grams",
    "max_weight_grams",
    "free_above",
    "delivery_days_min",
    "delivery_days_max",
    "is_active",
    "position",
)
AMOUNT_FIELDS = ("price", "min_order_value", "max_order_value", "free_above")
BANDS = (
    ("min_order_value", "max_order_value"),
    ("min_weight_grams", "max_weight_grams"),
    ("delivery_days_min", "delivery_days_max"),
)


def _is_amount(value: Decimal) -> bool:
    return is_whole_cents(value) and 0 <= value < MAX_AMOUNT


def shipping_method_check(method: ShippingMethod, points: Sequence[PickupPoint] | None) -> None:
    """The shop's rules for a method offering ``points`` (None: its saved ones):
    amounts of zero or more with at most 2 decimals, each band's maximum not below
    its minimum (the error on the maximum), pickup points on pickup methods only
    and at least one there. Raises ``ValidationError`` keyed by field."""
    if points is None:
        points = list(method.pickup_points.all()) if method.pk else []
    if errors := _method_errors(method, points):
        raise ValidationError(errors)


def _method_errors(method: ShippingMethod, points: Sequence[PickupPoint]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for name in AMOUNT_FIELDS:
        value = getattr(method, name)
        if value is None and name == "price":
            errors[name] = _error(_("Enter the price."), Code.REQUIRED)
        elif value is not None and not _is_amount(value):
            errors[name] = _error(_("Enter an amount of zero or more with at most 2 decimals."))
    for low, high in BANDS:
        least, most = getattr(method, low), getattr(method, high)
        unchecked = least is None or most is None or not {low, high}.isdisjoint(errors)
        if not unchecked and least > most:
            errors[high] = _error(_("The maximum cannot be below the minimum."))
    pickup = method.kind == ShippingMethod.Kind.PICKUP
    if points and not pickup:
        errors["pickup_points"] = _error(_("Only pickup methods have pickup points."))
    elif pickup and not points:
        errors["pickup_points"] = _error(_("Choose at least one pickup point."), Code.REQUIRED)
    return errors


def _save_method(method: ShippingMethod, data: dict[str, Any]) -> list[str]:
    changed = _assign(method, data, METHOD_FIELDS)
    points: Sequence[PickupPoint] | None = data.get("pickup_points")
    offered = points
    if offered is None:
        offered = list(method.pickup_points.all()) if method.pk else []
    _clean(method, _method_errors(method, offered), AMOUNT_FIELDS)
    save_unique(method, Code)
    if points is not None:
        method.pickup_points.set(points)
        changed.append("pickup_points")
    return changed


@transaction.atomic
def shipping_method_create(
    *, actor: User, zone: ShippingZone, data: dict[str, Any]
) -> ShippingMethod:
    """Add a method to ``zone``, after its last one unless ``position`` is given.

    ``name`` and ``price`` are required. Amounts (price, order-value band,
    ``free_above``) are zero or more with at most 2 decimals; each band's minimum
    is at most its maximum (the error goes on the maximum). ``pickup_points`` (a
    list of :class:`PickupPoint`) is required for pickup methods, refused for others.
    """
    position = int(zone.methods.aggregate(last=Max("position"))["last"] or 0) + 1
    return _save(_save_method, ShippingMethod(zone=zone, position=position), data, actor=actor)


@transaction.atomic
def shipping_method_update(
    *, actor: User, method: ShippingMethod, data: dict[str, Any]
) -> ShippingMethod:
    """Change a method; ``None`` clears a band, ``free_above`` or a weight limit, and
    ``pickup_points``, when given, replaces the method's pickup points."""
    return _save(_save_method, method, data, actor=actor)


@transaction.atomic
def shipping_method_delete(*, actor: User, method: ShippingMethod) -> None:
    """Delete a method; its pickup points stay."""
    _record(actor=actor, obj=method, action="delete")
    method.delete()


# Pickup points

PICKUP_POINT_FIELDS = (
    "name",
    "street_address",
    "postal_code",
    "city",
    "opening_hours",
    "opening_hours_en",
    "is_active",
)


def _pickup_point_errors(point: PickupPoint) -> dict[str, Any]:
    point.postal_code = spain.normalize_postal_code(point.postal_code or "")
    if point.postal_code and not spain.is_valid_postal_code(point.postal_code):
        return {"postal_code": _error(_("Enter a valid Spanish postal code (5 digits)."))}
    return {}


def pickup_point_check(point: PickupPoint) -> None:
    """Normalise the postal code; INVALID on ``postal_code`` unless it is a Spanish one."""
    if errors := _pickup_point_errors(point):
        raise ValidationError(errors)


def _save_pickup_point(point: PickupPoint, data: dict[str, Any]) -> list[str]:
    changed = _assign(point, data, PICKUP_POINT_FIELDS)
    _clean(point, _pickup_point_errors(point))
    save_unique(point, Code)
    return changed


@transaction.atomic
def pickup_point_create(*, actor: User, data: dict[str, Any]) -> PickupPoint:
    """Add a pickup point (a customer office); every field but ``opening_hours_en`` is
    required and the postal code must be a Spanish one (INVALID)."""
    return _save(_save_pickup_point, PickupPoint(), data, actor=actor)


@transaction.atomic
def pickup_point_update(*, actor: User, point: PickupPoint, data: dict[str, Any]) -> PickupPoint:
    """Change a pickup point; ``is_active=False`` closes it for a while and keeps it
    in its methods."""
    return _save(_save_pickup_point, point, data, actor=actor)


@transaction.atomic
def pickup_point_delete(*, actor: User, point: PickupPoint) -> None:
    """Delete a pickup point; the methods that offered it keep their other points.

    IN_USE, and nothing deleted, when it is the only point of a pickup method: a
    pickup method always names somewhere to collect. Give that method another
    point or delete it first, or deactivate this point instead.
    """
    # Locked, so two deletions cannot each leave the other's point as the last one.
    offering = ShippingMethod.objects.select_for_update().filter(pickup_points=point)
    method_ids = list(offering.values_list("pk", flat=True))
    stranded = (
        ShippingMethod.objects.filter(pk__in=method_ids, kind=ShippingMethod.Kind.PICKUP)
        .annotate(points=Count("pickup_points"))
        .filter(points=1)
        .order_by("pk")
    )
    names = ", ".join(method.name for method in stranded)
    if names:
        raise _error(
            _("It is the only pickup point of: %(methods)s.") % {"methods": names}, Code.IN_USE
        )
    _record(actor=actor, obj=point, action="delete")
    point.delete()
