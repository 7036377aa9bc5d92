"""Demo catalogue for ``seed_demo``: idempotent, keyed on natural keys.

Categories, attributes, collections and warehouses are keyed on their slugs,
products on their slugs and variants on their SKUs, and are updated in place on
every run. Stock rows and product images are only created when missing: stock
moves with orders and the back office, and drawing images again would leave
orphan files behind.
"""

from __future__ import annotations

import html
import io
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from catalog.media import generate_thumbnails
from catalog.models import (
    Attribute,
    AttributeChoice,
    Category,
    Collection,
    CollectionProduct,
    Product,
    ProductAttributeValue,
    ProductMedia,
    ProductVariant,
    Stock,
    TaxClass,
    Warehouse,
)

IMAGE_SIZE = 800

Colour = tuple[int, int, int]
# A specification value: a number, a yes/no, a choice slug or a (Spanish, English) text.
SpecValue = Decimal | bool | str | tuple[str, str]


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str
    colour: Colour
    shape: str  # "drop", "circle" or "square": drawn on the product images
    parent: str | None = None


@dataclass(frozen=True)
class DemoVariant:
    sku: str
    price: Decimal
    name: str = ""
    name_en: str = ""
    compare_at_price: Decimal | None = None
    weight_grams: int = 0
    track_inventory: bool = True


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    category: str
    name: str
    name_en: str
    description: str
    description_en: str
    variants: tuple[DemoVariant, ...]
    specs: Mapping[str, SpecValue] = field(default_factory=dict)
    tax_class: str = TaxClass.GENERAL
    is_published: bool = True


@dataclass(frozen=True)
class DemoCollection:
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str
    products: tuple[str, ...]  # product slugs, in display order
    is_published: bool = True


WAREHOUSES = [
    {
        "slug": "almacen-central",
        "name": "Almacén central",
        "city": "Sevilla",
        "postal_code": "41007",
    },
    {
        "slug": "almacen-norte",
        "name": "Almacén norte",
        "city": "Dos Hermanas",
        "postal_code": "41700",
    },
]

ATTRIBUTES: list[dict[str, str]] = [
    {"slug": "caudal", "name": "Caudal", "name_en": "Flow rate", "type": "number", "unit": "l/min"},
    {
        "slug": "capacidad",
        "name": "Capacidad",
        "name_en": "Capacity",
        "type": "number",
        "unit": "l",
    },
    {"slug": "material", "name": "Material", "name_en": "Material", "type": "choice", "unit": ""},
    {"slug": "color", "name": "Color", "name_en": "Colour", "type": "choice", "unit": ""},
    {
        "slug": "apto-lavavajillas",
        "name": "Apto para lavavajillas",
        "name_en": "Dishwasher safe",
        "type": "boolean",
        "unit": "",
    },
    {"slug": "rosca", "name": "Rosca", "name_en": "Thread", "type": "text", "unit": ""},
]

CHOICES: dict[str, list[tuple[str, str, str]]] = {
    "material": [
        ("acero-inoxidable", "Acero inoxidable", "Stainless steel"),
        ("plastico-reciclado", "Plástico reciclado", "Recycled plastic"),
        ("laton", "Latón", "Brass"),
        ("vidrio", "Vidrio", "Glass"),
        ("aluminio", "Aluminio", "Aluminium"),
        ("polipropileno", "Polipropileno", "Polypropylene"),
        ("fundicion-ductil", "Fundición dúctil", "Ductile iron"),
        ("algodon-organico", "Algodón orgánico", "Organic cotton"),
        ("ceramica", "Cerámica", "Ceramic"),
    ],
    "color": [
        ("blanco", "Blanco", "White"),
        ("negro", "Negro", "Black"),
        ("azul", "Azul", "Blue"),
        ("verde", "Verde", "Green"),
        ("gris", "Gris", "Grey"),
        ("cromo", "Cromo", "Chrome"),
    ],
}

CATEGORIES = [
    DemoCategory(
        "kits-ahorro-agua",
        "Kits de ahorro de agua",
        "Water-saving kits",
        "<p>Todo lo necesario para reducir el consumo de agua en casa, en una caja.</p>",
        "<p>Everything you need to use less water at home, in one box.</p>",
        (0, 119, 182),
        "drop",
    ),
    DemoCategory(
        "griferia-y-aireadores",
        "Grifería y aireadores",
        "Taps and aerators",
        "<p>Grifos eficientes y accesorios que mezclan aire con el agua para gastar menos.</p>",
        "<p>Efficient taps and accessories that mix air into the water so you use less.</p>",
        (84, 110, 122),
        "circle",
    ),
    DemoCategory(
        "aireadores",
        "Aireadores",
        "Aerators",
        "<p>Aireadores para grifos de lavabo, fregadero y fuentes públicas.</p>",
        "<p>Aerators for basin, kitchen sink and public fountain taps.</p>",
        (69, 90, 100),
        "circle",
        parent="griferia-y-aireadores",
    ),
    DemoCategory(
        "reductores-de-caudal",
        "Reductores de caudal",
        "Flow restrictors",
        "<p>Limitan el caudal máximo del grifo o la ducha sin perder confort.</p>",
        "<p>They cap the maximum flow of a tap or shower without losing comfort.</p>",
        (96, 125, 139),
        "square",
        parent="griferia-y-aireadores",
    ),
    DemoCategory(
        "duchas-y-alcachofas",
        "Duchas y alcachofas",
        "Showers and shower heads",
        "<p>Alcachofas, rociadores y flexos que ahorran agua y energía.</p>",
        "<p>Shower heads, rain showers and hoses that save water and energy.</p>",
        (0, 137, 123),
        "drop",
    ),
    DemoCategory(
        "filtracion",
        "Filtración",
        "Filtration",
        "<p>Mejora el sabor del agua del grifo y olvídate del agua embotellada.</p>",
        "<p>Improve the taste of tap water and forget about bottled water.</p>",
        (2, 136, 209),
        "drop",
    ),
    DemoCategory(
        "jarras-filtrantes",
        "Jarras filtrantes",
        "Filter jugs",
        "<p>Jarras y cartuchos que reducen el cloro y la cal del agua del grifo.</p>",
        "<p>Jugs and cartridges that reduce chlorine and limescale in tap water.</p>",
        (3, 155, 229),
        "square",
        parent="filtracion",
    ),
    DemoCategory(
        "filtros-de-grifo",
        "Filtros de grifo",
        "Tap filters",
        "<p>Filtros que se montan en el grifo o bajo el fregadero.</p>",
        "<p>Filters fitted on the tap or under the sink.</p>",
        (2, 119, 189),
        "circle",
        parent="filtracion",
    ),
    DemoCategory(
        "botellas-y-cantimploras",
        "Botellas y cantimploras",
        "Bottles and flasks",
        "<p>Botellas reutilizables para llevar agua del grifo a cualquier parte.</p>",
        "<p>Reusable bottles to take tap water anywhere.</p>",
        (56, 142, 60),
        "square",
    ),
    DemoCategory(
        "deteccion-de-fugas",
        "Detección de fugas",
        "Leak detection",
        "<p>Descubre a tiempo las fugas que disparan tu factura del agua.</p>",
        "<p>Find the leaks that push up your water bill before they grow.</p>",
        (211, 47, 47),
        "drop",
    ),
    DemoCategory(
        "accesorios-para-contador",
        "Accesorios para contador",
        "Water meter accessories",
        "<p>Arquetas, tapas, llaves y protecciones para la instalación del contador.</p>",
        "<p>Meter boxes, covers, valves and protection for the meter installation.</p>",
        (109, 76, 65),
        "square",
    ),
    DemoCategory(
        "riego-de-jardin",
        "Riego de jardín",
        "Garden watering",
        "<p>Riega solo lo necesario: goteo, programadores y agua de lluvia.</p>",
        "<p>Water only what is needed: drip irrigation, timers and rainwater.</p>",
        (104, 159, 56),
        "circle",
    ),
    DemoCategory(
        "fuentes-de-agua-potable",
        "Fuentes de agua potable",
        "Drinking fountains",
        "<p>Fuentes para exteriores, oficinas y mascotas conectadas a la red.</p>",
        "<p>Mains-fed fountains for outdoors, offices and pets.</p>",
        (25, 118, 210),
        "drop",
    ),
    DemoCategory(
        "merchandising",
        "Merchandising",
        "Merchandise",
        "<p>Camisetas, tazas y bolsas con los diseños de nuestras campañas.</p>",
        "<p>T-shirts, mugs and bags with the designs of our campaigns.</p>",
        (123, 31, 162),
        "circle",
    ),
    DemoCategory(
        "libros-y-guias",
        "Libros y guías",
        "Books and guides",
        "<p>Publicaciones para aprender a cuidar el agua, en casa y en el aula.</p>",
        "<p>Publications to learn how to look after water, at home and at school.</p>",
        (239, 108, 0),
        "square",
    ),
]


