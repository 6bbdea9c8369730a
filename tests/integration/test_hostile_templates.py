"""Templates that loop or swell (issue 12, item 1): an upload is refused with the reason within
the render time limit while the bot answers everyone else, and a stored template that fails on
real data gives way to the shipped one, the admins being told once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.app import build_application
from bot.settings import Settings
from storage.models import Role, UnitKind
from tests.conftest import ADMIN_ID, BotHarness
from tests.e2e.botprocess import weekly_forms
from tests.fakes import RecordingRequest, as_update, callback_update, document_update, text_update
from tests.integration.seed import BALANCED, bind
from tests.integration.test_report_files import commune, docx_text, submit  # noqa: F401 - fixture
from tests.integration.test_reporting import LAN, answer_all
from tests.render.docx_helpers import with_tag as tagged

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "bao-cao-tuan.docx"
LIMIT_S = 4.0  # generous for a busy test machine: the check of a good template renders 12 cases
PROVINCE_ADMIN = 8800
# within the range bound, and 10^12 turns: only the time limit stops it
NESTED_LOOP = ("{% for i in range(9999) %}{% for j in range(9999) %}{% for k in range(9999) %}"
               "{% endfor %}{% endfor %}{% endfor %}")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The weekly form alone: with several forms scheduled the upload first asks which report it is
    # for (tests/integration/test_template_upload_forms.py); these tests check the weekly template.
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db", admin_ids=[ADMIN_ID],  # type: ignore[call-arg]
                    render_timeout_seconds=LIMIT_S, render_memory_mb=256, forms_dir=weekly_forms(tmp_path))


def with_tag(tag: str, marker: str = "Trên đây là báo cáo") -> bytes:
    """The shipped template with ``tag`` typed into one paragraph, as an admin would in Word."""
    return tagged(TEMPLATE.read_bytes(), tag, marker)


async def upload(harness: BotHarness, file_id: str, content: bytes) -> None:
    harness.request.uploads[file_id] = content
    await harness.app.process_update(as_update(document_update(ADMIN_ID, file_id, "mau.docx", len(content)),
                                               harness.app.bot))


@pytest.mark.parametrize(("tag", "reason"), [
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "range() quá lớn"),
    (NESTED_LOOP, "quá lâu"),
    ("{{ 'A' * 200000000 }}", "quá lớn"),
    ("{{ 'A'|center(300000000) }}", "bộ nhớ"),  # no operator to bound: the worker's memory limit stops it
    # passes on the sample week, hangs on any other: the check renders several periods
    ("{% if period_key != '2025-W50' %}" + NESTED_LOOP + "{% endif %}", "quá lâu"),
])
async def test_a_hostile_template_is_refused_at_upload_within_the_limit(
    harness: BotHarness, commune, tag: str, reason: str  # noqa: F811 - the fixture
) -> None:
    started = time.monotonic()
    await upload(harness, "bad", with_tag(tag))
    await harness.app.wait_background()
    elapsed = time.monotonic() - started
    reply = harness.request.last_to(ADMIN_ID)
    assert reply.method == "sendMessage" and "Mẫu chưa dùng được" in reply.text and reason in reply.text
    assert elapsed < LIMIT_S + 6, f"refused after {elapsed:.1f} s"
    assert await harness.storage.templates.latest("tthc-weekly:pending", None) is None


async def test_others_are_answered_during_a_hostile_render(harness: BotHarness, commune) -> None:  # noqa: F811
    await upload(harness, "loop", with_tag(NESTED_LOOP))
    await asyncio.sleep(0.2)  # the check is running in a worker
    assert harness.app._background, "the check runs beside the updates"
    started = time.monotonic()
    await harness.app.process_update(as_update(text_update(LAN, "/help"), harness.app.bot))
    answered = time.monotonic() - started
    assert harness.request.sent_to(LAN) and answered < 1.0, f"/help answered after {answered:.2f} s"
    assert harness.app._background, "the hostile check was still running when /help was answered"
    await harness.app.wait_background()
    assert "quá lâu" in harness.request.last_to(ADMIN_ID).text
    # the worker was replaced: an ordinary template is checked and previewed right after
    await upload(harness, "good", TEMPLATE.read_bytes())
    await harness.app.wait_background()
    assert harness.request.last_to(ADMIN_ID).method == "sendDocument", harness.request.last_to(ADMIN_ID).text


async def test_a_stored_template_failing_on_real_data_falls_back_and_admins_are_told_once(
    harness: BotHarness, commune, clock  # noqa: F811
) -> None:
    province = await harness.storage.units.get(commune.province_code)
    assert province is not None and province.kind == UnitKind.PROVINCE
    await bind(harness.storage, PROVINCE_ADMIN, "Trần Văn Quản", Role.ADMIN, province, clock.now())
    # renders on the sample commune (the upload check passes), hangs on every real one
    hostile = with_tag("MẪU RIÊNG{% if unit_code != '21370' %}" + NESTED_LOOP + "{% endif %}")
    await harness.storage.templates.add("tthc-weekly", province.code, "mau-tinh.docx", hostile, None, clock.now())

    await submit(harness)
    await harness.send(text_update(LAN, "/baocaocu tuan"))  # the weekly report (asked when several are scheduled)
    label, data = harness.request.last_to(LAN).buttons[0]
    await harness.send(callback_update(LAN, data))

    files = harness.request.documents_to(LAN)
    assert len(files) == 2
    for _, content in files:  # an ordinary report from the shipped template
        text = docx_text(content)
        assert "MẪU RIÊNG" not in text and "XÃ PHÚC LỘC" in text and "102" in text
    assert not any("Mẫu báo cáo đã tải lên" in c.params.get("text", "") for c in harness.request.sent_to(LAN))
    for admin in (ADMIN_ID, PROVINCE_ADMIN):
        notices = [c for c in harness.request.sent_to(admin) if "Mẫu báo cáo đã tải lên" in c.params.get("text", "")]
        assert len(notices) == 1, f"admin {admin} told {len(notices)} times"
        assert "mẫu mặc định" in notices[0].text and "quá lâu" in notices[0].text
    assert len(await harness.storage.audit.recent(action="template.fallback")) == 1

    # after a restart the same template version fails again: the admins are not told again
    request = RecordingRequest()
    restarted = build_application(harness.app.services.settings, request=request, token="123456:TEST", clock=clock,
                                  rate_limiter=False)
    async with restarted:
        await restarted.process_update(as_update(callback_update(LAN, data), restarted.bot))
        await restarted.wait_background()
    assert len(request.documents_to(LAN)) == 1
    assert not request.sent_to(ADMIN_ID) and not request.sent_to(PROVINCE_ADMIN)


async def test_others_are_answered_while_a_report_renders_with_a_hostile_stored_template(
    harness: BotHarness, commune, clock  # noqa: F811
) -> None:
    province = await harness.storage.units.get(commune.province_code)
    await bind(harness.storage, PROVINCE_ADMIN, "Trần Văn Quản", Role.ADMIN, province, clock.now())
    hostile = with_tag("{% if unit_code != '21370' %}" + NESTED_LOOP + "{% endif %}")
    await harness.storage.templates.add("tthc-weekly", commune.province_code, "mau-tinh.docx", hostile, None,
                                        clock.now())
    await answer_all(harness, LAN, BALANCED)
    button = next(d for label, d in harness.request.last_to(LAN).buttons if "Gửi báo cáo" in label)
    await harness.app.process_update(as_update(callback_update(LAN, button), harness.app.bot))
    assert harness.app._background, "the report renders beside the updates"
    started = time.monotonic()
    await harness.app.process_update(as_update(text_update(PROVINCE_ADMIN, "/help"), harness.app.bot))
    answered = time.monotonic() - started
    assert harness.request.sent_to(PROVINCE_ADMIN) and answered < 1.0, f"/help answered after {answered:.2f} s"
    assert harness.app._background, "the hostile render was still running when /help was answered"
    await harness.app.wait_background()
    (_, content), = harness.request.documents_to(LAN)
    assert "XÃ PHÚC LỘC" in docx_text(content)


SUPERVISOR = 8801


async def test_a_supervisors_copy_falls_back_too_and_tells_the_admins_once(
    harness: BotHarness, commune, clock  # noqa: F811
) -> None:
    """The supervising journey renders through the same fallback: the template is stored after the
    commune's submission, so the supervisor's copy is the first report it fails on."""
    province = await harness.storage.units.get(commune.province_code)
    assert province is not None
    await bind(harness.storage, SUPERVISOR, "Lê Văn Giám", Role.SUPERVISOR, province, clock.now())
    await submit(harness)
    (submission,) = await harness.storage.submissions.recent_for_unit(commune.code, "tthc-weekly")
    hostile = with_tag("MẪU RIÊNG{% if unit_code != '21370' %}" + NESTED_LOOP + "{% endif %}")
    await harness.storage.templates.add("tthc-weekly", province.code, "mau-tinh.docx", hostile, None, clock.now())

    for _ in range(2):
        await harness.send(callback_update(SUPERVISOR, f"sv:w:{submission.id}"))
    files = harness.request.documents_to(SUPERVISOR)
    assert len(files) == 2 and all("MẪU RIÊNG" not in docx_text(content) for _, content in files)
    notices = [c for c in harness.request.sent_to(ADMIN_ID) if "Mẫu báo cáo đã tải lên" in c.params.get("text", "")]
    assert len(notices) == 1 and "quá lâu" in notices[0].text
