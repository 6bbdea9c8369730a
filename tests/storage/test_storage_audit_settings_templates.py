"""The audit log, per-unit report settings and report templates."""

from __future__ import annotations

import pytest
from storage_helpers import PHUOC_GIANG, QUANG_NGAI, World, at

from storage import ReportSettings, Storage


async def test_audit_log(storage: Storage) -> None:
    audit = storage.audit
    entry = await audit.log("invite.create", at(1), actor=2001, subject="unit:21370", detail={"role": "reporter"})
    assert entry.actor == 2001 and entry.detail == {"role": "reporter"} and entry.at == at(1)
    await audit.log("membership.revoke", at(2), actor=2001, subject="person:3")
    await audit.log("period.open", at(3))
    assert [e.action for e in await audit.recent()] == ["period.open", "membership.revoke", "invite.create"]
    assert [e.action for e in await audit.recent(actor=2001)] == ["membership.revoke", "invite.create"]
    assert [e.action for e in await audit.recent(action="invite.create")] == ["invite.create"]
    assert [e.action for e in await audit.recent(subject="person:3")] == ["membership.revoke"]
    assert len(await audit.recent(limit=1)) == 1


async def test_unit_settings(world: World) -> None:
    repo = world.storage.unit_settings
    assert await repo.get(PHUOC_GIANG.code) is None
    first = await repo.update(
        PHUOC_GIANG.code,
        {"signer_name": "Nguyễn Văn A", "signer_title": "PHÓ CHỦ TỊCH", "signer_authority": "KT. CHỦ TỊCH"},
        world.lan.id, at(1),
    )
    assert first.signer_name == "Nguyễn Văn A" and first.distribution == [] and first.updated_at == at(1)
    second = await repo.update(
        PHUOC_GIANG.code,
        {"distribution": ["Sở KH&CN tỉnh Quảng Ngãi", "TT Đảng ủy, HĐND, UBND xã", "Lưu: VT, VP."],
         "recipient": "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"},
        world.minh.id, at(2),
    )
    assert second.signer_name == "Nguyễn Văn A"  # kept
    assert second.distribution[-1] == "Lưu: VT, VP." and second.updated_by == world.minh.id
    assert await repo.get(PHUOC_GIANG.code) == second
    assert second.settings == ReportSettings(
        signer_authority="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH", signer_name="Nguyễn Văn A",
        recipient="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
        distribution=["Sở KH&CN tỉnh Quảng Ngãi", "TT Đảng ủy, HĐND, UBND xã", "Lưu: VT, VP."],
    )
    replaced = await repo.put(PHUOC_GIANG.code, ReportSettings(directive="Thực hiện Công văn số 12/SKHCN"), None, at(3))
    assert replaced.signer_name is None and replaced.directive == "Thực hiện Công văn số 12/SKHCN"
    with pytest.raises(ValueError, match="unknown"):
        await repo.update(PHUOC_GIANG.code, {"signer": "x"}, None, at(4))
    assert set(await repo.list_for([PHUOC_GIANG.code, QUANG_NGAI.code])) == {PHUOC_GIANG.code}


async def test_templates_keep_every_version(world: World) -> None:
    repo = world.storage.templates
    default = await repo.add("tthc-weekly", None, "mau.docx", b"PK default v1", world.hoa.id, at(1))
    assert (default.version, default.unit_code, default.size) == (1, None, len(b"PK default v1"))
    assert await repo.add("tthc-weekly", None, "mau.docx", b"PK default v1", world.hoa.id, at(2)) == default
    default2 = await repo.add("tthc-weekly", None, "mau-2.docx", b"PK default v2", world.hoa.id, at(3), note="sửa")
    assert default2.version == 2 and default2.note == "sửa"
    own = await repo.add("tthc-weekly", PHUOC_GIANG.code, "pg.docx", b"PK phuoc giang", world.lan.id, at(4))
    assert own.version == 1
    assert [t.version for t in await repo.versions("tthc-weekly")] == [1, 2]
    assert await repo.latest("tthc-weekly") == default2
    assert await repo.content(default.id) == b"PK default v1"
    assert await repo.get(own.id) == own
    assert await repo.effective("tthc-weekly", PHUOC_GIANG.code, "51") == own
    assert await repo.effective("tthc-weekly", "01840", "19") == default2
    province = await repo.add("tthc-weekly", "19", "tn.docx", b"PK thai nguyen", None, at(5))
    assert await repo.effective("tthc-weekly", "01840", "19") == province
    assert await repo.effective("other", "01840", "19") is None
    with pytest.raises(ValueError):
        await repo.add("tthc-weekly", None, "empty.docx", b"", None, at(6))
