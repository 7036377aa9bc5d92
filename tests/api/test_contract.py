"""The API contract: graphql/ is not a Python package, the printed schema matches
the code, and every operation document validates against it."""

from pathlib import Path

import graphql
import pytest
from graphql import parse, validate
from strawberry.printer import print_schema

from shop.schema import schema
from tests.operations import OPERATIONS_DIR, all_documents

ROOT = Path(__file__).resolve().parents[2]


def test_graphql_import_is_graphql_core_not_the_contract_folder():
    assert "site-packages" in graphql.__file__
    assert not (ROOT / "graphql" / "__init__.py").exists()


def test_contract_folder_holds_no_python():
    assert [p.name for p in (ROOT / "graphql").rglob("*.py")] == []


def test_printed_schema_matches_schema_graphql():
    on_disk = (ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk.strip() == print_schema(schema).strip(), "run `make schema`"


def test_there_are_operation_documents():
    assert len(all_documents()) >= 15


@pytest.mark.parametrize("path", all_documents(), ids=lambda p: str(p.relative_to(OPERATIONS_DIR)))
def test_operation_document_validates_against_the_schema(path):
    document = parse(path.read_text(encoding="utf-8"))
    assert validate(schema._schema, document) == []


def test_operation_names_are_unique_and_match_file_names():
    names = []
    for path in all_documents():
        document = parse(path.read_text(encoding="utf-8"))
        operations = [d for d in document.definitions if d.kind == "operation_definition"]
        assert len(operations) == 1, path
        names.append(operations[0].name.value)
        assert operations[0].name.value == path.stem
    assert len(names) == len(set(names))
