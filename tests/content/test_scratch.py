import pytest
from django.contrib.auth.models import Group
from shop.accounts.models import User
from shop.content.models import FaqCategory, FaqEntry
from strawberry import relay

pytestmark = pytest.mark.django_db

def test_probe(gql, django_assert_num_queries):
    staff = User.objects.create_user("s@example.com", "pw", is_staff=True)
    staff.groups.add(Group.objects.get(name="Administrador de la tienda"))
    q = "mutation($input: DeleteInput!) { faqCategoryDelete(input: $input) { errors { field code message } } }"
    print(gql(q, {"input": {"id": "garbage"}}, user=staff))
    print(gql(q, {"input": {"id": relay.to_base64("FaqCategory", 99)}}, user=staff))
    print(gql(q, {"input": {"id": relay.to_base64("FaqCategory", "abc")}}, user=staff))
    print(gql(q, {"input": {"id": relay.to_base64("HomePageSection", 1)}}, user=staff))
    print(gql(q, {"input": {"id": relay.to_base64("FaqCategory", 1)}}))
    q2 = "mutation($input: HomePageSectionsReorderInput!) { homePageSectionsReorder(input: $input) { errors { field code message } } }"
    print(gql(q2, {"input": {"ids": []}}, user=staff))
    q3 = "mutation($input: HomePageSectionInput!) { homePageSectionCreate(input: $input) { section { __typename id } errors { field code message } } }"
    print(gql(q3, {"input": {"kind": "FEATURED_COLLECTION"}}, user=staff))
    print(gql(q3, {"input": {"kind": "HERO", "linkUrl": "javascript:alert(1)"}}, user=staff, headers={"Accept-Language": "en"}))
    print(gql(q3, {"input": {}}, user=staff))
    print(gql(q3, {"input": {"kind": "RICH_TEXT", "body": '<p onclick="x()">Hi <a href="javascript:x" onmouseover="y">l</a><a href="https://e.com">k</a></p><script>alert(1)</script><style>p{}</style>'}}, user=staff))
    for n in (2, 10):
        FaqEntry.objects.all().delete(); FaqCategory.objects.all().delete()
        cats = [FaqCategory.objects.create(name=f"c{i}") for i in range(3)]
        for i in range(n):
            FaqEntry.objects.create(category=cats[i % 3], question=f"q{i}", answer="a")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            print(gql("{ shop { faq { question category { name } } } }"))
        for x in ctx.captured_queries: print(x["sql"])
