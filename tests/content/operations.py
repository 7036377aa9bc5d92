"""GraphQL documents of the content mutations.

Each document names its mutation field on line 2, column 3; top-level errors point there.
"""

from __future__ import annotations

SECTION_FIELDS = """
      __typename
      id
      position
      title
      ... on HeroSection { text image { url alt } linkUrl }
      ... on FeaturedCollectionSection { collectionSlug }
      ... on FeaturedProductsSection { productSlugs }
      ... on RichTextSection { text }
"""

ERRORS = "errors { field code message }"

SHOP_SETTINGS_UPDATE = f"""mutation Run($input: ShopSettingsInput!) {{
  shopSettingsUpdate(input: $input) {{
    shop {{ name contactEmail contactPhone }}
    {ERRORS}
  }}
}}"""

HOME_PAGE_SECTION_CREATE = f"""mutation Run($input: HomePageSectionInput!) {{
  homePageSectionCreate(input: $input) {{
    section {{ {SECTION_FIELDS} }}
    {ERRORS}
  }}
}}"""

HOME_PAGE_SECTION_UPDATE = f"""mutation Run($input: HomePageSectionUpdateInput!) {{
  homePageSectionUpdate(input: $input) {{
    section {{ {SECTION_FIELDS} }}
    {ERRORS}
  }}
}}"""

HOME_PAGE_SECTION_DELETE = f"""mutation Run($input: HomePageSectionDeleteInput!) {{
  homePageSectionDelete(input: $input) {{
    section {{ id }}
    {ERRORS}
  }}
}}"""

HOME_PAGE_SECTIONS_REORDER = f"""mutation Run($input: HomePageSectionsReorderInput!) {{
  homePageSectionsReorder(input: $input) {{
    sections {{ id position title }}
    {ERRORS}
  }}
}}"""

FAQ_CATEGORY_CREATE = f"""mutation Run($input: FaqCategoryInput!) {{
  faqCategoryCreate(input: $input) {{
    category {{ id name position }}
    {ERRORS}
  }}
}}"""

FAQ_CATEGORY_UPDATE = f"""mutation Run($input: FaqCategoryUpdateInput!) {{
  faqCategoryUpdate(input: $input) {{
    category {{ id name position }}
    {ERRORS}
  }}
}}"""

FAQ_CATEGORY_DELETE = f"""mutation Run($input: DeleteInput!) {{
  faqCategoryDelete(input: $input) {{
    category {{ id }}
    {ERRORS}
  }}
}}"""

FAQ_ENTRY_FIELDS = "id question answer position category { id name }"

FAQ_ENTRY_CREATE = f"""mutation Run($input: FaqEntryInput!) {{
  faqEntryCreate(input: $input) {{
    entry {{ {FAQ_ENTRY_FIELDS} }}
    {ERRORS}
  }}
}}"""

FAQ_ENTRY_UPDATE = f"""mutation Run($input: FaqEntryUpdateInput!) {{
  faqEntryUpdate(input: $input) {{
    entry {{ {FAQ_ENTRY_FIELDS} }}
    {ERRORS}
  }}
}}"""

FAQ_ENTRY_DELETE = f"""mutation Run($input: DeleteInput!) {{
  faqEntryDelete(input: $input) {{
    entry {{ id }}
    {ERRORS}
  }}
}}"""

LEGAL_PAGE_UPDATE = f"""mutation Run($input: LegalPageUpdateInput!) {{
  legalPageUpdate(input: $input) {{
    page {{ id kind title body }}
    {ERRORS}
  }}
}}"""
