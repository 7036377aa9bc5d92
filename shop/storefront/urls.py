from django.urls import path, re_path

from shop.storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.index, name="index"),
    path("operations/<str:name>.graphql", views.operation, name="operation"),
    re_path(r"^(?P<path>(?:[a-z0-9_-]+/)*[a-z0-9_-]+\.[a-z]+)$", views.asset, name="asset"),
]
