import pytest

from shop.accounts import spain


@pytest.mark.parametrize(
    ("code", "province"),
    [
        ("01001", "Álava"),
        ("07001", "Illes Balears"),
        ("08001", "Barcelona"),
        ("28013", "Madrid"),
        ("35001", "Las Palmas"),
        ("38001", "Santa Cruz de Tenerife"),
        ("41001", "Sevilla"),
        ("51001", "Ceuta"),
        ("52001", "Melilla"),
    ],
)
def test_province_for_a_valid_postal_code(code, province):
    assert spain.is_valid_postal_code(code) is True
    assert spain.province_for(code) == province


@pytest.mark.parametrize(
    "code", ["", "4100", "410011", "00123", "00000", "53000", "99999", "ABCDE", "41 01", "4100A"]
)
def test_invalid_postal_code_has_no_province(code):
    assert spain.is_valid_postal_code(code) is False
    with pytest.raises(KeyError):
        spain.province_for(code)


def test_every_province_prefix_from_01_to_52_is_known():
    assert sorted(spain.PROVINCES) == [f"{n:02d}" for n in range(1, 53)]
    assert all(spain.is_valid_postal_code(f"{prefix}000") for prefix in spain.PROVINCES)


@pytest.mark.parametrize(
    ("raw", "normalized"), [(" 41001 ", "41001"), ("41 001", "41001"), ("41001", "41001")]
)
def test_normalize_postal_code_drops_spaces(raw, normalized):
    assert spain.normalize_postal_code(raw) == normalized


@pytest.mark.parametrize(
    "phone", ["954123456", "612345678", "+34612345678", "+34 954 12 34 56", "954-123-456"]
)
def test_valid_spanish_phone(phone):
    assert spain.is_valid_phone(phone) is True


@pytest.mark.parametrize(
    "phone", ["", "12345", "512345678", "61234567", "6123456789", "+33612345678", "0034612345678"]
)
def test_invalid_phone(phone):
    assert spain.is_valid_phone(phone) is False


def test_postal_codes_and_phones_take_ascii_digits_only_and_no_trailing_newline():
    from shop.accounts import spain

    assert spain.is_valid_postal_code("41001") is True
    assert spain.is_valid_postal_code("41\u066001") is False  # Arabic-Indic zero
    assert spain.is_valid_postal_code("41001\n") is False
    assert spain.is_valid_phone("600000000") is True
    assert spain.is_valid_phone("6\u0660\u06600000000"[:9]) is False
    assert spain.is_valid_phone("600000000\n") is False
