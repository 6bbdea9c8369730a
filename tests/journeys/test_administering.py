"""The admin's journey (bot.administering) with no messenger: /moi finds units and makes single-use
links (which then bind the account), /nguoidung lists people and revokes after a confirmation;
an admin of one province is refused the others, and a non-admin everything."""

from __future__ import annotations

from datetime import datetime

from bot.administering import invitations, people
from bot.chat.actions import AskRevoke, CancelRevoke, ConfirmRevoke, Invite, decode, encode
from bot.chat.catalogue import say
from bot.chat.replies import Message, TapAnswer
from bot.onboarding.welcome import Newcomer, start
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.journeys.conftest import CONFIGURED_ADMIN, Place, only_text, person, refused, who

BOT = "baocao_test_bot"


async def test_moi_without_a_name_explains_and_a_stranger_is_refused(storage: Storage, settings: Settings,
                                                                      place: Place) -> None:
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    assert only_text(await invitations.search(storage, admin, [])) == say("administering.moi_help")
    stranger = await who(storage, settings, 1234)
    assert only_text(await invitations.search(storage, stranger, ["phuc", "loc"])) == say("common.not_allowed")
    assert only_text(await people.list_people(storage, stranger, "")) == say("common.not_allowed")


async def test_moi_offers_matching_units_and_the_link_binds_the_account(storage: Storage, settings: Settings,
                                                                        clock, place: Place) -> None:
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    [message] = await invitations.search(storage, admin, ["phuc", "loc"])
    assert isinstance(message, Message)
    assert message.text == say("administering.choose_unit", role="cán bộ báo cáo")
    labels = {row[0].label: row[0] for row in message.choices}
    assert {"Xã Phúc Lộc (Thái Nguyên)", "Xã Phúc Lộc (Hà Nội)"} <= set(labels)
    choice = labels["Xã Phúc Lộc (Thái Nguyên)"]
    assert choice.action == Invite(role="r", code=place.phuc_loc.code)
    assert encode(choice.action) == f"mi:r:{place.phuc_loc.code}"  # the string the bot has always sent

    answer, link = await invitations.invite(storage, admin, choice.action, now=clock.now(), bot_username=BOT)
    assert answer == TapAnswer()
    assert isinstance(link, Message) and "Lời mời cán bộ báo cáo của Xã Phúc Lộc:" in link.text
    assert "hết hạn ngày 29/12/2025 (14 ngày)" in link.text
    token = link.text.split(f"https://t.me/{BOT}?start=")[1].split()[0]
    assert "invite.create" in [e.action for e in await storage.audit.recent(limit=5)]

    welcome = await start(storage, settings, Newcomer(8001, "Lan"), token, now=clock.now())
    assert welcome.identity is not None and welcome.identity.communes == [place.phuc_loc.code]


async def test_moi_tinh_invites_a_supervisor_and_no_match_is_said(storage: Storage, settings: Settings,
                                                                   place: Place) -> None:
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    [message] = await invitations.search(storage, admin, ["tinh", "thai", "nguyen"])
    assert isinstance(message, Message) and message.text == say("administering.choose_unit", role="cán bộ theo dõi")
    assert [row[0].label for row in message.choices] == ["Tỉnh Thái Nguyên"]
    assert message.choices[0][0].action == Invite(role="s", code="19")
    nothing = only_text(await invitations.search(storage, admin, ["khong", "co", "xa", "nay"]))
    assert nothing == say("administering.no_unit_to_invite", query="khong co xa nay",
                          usage=say("administering.moi_help"))


async def test_an_admin_of_one_province_invites_only_there(storage: Storage, settings: Settings, clock,
                                                           place: Place) -> None:
    await person(storage, 8101, "Quản trị Thái Nguyên", Role.ADMIN, place.thai_nguyen, clock.now())
    admin = await who(storage, settings, 8101)
    [message] = await invitations.search(storage, admin, ["phuc", "loc"])
    assert isinstance(message, Message)
    assert [row[0].action for row in message.choices] == [Invite(role="r", code=place.phuc_loc.code)]
    # a forged choice for a Hà Nội commune, or for a unit that does not exist
    for code in (place.ha_noi_commune.code, "99999"):
        assert refused(await invitations.invite(storage, admin, Invite(role="r", code=code), now=clock.now(),
                                                bot_username=BOT))
    assert [e for e in await storage.audit.recent(limit=10) if e.action == "invite.create"] == []


