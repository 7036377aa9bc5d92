"""Spanish postal codes: five digits, the first two name the province (01-52)."""

from __future__ import annotations

import re

POSTAL_CODE_RE = re.compile(r"^(0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}$")

PROVINCES: dict[str, str] = {
    "01": "Álava",
    "02": "Albacete",
    "03": "Alicante",
    "04": "Almería",
    "05": "Ávila",
    "06": "Badajoz",
    "07": "Illes Balears",
    "08": "Barcelona",
    "09": "Burgos",
    "10": "Cáceres",
    "11": "Cádiz",
    "12": "Castellón",
    "13": "Ciudad Real",
    "14": "Córdoba",
    "15": "A Coruña",
    "16": "Cuenca",
    "17": "Girona",
    "18": "Granada",
    "19": "Guadalajara",
    "20": "Gipuzkoa",
    "21": "Huelva",
    "22": "Huesca",
    "23": "Jaén",
    "24": "León",
    "25": "Lleida",
    "26": "La Rioja",
    "27": "Lugo",
    "28": "Madrid",
    "29": "Málaga",
    "30": "Murcia",
    "31": "Navarra",
    "32": "Ourense",
    "33": "Asturias",
    "34": "Palencia",
    "35": "Las Palmas",
    "36": "Pontevedra",
    "37": "Salamanca",
    "38": "Santa Cruz de Tenerife",
    "39": "Cantabria",
    "40": "Segovia",
    "41": "Sevilla",
    "42": "Soria",
    "43": "Tarragona",
    "44": "Teruel",
    "45": "Toledo",
    "46": "Valencia",
    "47": "Valladolid",
    "48": "Bizkaia",
    "49": "Zamora",
    "50": "Zaragoza",
    "51": "Ceuta",
    "52": "Melilla",
}


def normalize_postal_code(raw: str) -> str:
    return raw.strip().replace(" ", "")


def is_valid_postal_code(code: str) -> bool:
    return bool(POSTAL_CODE_RE.fullmatch(code))


def province_for(code: str) -> str:
    """The province a valid postal code belongs to; ``KeyError`` for an invalid one."""
    if not is_valid_postal_code(code):
        raise KeyError(code)
    return PROVINCES[code[:2]]


PHONE_RE = re.compile(r"^(\+34)?[6-9][0-9]{8}$")


def is_valid_phone(raw: str) -> bool:
    """A Spanish landline or mobile number, optionally with +34; spaces ignored."""
    return bool(PHONE_RE.fullmatch(raw.replace(" ", "").replace("-", "")))