def _v(
    sku: str,
    price: str,
    name: str = "",
    name_en: str = "",
    *,
    compare_at: str | None = None,
    weight: int = 0,
    tracked: bool = True,
) -> DemoVariant:
    return DemoVariant(
        sku=sku,
        price=Decimal(price),
        name=name,
        name_en=name_en,
        compare_at_price=Decimal(compare_at) if compare_at else None,
        weight_grams=weight,
        track_inventory=tracked,
    )


PRODUCTS = [
    # Kits de ahorro de agua
    DemoProduct(
        "kit-ahorro-basico",
        "kits-ahorro-agua",
        "Kit de ahorro básico",
        "Basic water-saving kit",
        "<p>El punto de partida para ahorrar agua en casa: dos aireadores para lavabo y "
        "fregadero, una alcachofa de ducha ahorradora y una bolsa para la cisterna.</p>"
        "<p>Se instala en minutos, sin herramientas, y reduce hasta un 40 % el consumo de "
        "agua de grifos y ducha.</p>",
        "<p>The starting point for saving water at home: two aerators for the basin and "
        "kitchen sink, a water-saving shower head and a cistern bag.</p>"
        "<p>Fits in minutes, without tools, and cuts tap and shower water use by up to "
        "40 %.</p>",
        (_v("KIT-AHO-001", "12.95", "Estándar", "Standard", compare_at="15.95", weight=450),),
        {"caudal": Decimal("6"), "material": "plastico-reciclado"},
    ),
    DemoProduct(
        "kit-ahorro-familiar",
        "kits-ahorro-agua",
        "Kit de ahorro familiar",
        "Family water-saving kit",
        "<p>Pensado para hogares con dos baños: dos alcachofas ahorradoras, cuatro aireadores, "
        "dos reductores de caudal, dos bolsas para cisterna y un temporizador de ducha.</p>"
        "<p>Una familia de cuatro personas puede ahorrar más de 30.000 litros al año.</p>",
        "<p>Designed for homes with two bathrooms: two water-saving shower heads, four "
        "aerators, two flow restrictors, two cistern bags and a shower timer.</p>"
        "<p>A family of four can save more than 30,000 litres a year.</p>",
        (_v("KIT-AHO-002", "29.95", "Estándar", "Standard", weight=1200),),
        {"caudal": Decimal("6"), "material": "plastico-reciclado"},
    ),
    DemoProduct(
        "kit-ahorro-cocina",
        "kits-ahorro-agua",
        "Kit de ahorro para cocina",
        "Kitchen water-saving kit",
        "<p>Un aireador giratorio de dos chorros, un reductor de caudal para el fregadero y un "
        "cepillo para limpiar la cal de los filtros.</p>",
        "<p>A two-spray swivel aerator, a flow restrictor for the kitchen sink and a brush to "
        "clean limescale off the filters.</p>",
        (_v("KIT-AHO-003", "14.50", "Cromo", "Chrome", weight=320),),
        {"caudal": Decimal("6"), "material": "laton", "color": "cromo"},
    ),
    DemoProduct(
        "kit-ahorro-bano",
        "kits-ahorro-agua",
        "Kit de ahorro para baño",
        "Bathroom water-saving kit",
        "<p>Dos aireadores para lavabo, una alcachofa de ducha de bajo caudal y un adaptador de "
        "doble descarga para la cisterna del inodoro.</p>"
        "<p>Compatible con la mayoría de grifos con rosca M22 y M24.</p>",
        "<p>Two basin aerators, a low-flow shower head and a dual-flush adapter for the toilet "
        "cistern.</p>"
        "<p>Fits most taps with an M22 or M24 thread.</p>",
        (_v("KIT-AHO-004", "19.95", "Estándar", "Standard", weight=650),),
        {"caudal": Decimal("7"), "material": "plastico-reciclado"},
    ),
    DemoProduct(
        "bolsa-ahorro-cisterna",
        "kits-ahorro-agua",
        "Bolsa de ahorro para cisterna (pack de 2)",
        "Cistern water-saving bag (pack of 2)",
        "<p>Se llena de agua y se coloca dentro de la cisterna: cada descarga gasta dos litros "
        "menos sin perder eficacia.</p>",
        "<p>Fill it with water and place it in the cistern: every flush uses two litres less "
        "without losing effectiveness.</p>",
        (_v("KIT-CIS-001", "4.95", "Pack de 2", "Pack of 2", weight=90),),
        {"capacidad": Decimal("2"), "material": "plastico-reciclado"},
    ),
    DemoProduct(
        "temporizador-ducha",
        "kits-ahorro-agua",
        "Temporizador de ducha de arena",
        "Sand shower timer",
        "<p>Un reloj de arena de cinco minutos con ventosa para la mampara. Ideal para enseñar "
        "a los más pequeños a ducharse sin malgastar agua.</p>",
        "<p>A five-minute sand timer with a suction cup for the shower screen. Ideal for "
        "teaching children to shower without wasting water.</p>",
        (
            _v("KIT-TMP-001", "3.50", "Azul", "Blue", weight=40),
            _v("KIT-TMP-002", "3.50", "Verde", "Green", weight=40),
        ),
        {"material": "plastico-reciclado", "color": "azul"},
    ),
    # Grifería y aireadores
    DemoProduct(
        "aireador-rosca-hembra-m22",
        "aireadores",
        "Aireador ahorrador rosca hembra M22",
        "Water-saving aerator, M22 female thread",
        "<p>Sustituye el filtro de tu grifo de lavabo y mezcla aire con el agua: el chorro "
        "parece igual de abundante con la mitad de caudal.</p>"
        "<p>Incluye junta y llave de montaje.</p>",
        "<p>Replaces the filter of your basin tap and mixes air into the water: the stream "
        "feels just as generous at half the flow.</p>"
        "<p>Seal and fitting key included.</p>",
        (
            _v("GRI-AIR-001", "4.95", "Cromo", "Chrome", weight=30),
            _v("GRI-AIR-002", "5.95", "Negro mate", "Matt black", weight=30),
        ),
        {"caudal": Decimal("5"), "material": "laton", "rosca": ("M22 hembra", "M22 female")},
    ),
    DemoProduct(
        "aireador-rosca-macho-m24",
        "aireadores",
        "Aireador ahorrador rosca macho M24",
        "Water-saving aerator, M24 male thread",
        "<p>Para grifos de cocina con rosca exterior. Reduce el caudal a 5 litros por minuto y "
        "evita las salpicaduras.</p>",
        "<p>For kitchen taps with an outer thread. Cuts the flow to 5 litres per minute and "
        "prevents splashing.</p>",
        (_v("GRI-AIR-003", "4.95", "Cromo", "Chrome", weight=35),),
        {"caudal": Decimal("5"), "material": "laton", "rosca": ("M24 macho", "M24 male")},
    ),
    DemoProduct(
        "aireador-giratorio-cocina",
        "aireadores",
        "Aireador giratorio de cocina con dos chorros",
        "Two-spray swivel kitchen aerator",
        "<p>Gira 360 grados para llegar a todos los rincones del fregadero y alterna entre "
        "chorro aireado y ducha con un toque.</p>",
        "<p>Swivels 360 degrees to reach every corner of the sink and switches between an "
        "aerated stream and a spray at a touch.</p>",
        (_v("GRI-AIR-004", "8.95", "Cromo", "Chrome", compare_at="10.95", weight=80),),
        {"caudal": Decimal("6"), "material": "laton", "color": "cromo"},
    ),
    DemoProduct(
        "aireador-antivandalico",
        "aireadores",
        "Aireador antivandálico con llave",
        "Anti-vandal aerator with key",
        "<p>Aireador oculto que solo se desmonta con su llave especial. Pensado para colegios, "
        "instalaciones deportivas y edificios públicos.</p>",
        "<p>A concealed aerator that can only be removed with its special key. Designed for "
        "schools, sports facilities and public buildings.</p>",
        (_v("GRI-AIR-005", "7.50", "Cromo", "Chrome", weight=45),),
        {"caudal": Decimal("4"), "material": "laton", "rosca": ("M22 hembra", "M22 female")},
    ),
    DemoProduct(
        "reductor-caudal-ducha",
        "reductores-de-caudal",
        "Reductor de caudal para ducha 8 l/min",
        "Shower flow restrictor 8 l/min",
        "<p>Se coloca entre el grifo y el flexo de la ducha y limita el caudal a 8 litros por "
        "minuto, sea cual sea la presión de la red.</p>",
        "<p>Fits between the mixer and the shower hose and caps the flow at 8 litres per "
        "minute, whatever the mains pressure.</p>",
        (_v("GRI-RED-001", "3.95", "Estándar", "Standard", weight=25),),
        {"caudal": Decimal("8"), "material": "laton", "rosca": ('1/2" macho', '1/2" male')},
    ),
    DemoProduct(
        "reductor-caudal-grifo-pack-4",
        "reductores-de-caudal",
        "Reductor de caudal para grifo (pack de 4)",
        "Tap flow restrictor (pack of 4)",
        "<p>Cuatro discos reductores que se insertan en el aireador del grifo. Una solución "
        "económica para toda la casa.</p>",
        "<p>Four restrictor discs that fit inside the tap aerator. An inexpensive solution "
        "for the whole home.</p>",
        (_v("GRI-RED-002", "5.95", "Pack de 4", "Pack of 4", weight=20),),
        {"caudal": Decimal("6"), "material": "plastico-reciclado"},
    ),
    DemoProduct(
        "grifo-temporizado-lavabo",
        "griferia-y-aireadores",
        "Grifo temporizado para lavabo",
        "Timed push-button basin tap",
        "<p>Se abre con un pulsador y se cierra solo a los 15 segundos: nunca más un grifo "
        "olvidado abierto.</p>"
        "<p>Cuerpo de latón cromado y aireador ahorrador integrado.</p>",
        "<p>Opens with a push button and closes by itself after 15 seconds: never again a tap "
        "left running.</p>"
        "<p>Chrome-plated brass body with a built-in water-saving aerator.</p>",
        (_v("GRI-GRF-001", "39.90", "Cromo", "Chrome", compare_at="49.90", weight=900),),
        {"caudal": Decimal("3"), "material": "laton", "color": "cromo"},
    ),
    DemoProduct(
        "grifo-termostatico-ducha",
        "griferia-y-aireadores",
        "Grifo termostático de ducha",
        "Thermostatic shower mixer",
        "<p>Mantiene la temperatura elegida desde el primer momento, sin dejar correr el agua "
        "mientras se templa.</p>"
        "<p>Tope de seguridad a 38 °C y botón de ahorro.</p>",
        "<p>Keeps the chosen temperature from the first moment, without running the water "
        "while it warms up.</p>"
        "<p>Safety stop at 38 °C and an eco button.</p>",
        (
            _v("GRI-GRF-002", "119.00", "Cromo", "Chrome", weight=2100),
            _v("GRI-GRF-003", "129.00", "Negro mate", "Matt black", weight=2100),
        ),
        {"material": "laton", "color": "cromo", "rosca": ('1/2" macho', '1/2" male')},
    ),
    # Duchas y alcachofas
    DemoProduct(
        "alcachofa-ducha-ahorradora",
        "duchas-y-alcachofas",
        "Alcachofa de ducha ahorradora 3 funciones",
        "Three-mode water-saving shower head",
        "<p>Lluvia, masaje y chorro concentrado con solo 7 litros por minuto, frente a los 15 de "
        "una alcachofa convencional.</p>"
        "<p>Difusores de silicona que se limpian de cal con los dedos.</p>",
        "<p>Rain, massage and jet modes at only 7 litres per minute, against 15 for a "
        "conventional shower head.</p>"
        "<p>Silicone nozzles you can rub clean of limescale.</p>",
        (
            _v("DUC-ALC-001", "14.95", "Blanco", "White", weight=180),
            _v("DUC-ALC-002", "17.95", "Cromo", "Chrome", compare_at="21.95", weight=190),
        ),
        {"caudal": Decimal("7"), "material": "plastico-reciclado", "color": "blanco"},
    ),
    DemoProduct(
        "alcachofa-ducha-filtro-vitamina-c",
        "duchas-y-alcachofas",
        "Alcachofa de ducha con filtro de vitamina C",
        "Shower head with vitamin C filter",
        "<p>Su cartucho de vitamina C neutraliza el cloro del agua, más agradable para la piel "
        "y el cabello. Cartucho de recambio cada seis meses.</p>",
        "<p>Its vitamin C cartridge neutralises chlorine in the water, gentler on skin and "
        "hair. Replace the cartridge every six months.</p>",
        (_v("DUC-ALC-003", "19.95", "Blanco", "White", weight=230),),
        {"caudal": Decimal("8"), "material": "plastico-reciclado", "color": "blanco"},
    ),
    DemoProduct(
        "rociador-techo-ahorrador",
        "duchas-y-alcachofas",
        "Rociador de techo ahorrador 25 cm",
        "Water-saving rain shower head 25 cm",
        "<p>La sensación de una ducha de lluvia con un caudal limitado a 9 litros por minuto. "
        "Acero inoxidable pulido de 25 cm de diámetro.</p>",
        "<p>The feeling of a rain shower with the flow capped at 9 litres per minute. Polished "
        "stainless steel, 25 cm across.</p>",
        (_v("DUC-ROC-001", "49.00", "Cromo", "Chrome", weight=1300),),
        {"caudal": Decimal("9"), "material": "acero-inoxidable", "color": "cromo"},
    ),
    DemoProduct(
        "flexo-ducha-antitorsion",
        "duchas-y-alcachofas",
        "Flexo de ducha antitorsión",
        "Anti-twist shower hose",
        "<p>Flexo de acero inoxidable con giro libre en ambos extremos para que no se enrede "
        "ni se doble. Roscas universales de 1/2 pulgada.</p>",
        "<p>Stainless steel hose that swivels at both ends so it never tangles or kinks. "
        "Universal 1/2 inch threads.</p>",
        (
            _v("DUC-FLX-001", "9.95", "1,5 m", "1.5 m", weight=260),
            _v("DUC-FLX-002", "11.95", "2 m", "2 m", weight=330),
        ),
        {"material": "acero-inoxidable", "rosca": ('1/2" hembra', '1/2" female')},
    ),
    # Filtración
    DemoProduct(
        "jarra-filtrante-2-5-l",
        "jarras-filtrantes",
        "Jarra filtrante 2,5 l",
        "Filter jug 2.5 l",
        "<p>Reduce el cloro, la cal y el sabor a tubería del agua del grifo. Incluye un "
        "cartucho que filtra hasta 150 litros, unas cuatro semanas de uso.</p>"
        "<p>Indicador de cambio de cartucho en la tapa.</p>",
        "<p>Reduces chlorine, limescale and pipe taste in tap water. Comes with a cartridge "
        "that filters up to 150 litres, about four weeks of use.</p>"
        "<p>Cartridge change indicator on the lid.</p>",
        (
            _v("FIL-JAR-001", "24.95", "Blanco", "White", weight=850),
            _v("FIL-JAR-002", "24.95", "Azul", "Blue", weight=850),
        ),
        {
            "capacidad": Decimal("2.5"),
            "material": "plastico-reciclado",
            "color": "blanco",
            "apto-lavavajillas": True,
        },
    ),
    DemoProduct(
        "jarra-filtrante-vidrio-1-5-l",
        "jarras-filtrantes",
        "Jarra filtrante de vidrio 1,5 l",
        "Glass filter jug 1.5 l",
        "<p>Cuerpo de vidrio de borosilicato, sin plásticos en contacto con el agua filtrada. "
        "Compatible con los cartuchos estándar de la tienda.</p>",
        "<p>Borosilicate glass body, with no plastic touching the filtered water. Takes the "
        "shop's standard cartridges.</p>",
        (_v("FIL-JAR-003", "34.95", "Vidrio", "Glass", compare_at="39.95", weight=1100),),
        {"capacidad": Decimal("1.5"), "material": "vidrio", "apto-lavavajillas": True},
    ),
    DemoProduct(
        "cartuchos-jarra-filtrante",
        "jarras-filtrantes",
        "Cartuchos filtrantes para jarra",
        "Filter jug cartridges",
        "<p>Cartuchos de carbón activo y resina de intercambio iónico. Cada uno filtra 150 "
        "litros. Compatibles con todas nuestras jarras.</p>",
        "<p>Activated carbon and ion-exchange resin cartridges. Each one filters 150 litres. "
        "They fit all our jugs.</p>",
        (
            _v("FIL-CAR-001", "17.95", "Pack de 3", "Pack of 3", weight=240),
            _v("FIL-CAR-002", "32.95", "Pack de 6", "Pack of 6", compare_at="35.90", weight=470),
        ),
        {"material": "plastico-reciclado"},
    ),
    DemoProduct(
        "filtro-grifo-carbon-activo",
        "filtros-de-grifo",
        "Filtro de grifo de carbón activo",
        "Activated carbon tap filter",
        "<p>Se enrosca en el grifo de la cocina y ofrece agua filtrada o sin filtrar con una "
        "palanca. Cada cartucho dura unos tres meses.</p>",
        "<p>Screws onto the kitchen tap and gives filtered or unfiltered water at the flick of "
        "a lever. Each cartridge lasts about three months.</p>",
        (_v("FIL-GRI-001", "29.95", "Blanco", "White", weight=300),),
        {"caudal": Decimal("1.5"), "material": "plastico-reciclado", "color": "blanco"},
    ),
    DemoProduct(
        "recambio-filtro-grifo",
        "filtros-de-grifo",
        "Recambio para filtro de grifo",
        "Tap filter replacement cartridge",
        "<p>Cartucho de recambio para el filtro de grifo de carbón activo. Cámbialo cada 900 "
        "litros o tres meses.</p>",
        "<p>Replacement cartridge for the activated carbon tap filter. Change it every 900 "
        "litres or three months.</p>",
        (
            _v("FIL-GRI-002", "12.95", "1 unidad", "Single", weight=90),
            _v("FIL-GRI-003", "23.95", "Pack de 2", "Pack of 2", weight=180),
        ),
        {"caudal": Decimal("1.5")},
    ),
    DemoProduct(
        "osmosis-inversa-bajo-fregadero",
        "filtros-de-grifo",
        "Equipo de ósmosis inversa bajo fregadero",
        "Under-sink reverse osmosis system",
        "<p>Cinco etapas de filtración y depósito de 12 litros. Incluye grifo independiente y "
        "kit de instalación.</p>"
        "<p>Recomendado solo para aguas muy duras: el agua de nuestra red ya es apta para el "
        "consumo.</p>",
        "<p>Five filtration stages and a 12-litre tank. Includes a separate tap and an "
        "installation kit.</p>"
        "<p>Recommended only for very hard water: the water in our network is already safe "
        "to drink.</p>",
        (_v("FIL-OSM-001", "249.00", "Estándar", "Standard", compare_at="299.00", weight=9000),),
        {"capacidad": Decimal("12"), "caudal": Decimal("0.5")},
    ),
    DemoProduct(
        "kit-analisis-agua-grifo",
        "filtracion",
        "Kit de análisis del agua del grifo",
        "Tap water test kit",
        "<p>Tiras reactivas para medir en casa la dureza, el cloro libre y el pH del agua. "
        "Resultados en un minuto.</p>",
        "<p>Test strips to measure water hardness, free chlorine and pH at home. Results in "
        "one minute.</p>",
        (_v("FIL-ANA-001", "9.95", "25 tiras", "25 strips", weight=60),),
    ),
    # Botellas y cantimploras
    DemoProduct(
        "botella-reutilizable-750-ml",
        "botellas-y-cantimploras",
        "Botella reutilizable 750 ml",
        "Reusable bottle 750 ml",
        "<p>Botella de acero inoxidable de pared simple, ligera y sin BPA. Rellénala en "
        "cualquier fuente pública y evita cientos de botellas de plástico al año.</p>",
        "<p>Single-wall stainless steel bottle, light and BPA-free. Refill it at any public "
        "fountain and avoid hundreds of plastic bottles a year.</p>",
        (
            _v("BOT-REU-001", "14.95", "Azul", "Blue", weight=210),
            _v("BOT-REU-002", "14.95", "Blanco", "White", weight=210),
            _v("BOT-REU-003", "14.95", "Negro", "Black", weight=210),
        ),
        {
            "capacidad": Decimal("0.75"),
            "material": "acero-inoxidable",
            "color": "azul",
            "apto-lavavajillas": True,
        },
    ),
    DemoProduct(
        "botella-termica-500-ml",
        "botellas-y-cantimploras",
        "Botella térmica 500 ml",
        "Insulated bottle 500 ml",
        "<p>Doble pared de acero inoxidable con vacío: mantiene el agua fría 24 horas y las "
        "bebidas calientes 12 horas.</p>"
        "<p>Lavar a mano para conservar el aislamiento.</p>",
        "<p>Vacuum-insulated double stainless steel wall: keeps water cold for 24 hours and "
        "hot drinks for 12 hours.</p>"
        "<p>Hand wash to preserve the insulation.</p>",
        (
            _v("BOT-TER-001", "19.95", "Verde", "Green", weight=320),
            _v("BOT-TER-002", "19.95", "Gris", "Grey", compare_at="24.95", weight=320),
        ),
        {
            "capacidad": Decimal("0.5"),
            "material": "acero-inoxidable",
            "color": "verde",
            "apto-lavavajillas": False,
        },
    ),
    DemoProduct(
        "cantimplora-infantil-400-ml",
        "botellas-y-cantimploras",
        "Cantimplora infantil 400 ml",
        "Children's water bottle 400 ml",
        "<p>Ligera, con boquilla antigoteo y asa para colgar de la mochila. Ilustraciones de "
        "nuestra mascota, la gota Clara.</p>",
        "<p>Light, with a leak-proof spout and a loop to hang it from a school bag. Featuring "
        "our mascot, Clara the drop.</p>",
        (
            _v("BOT-INF-001", "9.95", "Azul", "Blue", weight=120),
            _v("BOT-INF-002", "9.95", "Verde", "Green", weight=120),
        ),
        {
            "capacidad": Decimal("0.4"),
            "material": "aluminio",
            "color": "azul",
            "apto-lavavajillas": False,
        },
    ),
    DemoProduct(
        "botella-vidrio-funda-600-ml",
        "botellas-y-cantimploras",
        "Botella de vidrio con funda de silicona 600 ml",
        "Glass bottle with silicone sleeve 600 ml",
        "<p>Vidrio de borosilicato resistente a cambios de temperatura, con funda de silicona "
        "que protege de golpes y tapón de bambú.</p>",
        "<p>Borosilicate glass that withstands temperature changes, with a silicone sleeve "
        "against knocks and a bamboo cap.</p>",
        (_v("BOT-VID-001", "12.95", "Transparente", "Clear", weight=380),),
        {"capacidad": Decimal("0.6"), "material": "vidrio", "apto-lavavajillas": True},
    ),
    # Detección de fugas
    DemoProduct(
        "pastillas-deteccion-fugas-cisterna",
        "deteccion-de-fugas",
        "Pastillas para detectar fugas en la cisterna (10 uds)",
        "Cistern leak detection tablets (10 pcs)",
        "<p>Echa una pastilla en la cisterna y espera 15 minutos sin tirar de la cadena: si el "
        "agua del inodoro se tiñe de azul, tu cisterna pierde agua.</p>",
        "<p>Drop a tablet into the cistern and wait 15 minutes without flushing: if the water "
        "in the bowl turns blue, your cistern is leaking.</p>",
        (_v("FUG-PAS-001", "2.95", "10 pastillas", "10 tablets", weight=30),),
    ),
    DemoProduct(
        "sensor-fugas-wifi",
        "deteccion-de-fugas",
        "Sensor de fugas de agua wifi",
        "Wi-Fi water leak sensor",
        "<p>Colócalo junto a la lavadora, el calentador o bajo el fregadero: te avisa en el "
        "móvil en cuanto detecta agua en el suelo.</p>"
        "<p>Pilas incluidas, con una duración de dos años.</p>",
        "<p>Place it next to the washing machine, the water heater or under the sink: it "
        "alerts your phone as soon as it detects water on the floor.</p>"
        "<p>Batteries included, lasting two years.</p>",
        (
            _v("FUG-SEN-001", "24.95", "1 sensor", "Single sensor", weight=110),
            _v("FUG-SEN-002", "64.95", "Pack de 3", "Pack of 3", compare_at="74.85", weight=330),
        ),
        {"color": "blanco"},
    ),
    DemoProduct(
        "valvula-corte-automatico",
        "deteccion-de-fugas",
        "Válvula de corte automático con detector",
        "Automatic shut-off valve with detector",
        "<p>Se instala tras el contador y cierra el suministro de toda la vivienda si detecta "
        "un consumo anómalo o una fuga. Requiere instalación por un fontanero.</p>",
        "<p>Fitted after the meter, it shuts off the whole home's supply when it detects "
        "unusual use or a leak. Requires installation by a plumber.</p>",
        (_v("FUG-VAL-001", "189.00", '3/4"', '3/4"', weight=1600),),
        {"material": "laton", "rosca": ('3/4" hembra', '3/4" female')},
    ),
    DemoProduct(
        "revision-fugas-domicilio",
        "deteccion-de-fugas",
        "Revisión de fugas a domicilio",
        "Home leak inspection",
        "<p>Un técnico de la compañía revisa la instalación interior de tu vivienda con "
        "geófono y cámara térmica y te entrega un informe.</p>"
        "<p>Te llamaremos para acordar la cita en un plazo de 72 horas.</p>",
        "<p>A utility technician inspects your home's internal plumbing with a ground "
        "microphone and a thermal camera and gives you a report.</p>"
        "<p>We will call you to arrange a visit within 72 hours.</p>",
        (_v("FUG-SRV-001", "49.00", "Servicio", "Service", tracked=False),),
    ),
    # Accesorios para contador
    DemoProduct(
        "arqueta-contador-40x30",
        "accesorios-para-contador",
        "Arqueta para contador 40 x 30 cm",
        "Water meter box 40 x 30 cm",
        "<p>Arqueta de polipropileno reforzado para alojar el contador en acera o jardín. "
        "Homologada por la compañía para nuevas acometidas.</p>",
        "<p>Reinforced polypropylene box to house the meter in the pavement or garden. "
        "Approved by the utility for new connections.</p>",
        (_v("CON-ARQ-001", "34.95", "Estándar", "Standard", weight=3200),),
        {"material": "polipropileno", "color": "negro"},
    ),
    DemoProduct(
        "tapa-arqueta-fundicion",
        "accesorios-para-contador",
        "Tapa de arqueta de fundición dúctil",
        "Ductile iron meter box cover",
        "<p>Tapa y marco de fundición dúctil clase B125, apta para zonas peatonales y "
        "aparcamientos. Lleva grabado el logotipo de la compañía.</p>",
        "<p>Class B125 ductile iron cover and frame, suitable for pedestrian areas and car "
        "parks. Embossed with the utility's logo.</p>",
        (
            _v("CON-TAP-001", "39.90", "30 x 30 cm", "30 x 30 cm", weight=7500),
            _v("CON-TAP-002", "54.90", "40 x 40 cm", "40 x 40 cm", weight=11000),
        ),
        {"material": "fundicion-ductil", "color": "negro"},
    ),
    DemoProduct(
        "llave-paso-contador",
        "accesorios-para-contador",
        "Llave de paso de escuadra para contador",
        "Angle stop valve for water meters",
        "<p>Llave de esfera de latón con maneta de mariposa y tuerca loca, para montar antes "
        "del contador.</p>",
        "<p>Brass ball valve with a butterfly handle and a swivel nut, to fit before the "
        "meter.</p>",
        (
            _v("CON-LLA-001", "11.95", '1/2"', '1/2"', weight=280),
            _v("CON-LLA-002", "13.95", '3/4"', '3/4"', weight=360),
        ),
        {"material": "laton", "rosca": ("Tuerca loca", "Swivel nut")},
    ),
    DemoProduct(
        "funda-antiheladas-contador",
        "accesorios-para-contador",
        "Funda aislante antiheladas para contador",
        "Frost-protection cover for water meters",
        "<p>Funda de espuma aislante que protege el contador y las llaves de las heladas. Se "
        "cierra con velcro y permite leer el contador sin quitarla.</p>",
        "<p>Insulating foam cover that protects the meter and valves from frost. Closes with "
        "hook-and-loop tape and lets you read the meter without removing it.</p>",
        (_v("CON-AIS-001", "14.95", "Estándar", "Standard", compare_at="17.95", weight=150),),
        {"color": "gris"},
    ),
    # Riego de jardín
    DemoProduct(
        "programador-riego-grifo",
        "riego-de-jardin",
        "Programador de riego para grifo",
        "Tap-mounted watering timer",
        "<p>Programa hasta cuatro riegos al día a primera hora o al atardecer, cuando menos agua "
        "se evapora. Funciona con dos pilas AA.</p>",
        "<p>Schedule up to four waterings a day early in the morning or at dusk, when the "
        "least water evaporates. Runs on two AA batteries.</p>",
        (_v("RIE-PRO-001", "39.95", "Estándar", "Standard", weight=420),),
        {"rosca": ('3/4" hembra', '3/4" female')},
    ),
    DemoProduct(
        "kit-riego-goteo-20-macetas",
        "riego-de-jardin",
        "Kit de riego por goteo para 20 macetas",
        "Drip irrigation kit for 20 pots",
        "<p>Tubería, goteros regulables y conectores para regar 20 macetas con el agua justa. "
        "Ahorra hasta un 70 % frente al riego con manguera.</p>",
        "<p>Pipe, adjustable drippers and connectors to water 20 pots with just the right "
        "amount. Saves up to 70 % against hose watering.</p>",
        (_v("RIE-GOT-001", "24.95", "20 macetas", "20 pots", weight=900),),
        {"material": "polipropileno"},
    ),
    DemoProduct(
        "deposito-agua-lluvia-300-l",
        "riego-de-jardin",
        "Depósito de agua de lluvia 300 l",
        "Rainwater tank 300 l",
        "<p>Recoge el agua de lluvia del tejado a través del bajante y úsala para regar. Incluye "
        "grifo de latón y colector con filtro de hojas.</p>",
        "<p>Collects rainwater from the roof through the downpipe for watering. Comes with a "
        "brass tap and a collector with a leaf filter.</p>",
        (
            _v("RIE-DEP-001", "119.00", "Verde", "Green", weight=12000),
            _v("RIE-DEP-002", "119.00", "Gris", "Grey", weight=12000),
        ),
        {"capacidad": Decimal("300"), "material": "plastico-reciclado", "color": "verde"},
    ),
    # Fuentes de agua potable
    DemoProduct(
        "fuente-bebedero-exterior",
        "fuentes-de-agua-potable",
        "Fuente bebedero de exterior",
        "Outdoor drinking fountain",
        "<p>El mismo modelo de fuente que instalamos en parques y plazas: fundición dúctil, "
        "pulsador temporizado antivandálico y caño para rellenar botellas.</p>"
        "<p>Entrega en palé; instalación no incluida.</p>",
        "<p>The same fountain we install in parks and squares: ductile iron, an anti-vandal "
        "timed push button and a spout for refilling bottles.</p>"
        "<p>Delivered on a pallet; installation not included.</p>",
        (_v("FUE-BEB-001", "890.00", "Gris", "Grey", weight=45000),),
        {"material": "fundicion-ductil", "color": "gris", "caudal": Decimal("3")},
    ),
    DemoProduct(
        "fuente-agua-oficina",
        "fuentes-de-agua-potable",
        "Fuente de agua para oficina conectada a red",
        "Mains-fed office water cooler",
        "<p>Agua fría y del tiempo directamente de la red, sin garrafas. Filtro de carbón "
        "activo incluido y depósito de acero inoxidable.</p>",
        "<p>Chilled and room-temperature water straight from the mains, with no bottles. "
        "Activated carbon filter included and a stainless steel tank.</p>",
        (_v("FUE-OFI-001", "349.00", "Blanco", "White", compare_at="399.00", weight=16000),),
        {"capacidad": Decimal("3"), "material": "acero-inoxidable", "color": "blanco"},
    ),
    DemoProduct(
        "fuente-agua-mascotas-2-l",
        "fuentes-de-agua-potable",
        "Fuente de agua para mascotas 2 l",
        "Pet water fountain 2 l",
        "<p>El agua en movimiento anima a perros y gatos a beber más. Bomba silenciosa y filtro "
        "lavable.</p>",
        "<p>Moving water encourages dogs and cats to drink more. Quiet pump and washable "
        "filter.</p>",
        (_v("FUE-MAS-001", "29.95", "Blanco", "White", weight=900),),
        {"capacidad": Decimal("2"), "material": "ceramica", "apto-lavavajillas": True},
    ),
    # Merchandising
    DemoProduct(
        "camiseta-cada-gota-cuenta",
        "merchandising",
        "Camiseta «Cada gota cuenta»",
        "“Every drop counts” T-shirt",
        "<p>Camiseta unisex de algodón orgánico con el lema de nuestra campaña de ahorro. "
        "Estampada en Sevilla con tintas al agua.</p>",
        "<p>Unisex organic cotton T-shirt with the slogan of our water-saving campaign. "
        "Printed in Seville with water-based inks.</p>",
        (
            _v("MER-CAM-001", "12.00", "Talla S", "Size S", weight=150),
            _v("MER-CAM-002", "12.00", "Talla M", "Size M", weight=160),
            _v("MER-CAM-003", "12.00", "Talla L", "Size L", weight=170),
        ),
        {"material": "algodon-organico", "color": "azul"},
    ),
    DemoProduct(
        "taza-ceramica-gota",
        "merchandising",
        "Taza de cerámica «Gota»",
        "“Drop” ceramic mug",
        "<p>Taza de 350 ml con la gota Clara, nuestra mascota. Apta para microondas y "
        "lavavajillas.</p>",
        "<p>A 350 ml mug featuring Clara, our mascot drop. Microwave and dishwasher safe.</p>",
        (_v("MER-TAZ-001", "7.50", "Blanco", "White", weight=350),),
        {
            "capacidad": Decimal("0.35"),
            "material": "ceramica",
            "color": "blanco",
            "apto-lavavajillas": True,
        },
    ),
    DemoProduct(
        "bolsa-tela-algodon-organico",
        "merchandising",
        "Bolsa de tela de algodón orgánico",
        "Organic cotton tote bag",
        "<p>Bolsa de asas largas para la compra diaria, con el logotipo de la Tienda del Agua.</p>",
        "<p>Long-handled tote for everyday shopping, with the Water Shop logo.</p>",
        (_v("MER-BOL-001", "4.95", "Natural", "Natural", weight=120),),
        {"material": "algodon-organico"},
    ),
    # Libros y guías (IVA superreducido)
    DemoProduct(
        "guia-ahorro-agua-hogar",
        "libros-y-guias",
        "Guía práctica del ahorro de agua en el hogar",
        "Practical guide to saving water at home",
        "<p>Cien consejos sencillos para gastar menos agua en la cocina, el baño y el jardín, "
        "con ejemplos de ahorro en la factura.</p>"
        "<p>Disponible en papel y como libro electrónico en PDF.</p>",
        "<p>One hundred simple tips to use less water in the kitchen, bathroom and garden, "
        "with examples of the savings on your bill.</p>"
        "<p>Available in print and as a PDF e-book.</p>",
        (
            _v("LIB-GUI-001", "9.90", "Tapa blanda", "Paperback", weight=300),
            _v("LIB-GUI-002", "4.90", "Libro electrónico (PDF)", "E-book (PDF)", tracked=False),
        ),
        tax_class=TaxClass.SUPER_REDUCED,
    ),
    DemoProduct(
        "cuento-la-gota-viajera",
        "libros-y-guias",
        "Cuento infantil «La gota viajera»",
        "Children's book “The travelling drop”",
        "<p>Clara, una gota de agua, recorre el ciclo integral del agua: del embalse a la "
        "potabilizadora, a tu grifo y de vuelta al río. Para lectores de 5 a 8 años.</p>",
        "<p>Clara, a drop of water, travels the whole urban water cycle: from the reservoir to "
        "the treatment plant, to your tap and back to the river. For readers aged 5 to 8.</p>",
        (_v("LIB-CUE-001", "11.50", "Tapa dura", "Hardback", weight=420),),
        tax_class=TaxClass.SUPER_REDUCED,
    ),
    DemoProduct(
        "folleto-consejos-ahorro-pack-50",
        "libros-y-guias",
        "Folletos de consejos de ahorro (pack de 50)",
        "Water-saving tips leaflets (pack of 50)",
        "<p>Folletos ilustrados para repartir en colegios, asociaciones y comunidades de "
        "vecinos. Impresos en papel reciclado.</p>",
        "<p>Illustrated leaflets to hand out in schools, associations and residents' "
        "communities. Printed on recycled paper.</p>",
        (_v("LIB-FOL-001", "6.00", "Pack de 50", "Pack of 50", weight=600),),
        tax_class=TaxClass.SUPER_REDUCED,
    ),
    # Drafts: not published, to show the visibility rules.
    DemoProduct(
        "purificador-uv-grifo",
        "filtros-de-grifo",
        "Purificador UV para grifo",
        "UV tap purifier",
        "<p>Lámpara ultravioleta que se monta en el grifo. Próximamente.</p>",
        "<p>An ultraviolet lamp that fits on the tap. Coming soon.</p>",
        (_v("FIL-UV-001", "59.00", "Estándar", "Standard", weight=500),),
        is_published=False,
    ),
    DemoProduct(
        "botella-edicion-verano",
        "botellas-y-cantimploras",
        "Botella edición verano",
        "Summer edition bottle",
        "<p>Botella de 750 ml con el diseño ganador del concurso escolar de este verano.</p>",
        "<p>A 750 ml bottle with the design that won this summer's school contest.</p>",
        (_v("BOT-VER-001", "15.95", "Turquesa", "Turquoise", weight=210),),
        {"capacidad": Decimal("0.75"), "material": "acero-inoxidable"},
        is_published=False,
    ),
]

