"""The Zalo side of replies (handlers/zalo/outbox.py), to the sandbox over HTTP: a text over 2,000
characters in parts cut at line ends (never inside a line or a number) with the options under the
last; no edits; files and charts offered as links (or said to be made, while no file server runs)."""

from __future__ import annotations

from bot.chat.access import Identity
from bot.chat.actions import Pause, Submit
from bot.chat.catalogue import say
from bot.chat.replies import Choice, ClearChoices, Document, Message, Picture, TapAnswer
from tests.e2e.zalo_world import ZALO_LAN
from tests.zalo.conftest import ZaloWorld

LINES = [f"Mục {n}: {n * 1_234_567:,} hồ sơ".replace(",", ".") for n in range(1, 201)]


def _lan(world: ZaloWorld) -> Identity:
    return Identity(messenger="zalo", user_id=ZALO_LAN, person=world.people["lan"])


async def test_a_long_text_goes_in_parts_cut_at_line_ends(zalo_world: ZaloWorld) -> None:
    text = "\n".join(LINES)
    assert len(text) > 4000
    message = Message(text, ((Choice("✔ Gửi báo cáo", Submit(7)),), (Choice("Tạm dừng", Pause(7)),)))
    await zalo_world.channel.outbox.deliver(ZALO_LAN, _lan(zalo_world), [message, ClearChoices("đổi")])
    parts = [m["text"] for m in await zalo_world.client.zalo.bot_messages(ZALO_LAN)]
    assert len(parts) >= 3 and all(len(part) <= 2000 for part in parts)
    sent_lines = [line for part in parts for line in part.split("\n") if line]
    assert sent_lines[:len(LINES)] == LINES  # every line whole, in order, in exactly one part
    assert parts[-1].endswith("1 = ✔ Gửi báo cáo\n2 = Tạm dừng")  # the options under the last part
    offer = await zalo_world.storage.chat_options.offered("zalo", ZALO_LAN)
    assert [o.key for o in offer.options] == ["1", "2"] and not offer.typed


async def test_a_text_is_measured_in_characters_as_zalo_counts(zalo_world: ZaloWorld) -> None:
    text = "\n".join(["Đã nhận 👍"] * 190)  # 1,899 characters, 2,089 UTF-16 units: one Zalo message, not two
    await zalo_world.channel.outbox.deliver(ZALO_LAN, _lan(zalo_world), [Message(text)])
    parts = [m["text"] for m in await zalo_world.client.zalo.bot_messages(ZALO_LAN)]
    assert parts == [text]


async def test_files_and_charts_are_offered_as_links(zalo_world: ZaloWorld) -> None:
    lan = _lan(zalo_world)
    replies = [Document("bao-cao.docx", b"PK...", caption="Báo cáo tuần"), Picture(b"\x89PNG", caption="Biểu đồ"),
               TapAnswer("Đã lưu")]
    await zalo_world.channel.outbox.deliver(ZALO_LAN, lan, replies)
    texts = [m["text"] for m in await zalo_world.client.zalo.bot_messages(ZALO_LAN)]
    assert texts == ["Báo cáo tuần\n\n" + say("zalo.file_not_linked", name="bao-cao.docx"),
                     "Biểu đồ\n" + say("zalo.picture_not_linked"), "Đã lưu"]

    async def link(identity: Identity, filename: str, content: bytes) -> str | None:
        assert identity.user_id == ZALO_LAN
        return f"https://bot.example.vn/tep/{filename}?sig=x"

    zalo_world.channel.outbox.file_link = link
    await zalo_world.channel.outbox.deliver(ZALO_LAN, lan, replies[:2])
    sent = (await zalo_world.client.zalo.bot_messages(ZALO_LAN))[3:]
    assert sent[0]["text"].endswith("https://bot.example.vn/tep/bao-cao.docx?sig=x")
    assert sent[1]["kind"] == "photo" and sent[1]["photo_url"] == "https://bot.example.vn/tep/bieu-do.png?sig=x"
    assert sent[1]["caption"] == "Biểu đồ"