async def _people_of(storage: Storage, now: datetime, place: Place) -> tuple[int, int]:
    """Two reporters, one in each province; their memberships' ids."""
    lan = await person(storage, 8201, "Nguyễn Thị Lan", Role.REPORTER, place.phuc_loc, now)
    an = await person(storage, 8202, "Trần Văn An", Role.REPORTER, place.ha_noi_commune, now)
    [mine] = await storage.people.memberships_of(lan.id)
    [theirs] = await storage.people.memberships_of(an.id)
    return mine.id, theirs.id


async def test_nguoidung_lists_the_people_of_the_admins_provinces(storage: Storage, settings: Settings, clock,
                                                                   place: Place) -> None:
    lan, an = await _people_of(storage, clock.now(), place)
    await storage.people.set_blocked((await storage.people.get_by_telegram_id(8201)).id, clock.now())
    everyone = await people.list_people(storage, await who(storage, settings, CONFIGURED_ADMIN), "")
    [message] = everyone
    assert isinstance(message, Message)
    assert "• Nguyễn Thị Lan — cán bộ báo cáo, Xã Phúc Lộc (đã chặn bot)" in message.text
    assert "Trần Văn An — cán bộ báo cáo" in message.text
    assert {row[0].action for row in message.choices} == {AskRevoke(membership_id=lan), AskRevoke(membership_id=an)}

    await person(storage, 8203, "Quản trị Thái Nguyên", Role.ADMIN, place.thai_nguyen, clock.now())
    scoped = await who(storage, settings, 8203)
    text = only_text(await people.list_people(storage, scoped, ""))
    assert "Nguyễn Thị Lan" in text and "Trần Văn An" not in text
    assert only_text(await people.list_people(storage, scoped, "khong co xa nay")) == say(
        "administering.no_unit", query="khong co xa nay")
    assert only_text(await people.list_people(storage, scoped, "dong phuc")) == say("administering.no_people")


async def test_revoking_asks_then_revokes_once_with_its_audit(storage: Storage, settings: Settings, clock,
                                                              place: Place) -> None:
    lan, _ = await _people_of(storage, clock.now(), place)
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    now = clock.now()

    _, question = await people.revoke(storage, admin, AskRevoke(membership_id=lan), now=now)
    assert isinstance(question, Message)
    assert question.text == "Thu hồi quyền cán bộ báo cáo của Nguyễn Thị Lan tại Xã Phúc Lộc?"
    assert [c.action for c in question.choices[0]] == [ConfirmRevoke(membership_id=lan),
                                                       CancelRevoke(membership_id=lan)]
    assert [decode(encode(c.action)) for c in question.choices[0]] == [c.action for c in question.choices[0]]

    kept = await people.revoke(storage, admin, CancelRevoke(membership_id=lan), now=now)
    assert only_text(kept) == say("administering.kept")
    assert (await who(storage, settings, 8201)).communes == [place.phuc_loc.code]

    done = await people.revoke(storage, admin, ConfirmRevoke(membership_id=lan), now=now)
    assert only_text(done) == "Đã thu hồi quyền của Nguyễn Thị Lan tại Xã Phúc Lộc."
    assert (await who(storage, settings, 8201)).communes == []
    audit = [e for e in await storage.audit.recent(limit=10) if e.action == "membership.revoke"]
    assert len(audit) == 1 and audit[0].subject == f"membership:{lan}"

    again = await people.revoke(storage, admin, ConfirmRevoke(membership_id=lan), now=now)
    assert only_text(again) == "Quyền của Nguyễn Thị Lan tại Xã Phúc Lộc đã được thu hồi trước đó."
    assert len([e for e in await storage.audit.recent(limit=10) if e.action == "membership.revoke"]) == 1


async def test_revoking_out_of_scope_or_unknown_is_refused(storage: Storage, settings: Settings, clock,
                                                           place: Place) -> None:
    lan, an = await _people_of(storage, clock.now(), place)
    await person(storage, 8301, "Quản trị Thái Nguyên", Role.ADMIN, place.thai_nguyen, clock.now())
    scoped = await who(storage, settings, 8301)
    reporter = await who(storage, settings, 8201)
    for identity, step in ((scoped, ConfirmRevoke(membership_id=an)), (scoped, AskRevoke(membership_id=987654)),
                           (reporter, ConfirmRevoke(membership_id=lan))):
        assert refused(await people.revoke(storage, identity, step, now=clock.now())), step
    assert (await who(storage, settings, 8202)).is_known and (await who(storage, settings, 8201)).is_known
