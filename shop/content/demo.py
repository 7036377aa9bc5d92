"""Demo content for ``seed_demo``: idempotent (keyed on natural keys)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings

Kind = HomePageSection.Kind

SECTIONS: list[dict[str, Any]] = [
    {
        "kind": Kind.HERO,
        "position": 1,
        "title": "Cada gota cuenta",
        "title_en": "Every drop counts",
        "body": "<p>Kits de ahorro, filtros y accesorios para tu contador. "
        "Págalos con tarjeta o <strong>en tu próxima factura del agua</strong>.</p>",
        "body_en": "<p>Saving kits, filters and meter accessories. "
        "Pay by card or <strong>on your next water bill</strong>.</p>",
        "image_alt": "Gotas de agua sobre fondo azul",
        "image_alt_en": "Water drops on a blue background",
        "link_url": "/storefront/",
    },
    {
        "kind": Kind.FEATURED_COLLECTION,
        "position": 2,
        "title": "Ahorra agua en casa",
        "title_en": "Save water at home",
        "collection_slug": "ahorro-de-agua",
    },
    {
        "kind": Kind.FEATURED_PRODUCTS,
        "position": 3,
        "title": "Lo más vendido",
        "title_en": "Best sellers",
        "product_slugs": [
            "kit-ahorro-basico",
            "jarra-filtrante-2-5-l",
            "botella-reutilizable-750-ml",
        ],
    },
    {
        "kind": Kind.RICH_TEXT,
        "position": 4,
        "title": "Paga en tu factura del agua",
        "title_en": "Pay on your water bill",
        "body": "<p>Si eres cliente de la Oficina Virtual con un contrato de suministro "
        "activo, puedes añadir tus compras a tus próximas facturas, en 1, 2, 3 o 6 plazos "
        "y sin intereses.</p>",
        "body_en": "<p>Virtual office customers with an active supply contract can add their "
        "purchases to their next bills, in 1, 2, 3 or 6 interest-free installments.</p>",
    },
]

FAQ = [
    (
        ("Pedidos y envíos", "Orders and shipping"),
        [
            (
                "¿Cuánto tarda en llegar mi pedido?",
                "How long does delivery take?",
                "<p>Entre 24 y 72 horas laborables en la península, según tu zona.</p>",
                "<p>Between 24 and 72 working hours on the mainland, depending on your area.</p>",
            ),
            (
                "¿Puedo recoger mi pedido en una oficina?",
                "Can I collect my order at an office?",
                "<p>Sí, en cualquiera de nuestras oficinas de atención al cliente, sin coste.</p>",
                "<p>Yes, at any of our customer offices, free of charge.</p>",
            ),
        ],
    ),
    (
        ("Pagos", "Payments"),
        [
            (
                "¿Cómo pago en mi factura del agua?",
                "How do I pay on my water bill?",
                "<p>Entra desde la Oficina Virtual, elige «Factura del agua» al pagar y el "
                "número de plazos. El importe aparecerá en tus próximas facturas.</p>",
                "<p>Sign in through the virtual office, choose “Water bill” at checkout and "
                "the number of installments. The amount appears on your next bills.</p>",
            ),
            (
                "¿Qué tarjetas aceptáis?",
                "Which cards do you accept?",
                "<p>Visa, Mastercard y American Express, con pago seguro.</p>",
                "<p>Visa, Mastercard and American Express, with secure payment.</p>",
            ),
        ],
    ),
    (
        ("Devoluciones y reclamaciones", "Returns and claims"),
        [
            (
                "¿Cómo presento una reclamación?",
                "How do I make a claim?",
                "<p>Desde el detalle de tu pedido, en «Abrir reclamación». Te responderemos en "
                "un máximo de 48 horas.</p>",
                "<p>From your order's page, under “Open a claim”. We answer within 48 hours.</p>",
            ),
        ],
    ),
]

LEGAL = {
    LegalPage.Kind.LEGAL_NOTICE: (
        "Aviso legal",
        "Legal notice",
        "<p>Tienda del Agua es un servicio de la empresa municipal de aguas.</p>",
        "<p>The Water Shop is a service of the municipal water utility.</p>",
    ),
    LegalPage.Kind.PRIVACY_POLICY: (
        "Política de privacidad",
        "Privacy policy",
        "<p>Tratamos tus datos solo para gestionar tus pedidos y tus facturas.</p>",
        "<p>We process your data only to handle your orders and bills.</p>",
    ),
    LegalPage.Kind.TERMS_OF_SALE: (
        "Condiciones de venta",
        "Terms of sale",
        "<p>Dispones de 14 días naturales para desistir de tu compra.</p>",
        "<p>You have 14 calendar days to withdraw from your purchase.</p>",
    ),
}


def hero_image() -> ContentFile[bytes]:
    """A banner drawn locally (no downloads): a blue gradient with drops."""
    width, height = 1200, 400
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(90 + 110 * y / height)
        draw.line([(0, y), (width, y)], fill=(20, shade, 200))
    for index in range(12):
        x, y = 80 + index * 95, 120 + (index % 3) * 70
        draw.ellipse([x, y, x + 40, y + 56], fill=(220, 240, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="hero-cada-gota-cuenta.png")


def seed() -> None:
    ShopSettings.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Tienda del Agua",
            "name_en": "Water Shop",
            "contact_email": "tienda@aguas.example",
            "contact_phone": "955 000 000",
        },
    )
    for data in SECTIONS:
        section, _created = HomePageSection.objects.update_or_create(
            kind=data["kind"], position=data["position"], defaults=data
        )
        if section.kind == Kind.HERO and not section.image:
            section.image.save("hero.png", hero_image(), save=True)
    for position, ((name, name_en), entries) in enumerate(FAQ, start=1):
        category, _created = FaqCategory.objects.update_or_create(
            name=name, defaults={"name_en": name_en, "position": position}
        )
        for entry_position, (question, question_en, answer, answer_en) in enumerate(entries, 1):
            FaqEntry.objects.update_or_create(
                question=question,
                defaults={
                    "category": category,
                    "question_en": question_en,
                    "answer": answer,
                    "answer_en": answer_en,
                    "position": entry_position,
                },
            )
    for kind, (title, title_en, body, body_en) in LEGAL.items():
        LegalPage.objects.update_or_create(
            kind=kind,
            defaults={"title": title, "title_en": title_en, "body": body, "body_en": body_en},
        )