COLLECTIONS = [
    DemoCollection(
        "ahorro-de-agua",
        "Ahorro de agua",
        "Water saving",
        "<p>Lo imprescindible para gastar menos agua sin renunciar a nada.</p>",
        "<p>The essentials to use less water without giving anything up.</p>",
        (
            "kit-ahorro-basico",
            "kit-ahorro-familiar",
            "aireador-rosca-hembra-m22",
            "alcachofa-ducha-ahorradora",
            "reductor-caudal-ducha",
            "bolsa-ahorro-cisterna",
            "temporizador-ducha",
            "grifo-temporizado-lavabo",
        ),
    ),
    DemoCollection(
        "novedades",
        "Novedades",
        "New in",
        "<p>Lo último que ha llegado a la tienda.</p>",
        "<p>The latest arrivals in the shop.</p>",
        (
            "sensor-fugas-wifi",
            "jarra-filtrante-vidrio-1-5-l",
            "botella-termica-500-ml",
            "programador-riego-grifo",
            "fuente-agua-mascotas-2-l",
            "cuento-la-gota-viajera",
        ),
    ),
    DemoCollection(
        "verano",
        "Verano",
        "Summer",
        "<p>Hidratación y riego eficiente para los meses de calor.</p>",
        "<p>Hydration and efficient watering for the hot months.</p>",
        (
            "botella-edicion-verano",
            "cantimplora-infantil-400-ml",
            "kit-riego-goteo-20-macetas",
            "deposito-agua-lluvia-300-l",
            "fuente-bebedero-exterior",
        ),
        is_published=False,
    ),
]

