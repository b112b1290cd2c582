"""GET /demos: the catalog with each demo's parameter schema, for help texts and validation."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from compute.api.deps import DemosDep, require_token
from compute.params import schema_of
from compute.schemas import DemoInfo
from content.schema import Localized

router = APIRouter(tags=["demos"], dependencies=[Depends(require_token)])


@router.get("/demos")
async def list_demos(demos: DemosDep) -> list[DemoInfo]:
    return [
        DemoInfo(
            name=demo.name,
            title=Localized(ko=demo.title_ko, en=demo.title_en),
            description=Localized(ko=demo.description_ko, en=demo.description_en),
            prompt_ids=list(demo.prompt_ids),
            params=schema_of(demo),
            expected_seconds=demo.expected_seconds,
        )
        for demo in sorted(demos.values(), key=lambda d: d.name)
    ]
