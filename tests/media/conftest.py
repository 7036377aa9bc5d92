"""Media tests: public images on disk and on S3, private files on S3.

The S3 backend is tested against moto's S3 server (``moto[server]``), started on a
free port of 127.0.0.1 for the session; each test gets a bucket of its own whose
policy lets anybody read the public prefix only, as the README tells to set up.
"""

from __future__ import annotations

import io
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalog.models import ProductMedia
from invoicing.models import Invoice
from orders.models import ClaimAttachment
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from shop.storage import s3_storages
from tests.factories import StaffFactory
from tests.operations import operation

REGION = "eu-south-2"
CREATE_MEDIA = operation("staff/ProductMediaCreate")
PRODUCT_LIST = operation("storefront/ProductList")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server running for the whole session."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] is missing")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: Any

    def object_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def head(self, key: str) -> dict[str, Any]:
        head: dict[str, Any] = self.client.head_object(Bucket=self.name, Key=key)
        return head


@pytest.fixture
def bucket(s3_endpoint: str) -> Bucket:
    """A new bucket, readable by anybody under ``media/`` only (a bucket policy, no ACLs)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    name = f"shop-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/media/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=orjson.dumps(policy).decode())
    return Bucket(name=name, endpoint=s3_endpoint, client=client)


@pytest.fixture
def on_s3(settings: Any, bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """Both storages on ``bucket``, configured from S3_* variables as production is."""
    environ = {
        "S3_BUCKET": bucket.name,
        "S3_ENDPOINT_URL": bucket.endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
    }
    settings.STORAGES = {**settings.STORAGES, **s3_storages(environ)}
    # FileFields call their storage callable once, when the model class is built.
    for field in (
        ClaimAttachment._meta.get_field("image"),
        Invoice._meta.get_field("pdf"),
    ):
        monkeypatch.setattr(field, "storage", storages["private"])
    return bucket


@pytest.fixture
def instance_roots(settings: Any, tmp_path: Path) -> tuple[Path, Path]:
    """Two MEDIA_ROOTs, one per simulated instance; the first is in force."""
    first, second = tmp_path / "instance-a", tmp_path / "instance-b"
    first.mkdir()
    second.mkdir()
    settings.MEDIA_ROOT = first
    return first, second


@pytest.fixture
def manager() -> User:
    user: User = StaffFactory()
    user.groups.add(Group.objects.get(name="Gestor de catálogo"))
    return user


def png_bytes(size: tuple[int, int] = (1200, 800)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_media(client: Client, manager: User, product_id: str) -> ProductMedia:
    """productMediaCreate as a GraphQL multipart request, as the admin's clients send it."""
    variables = {"input": {"product": product_id, "alt": "Jarra", "image": None}}
    response = client.post(
        "/graphql/",
        data={
            "operations": orjson.dumps({"query": CREATE_MEDIA, "variables": variables}).decode(),
            "map": orjson.dumps({"0": ["variables.input.image"]}).decode(),
            "0": SimpleUploadedFile("jarra.png", png_bytes(), content_type="image/png"),
        },
        headers={"Authorization": f"Bearer {create_token(manager, 'access')}"},
    )
    assert response.status_code == 200, response.content
    result = orjson.loads(response.content)["data"]["productMediaCreate"]
    assert result["errors"] == []
    return ProductMedia.objects.get()


def product_list_image_urls(client: Client) -> list[str]:
    """Every image URL a ProductList answer lists."""
    response = client.post(
        "/graphql/",
        data=orjson.dumps({"query": PRODUCT_LIST, "variables": {}}),
        content_type="application/json",
    )
    body = orjson.loads(response.content)
    assert "errors" not in body, body
    return [
        edge["node"]["thumbnail"]["url"]
        for edge in body["data"]["products"]["edges"]
        if edge["node"]["thumbnail"]
    ]


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]