# Products with a second, "detail" image.
SECOND_VIEW = frozenset(
    {
        "kit-ahorro-basico",
        "jarra-filtrante-2-5-l",
        "botella-reutilizable-750-ml",
        "alcachofa-ducha-ahorradora",
        "grifo-termostatico-ducha",
        "camiseta-cada-gota-cuenta",
    }
)
# Sold out in every warehouse, so the storefront shows "out of stock".
OUT_OF_STOCK_SKUS = frozenset({"FIL-OSM-001", "DUC-ROC-001", "BOT-TER-002", "MER-CAM-003"})


def ensure_warehouses() -> list[Warehouse]:
    """The two demo warehouses, created or updated (``seed_catalog`` only creates missing ones)."""
    return [
        Warehouse.objects.update_or_create(slug=data["slug"], defaults=data)[0]
        for data in WAREHOUSES
    ]


def _plain_text(fragment: str, limit: int) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _seo_title(name: str, shop_name: str) -> str:
    title = f"{name} | {shop_name}"
    return title if len(title) <= 70 else name[:70]


def demo_stock(sku: str, warehouse_slug: str) -> int:
    """A varied but fixed quantity (``hash()`` is salted per process; crc32 is not)."""
    if sku in OUT_OF_STOCK_SKUS:
        return 0
    spread = zlib.crc32(f"{sku}:{warehouse_slug}".encode())
    return 5 + spread % 80 if warehouse_slug == "almacen-central" else spread % 30


