from __future__ import annotations

import strawberry

from shop.content.api.types import Shop


@strawberry.type
class ContentQueries:
    @strawberry.field(description="The shop: name, languages, home page, FAQ, legal texts.")
    def shop(self) -> Shop:
        return Shop()
