"""An uploaded rollup template renders in a render worker under its limits; one that fails on the
real rollup gives way to the shipped template (issue 12, item 1)."""

from __future__ import annotations

import io
from datetime import date, datetime

from docx import Document

from bot.clock import VN_TZ
from bot.documents.rollup_docx import TEMPLATE_NAME
from bot.reporting.files import ROLLUP_SUFFIX
from bot.supervising.rollup_service import produce
from storage import Storage
from tests.integration.seed import load_units
from tests.render.docx_helpers import with_tag as tagged
from tests.rollup import scenario as sc
from tests.rollup.conftest import TEMPLATES


def with_tag(tag: str, marker: str = "Kính gửi") -> bytes:
    return tagged((TEMPLATES / TEMPLATE_NAME).read_bytes(), tag, marker)


async def rollup_text(uploaded: bytes, form) -> str:
    storage = await Storage.open(":memory:")
    try:
        scenario = await sc.build(storage, form, await load_units(storage))
        await storage.templates.add(form.id + ROLLUP_SUFFIX, sc.PROVINCE, "tong-hop.docx", uploaded, None,
                                    datetime(2025, 12, 19, tzinfo=VN_TZ))
        result = await produce(storage, form, scenario.periods[sc.WEEK], sc.PROVINCE, templates_dir=TEMPLATES,
                               report_date=date(2025, 12, 19), tz=VN_TZ)
        return "\n".join(p.text for p in Document(io.BytesIO(result.docx)).paragraphs)
    finally:
        await storage.close()


async def test_an_uploaded_rollup_template_is_used(form) -> None:
    assert "MẪU TỈNH Kính gửi" in await rollup_text(with_tag("MẪU TỈNH "), form)


async def test_a_failing_uploaded_rollup_template_gives_way_to_the_shipped_one(form) -> None:
    text = await rollup_text(with_tag("MẪU TỈNH {{ 'A' * 200000000 }}"), form)
    assert "MẪU TỈNH" not in text and "Kính gửi: Ủy ban nhân dân tỉnh Thái Nguyên" in text