def _initials(name: str) -> str:
    words = [word for word in re.split(r"[\s«»“”()]+", name) if word[:1].isalpha()]
    significant = [word for word in words if len(word) > 3] or words
    return "".join(word[0] for word in significant[:2]).upper()


def product_image(
    initials: str, colour: Colour, shape: str, *, detail: bool = False
) -> ContentFile[bytes]:
    """An 800x800 PNG drawn locally: a category colour, a shape and the initials."""
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), colour)
    draw = ImageDraw.Draw(image)
    light = (min(255, colour[0] + 80), min(255, colour[1] + 80), min(255, colour[2] + 80))
    if detail:
        for ring in range(4):
            inset = 120 + ring * 70
            draw.ellipse(
                [inset, inset, IMAGE_SIZE - inset, IMAGE_SIZE - inset], outline=light, width=14
            )
    elif shape == "drop":
        draw.polygon([(400, 110), (228, 398), (572, 398)], fill=light)  # tangent to the circle
        draw.ellipse([200, 300, 600, 700], fill=light)
    elif shape == "circle":
        draw.ellipse([160, 160, 640, 640], fill=light)
    else:
        draw.rounded_rectangle([170, 170, 630, 630], radius=70, fill=light)
    font = ImageFont.load_default(size=170)
    draw.text(
        (400, 480 if shape == "drop" and not detail else 400),
        initials,
        fill="white",
        font=font,
        anchor="mm",
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # fast: seed_demo runs in tests
    return ContentFile(buffer.getvalue())


@dataclass(frozen=True)
class _Specs:
    attributes: dict[str, Attribute]
    choices: dict[tuple[str, str], AttributeChoice]


def _seed_attributes() -> _Specs:
    specs = _Specs({}, {})
    for data in ATTRIBUTES:
        specs.attributes[data["slug"]] = Attribute.objects.update_or_create(
            slug=data["slug"], defaults={**data, "is_filterable": data["type"] != "text"}
        )[0]
    for slug, choices in CHOICES.items():
        for position, (choice_slug, name, name_en) in enumerate(choices, start=1):
            specs.choices[slug, choice_slug] = AttributeChoice.objects.update_or_create(
                attribute=specs.attributes[slug],
                slug=choice_slug,
                defaults={"name": name, "name_en": name_en, "position": position},
            )[0]
    return specs


def _seed_categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for position, data in enumerate(CATEGORIES, start=1):
        categories[data.slug] = Category.objects.update_or_create(
            slug=data.slug,
            defaults={
                "parent": categories[data.parent] if data.parent else None,
                "name": data.name,
                "name_en": data.name_en,
                "description": data.description,
                "description_en": data.description_en,
                "position": position,
                "is_published": True,
            },
        )[0]
    return categories


def _spec_columns(specs: _Specs, slug: str, value: SpecValue) -> dict[str, object]:
    """The value columns of a specification: the one its attribute type uses, the rest empty."""
    columns: dict[str, object] = {
        "text_value": "",
        "text_value_en": "",
        "number_value": None,
        "boolean_value": None,
        "choice": None,
    }
    kind = specs.attributes[slug].type
    if kind == Attribute.Type.NUMBER and isinstance(value, Decimal):
        columns["number_value"] = value
    elif kind == Attribute.Type.BOOLEAN and isinstance(value, bool):
        columns["boolean_value"] = value
    elif kind == Attribute.Type.CHOICE and isinstance(value, str):
        columns["choice"] = specs.choices[slug, value]
    elif kind == Attribute.Type.TEXT and isinstance(value, tuple):
        columns["text_value"], columns["text_value_en"] = value
    else:
        raise TypeError(f"Demo specification {slug}={value!r} does not fit a {kind} attribute")
    return columns


def _seed_product(
    data: DemoProduct,
    category: Category,
    specs: _Specs,
    warehouses: list[Warehouse],
) -> Product:
    product = Product.objects.update_or_create(
        slug=data.slug,
        defaults={
            "category": category,
            "name": data.name,
            "name_en": data.name_en,
            "description": data.description,
            "description_en": data.description_en,
            "tax_class": data.tax_class,
            "is_published": data.is_published,
            "seo_title": _seo_title(data.name, "Tienda del Agua"),
            "seo_title_en": _seo_title(data.name_en, "Water Shop"),
            "seo_description": _plain_text(data.description, 160),
            "seo_description_en": _plain_text(data.description_en, 160),
        },
    )[0]
    for position, variant_data in enumerate(data.variants, start=1):
        variant = ProductVariant.objects.update_or_create(
            sku=variant_data.sku,
            defaults={
                "product": product,
                "name": variant_data.name,
                "name_en": variant_data.name_en,
                "price": variant_data.price,
                "compare_at_price": variant_data.compare_at_price,
                "weight_grams": variant_data.weight_grams,
                "track_inventory": variant_data.track_inventory,
                "position": position,
            },
        )[0]
        if variant_data.track_inventory:
            for warehouse in warehouses:
                Stock.objects.get_or_create(
                    variant=variant,
                    warehouse=warehouse,
                    defaults={"quantity": demo_stock(variant.sku, warehouse.slug), "allocated": 0},
                )
    for slug, value in data.specs.items():
        ProductAttributeValue.objects.update_or_create(
            product=product,
            attribute=specs.attributes[slug],
            defaults=_spec_columns(specs, slug, value),
        )
    return product


def _seed_media(product: Product, data: DemoProduct, category: DemoCategory) -> None:
    """One image per product, a second for a few; skipped once the product has any."""
    if product.media.exists():
        return
    initials = _initials(data.name)
    views = [("", "", False)]
    if data.slug in SECOND_VIEW:
        views.append((" (detalle)", " (detail)", True))
    for position, (suffix, suffix_en, detail) in enumerate(views, start=1):
        media = ProductMedia(
            product=product,
            alt=f"{data.name}{suffix}",
            alt_en=f"{data.name_en}{suffix_en}",
            position=position,
        )
        image = product_image(initials, category.colour, category.shape, detail=detail)
        media.image.save(f"{data.slug}-{position}.png", image, save=False)
        generate_thumbnails(media)
        media.save()


def _seed_collections(products: dict[str, Product]) -> None:
    for position, data in enumerate(COLLECTIONS, start=1):
        collection = Collection.objects.update_or_create(
            slug=data.slug,
            defaults={
                "name": data.name,
                "name_en": data.name_en,
                "description": data.description,
                "description_en": data.description_en,
                "is_published": data.is_published,
                "position": position,
            },
        )[0]
        collection.entries.exclude(product__slug__in=data.products).delete()
        for entry_position, slug in enumerate(data.products, start=1):
            CollectionProduct.objects.update_or_create(
                collection=collection, product=products[slug], defaults={"position": entry_position}
            )


def seed() -> None:
    """Create or refresh the demo catalogue. Call inside a transaction."""
    warehouses = ensure_warehouses()
    specs = _seed_attributes()
    categories = _seed_categories()
    category_data = {data.slug: data for data in CATEGORIES}
    products: dict[str, Product] = {}
    for data in PRODUCTS:
        product = _seed_product(data, categories[data.category], specs, warehouses)
        _seed_media(product, data, category_data[data.category])
        products[data.slug] = product
    _seed_collections(products)
