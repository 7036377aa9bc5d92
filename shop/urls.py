from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from shop.api.view import ShopGraphQLView
from shop.schema import schema

urlpatterns = [
    path("admin/", admin.site.urls),
    # No cookie authentication on the API (Bearer tokens only), so no CSRF exposure.
    path(
        "graphql/",
        csrf_exempt(
            ShopGraphQLView.as_view(
                schema=schema,
                graphql_ide="graphiql" if settings.DEBUG else None,
                allow_queries_via_get=False,
                multipart_uploads_enabled=False,
            )
        ),
        name="graphql",
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
