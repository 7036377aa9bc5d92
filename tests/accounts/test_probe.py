import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.factories import UserFactory, StaffFactory, AddressFactory

pytestmark = pytest.mark.django_db

def test_probe(gql):
    staff = StaffFactory(permissions=["accounts.view_user"])
    for _ in range(3):
        AddressFactory(user=UserFactory())
    q = "query($n:Int){ customers(first:$n){ totalCount edges { node { email addresses { city } } } } }"
    with CaptureQueriesContext(connection) as ctx:
        print(gql(q, {"n": 20}, user=staff))
    for x in ctx.captured_queries: print(x["sql"])
    print(gql(q, {"n": 101}, user=staff))
    print(gql("{ customers(first: 101) { totalCount } }", user=staff))
    print(gql("{ customers(first: 5) { totalCount } }"))
    print(gql("{ customers(first: 5) { totalCount } }", user=UserFactory()))
    print(gql("{ me { email } }", headers={"Authorization": "Token abc"}))
    print(gql("{ me { email } shop { name } }", headers={"Authorization": "Bearer abc"}))
    print(gql('mutation { accountRegister(input:{email:"x@y.com", password:"123"}) { user { email } errors { field code message } } }'))
    print(gql('mutation { accountRegister(input:{email:"x@y.com", password:"' + "a"*129 + '"}) { user { email } errors { field code message } } }'))
