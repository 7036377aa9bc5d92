from django.test import RequestFactory, override_settings

from shop.http import client_ip


def request(forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", headers=headers)


def test_without_trusted_proxies_the_socket_address_counts():
    assert client_ip(request("203.0.113.7")) == "10.0.0.5"


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_its_last_forwarded_address_counts():
    assert client_ip(request("198.51.100.1, 203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=2)
def test_client_supplied_addresses_left_of_the_proxies_are_ignored():
    assert client_ip(request("1.2.3.4, 198.51.100.1, 203.0.113.7")) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=1)
def test_missing_header_falls_back_to_the_socket_address():
    assert client_ip(request()) == "10.0.0.5"
