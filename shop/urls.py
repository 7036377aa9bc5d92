from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic.base import RedirectView

from invoicing.views import invoice_pdf
from orders.payments.card_webhook import stripe_webhook
from orders.views import claim_photo
from shop.accounts.views import portal_demo
from shop.api.view import ShopGraphQLView
from shop.media import serve_media
from shop.schema import schema

urlpatterns = [
    path("admin/", admin.site.urls),
    path("storefront/", include("shop.storefront.urls")),
    # What browsers ask for on pages without an icon link (the admin's).
    path("favicon.ico", RedirectView.as_view(url="/storefront/favicon.svg", permanent=True)),
    path("webhooks/stripe/", stripe_webhook, name="stripe-webhook"),
    path("claims/photos/<str:signed>/", claim_photo, name="claim-photo"),
    path("invoices/<int:invoice_id>/pdf/", invoice_pdf, name="invoice-pdf"),
    path("portal-demo/", portal_demo, name="portal-demo"),  # 404 unless DEBUG
    # No cookie authentication on the API (Bearer tokens only), so no CSRF exposure.
    path(
        "graphql/",
        csrf_exempt(
            ShopGraphQLView.as_view(
                schema=schema,
                graphql_ide="graphiql" if settings.DEBUG else None,
                allow_queries_via_get=False,
                # Multipart requests (file uploads, e.g. productMediaCreate) are "simple"
                # requests a hostile page can make a browser send without a CORS preflight,
                # which is a CSRF risk only for cookie-authenticated APIs. This API has no
                # cookie authentication: mutations need a Bearer token the browser never
                # attaches on its own.
                multipart_uploads_enabled=True,
            )
        ),
        name="graphql",
    ),
]

# Media on disk, served by the shop with DEBUG off too (shop.media; 404 when
# SERVE_MEDIA is off or the media live on S3). A MEDIA_URL on another host
# (a CDN) is not ours to serve.
if settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", serve_media, name="media")
    )
