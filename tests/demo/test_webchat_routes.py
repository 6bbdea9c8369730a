"""The sandbox serves the web chat page and the people it offers (no browser needed here)."""

from __future__ import annotations

import aiohttp

from sandbox import SandboxServer


async def test_page_files_and_people() -> None:
    server = SandboxServer()
    base = await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            for path, kind in (("/chat", "text/html"), ("/chat/chat.js", "application/javascript"),
                               ("/chat/chat.css", "text/css")):
                async with http.get(base + path) as resp:
                    assert resp.status == 200 and resp.content_type == kind
                    assert len(await resp.text()) > 100
            async with http.get(base + "/chat") as resp:
                page = await resp.text()
            assert 'name="viewport"' in page and 'lang="vi"' in page and "/chat/chat.js" in page
            for path in ("/chat/__init__.py", "/chat/..%2F..%2Fserver.py", "/chat/index.htm"):
                async with http.get(base + path) as resp:
                    assert resp.status == 404, path

            server.state.add_user(5000, "Khách")
            async with http.post(base + "/control/people", json={
                "id": 1001, "first_name": "Lan", "last_name": "Nguyễn Thị", "role": "reporter",
                "title": "Công chức Văn phòng - Thống kê", "units": ["Xã Đại Từ"]}) as resp:
                assert resp.status == 200
                lan = await resp.json()
            assert lan["name"] == "Nguyễn Thị Lan" and lan["role_label"] == "Cán bộ báo cáo"
            assert 1001 in server.state.users and 1001 in server.state.chats  # a real sandbox user
            async with http.get(base + "/control/people") as resp:
                people = await resp.json()
            assert [p["id"] for p in people] == [1001, 5000]  # people with a profile first
            assert people[1]["role_label"] == "Người dùng"
            for bad in ({"first_name": "X"}, {"id": "abc", "first_name": "X"}, {"id": -5, "first_name": "X"}):
                async with http.post(base + "/control/people", json=bad) as resp:
                    assert resp.status == 400, bad
            async with http.post(base + "/control/people", data=b"not json") as resp:
                assert resp.status == 400
        server.reset()
        assert server.webchat.profiles == {}
    finally:
        await server.stop()
    assert server.internal_errors == []


async def test_a_person_who_opens_an_invitation_link() -> None:
    """POST /control/people with "start": the new person opens t.me/<bot>?start=<token>, i.e. sends
    "/start <token>" as Telegram makes them do; a start parameter Telegram would not carry is refused."""
    server = SandboxServer()
    base = await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(base + "/control/people", json={
                    "id": 700001, "first_name": "Người được mời 1", "role_label": "Người được mời",
                    "start": "Ab_9-xyz"}) as resp:
                assert resp.status == 200
                person = await resp.json()
            assert person["role_label"] == "Người được mời"
            sent = person["start_message"]
            assert sent["text"] == "/start Ab_9-xyz" and sent["from"] == "user" and sent["chat_id"] == 700001
            assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
            update = next(u for u in server.state.updates if u["update_id"] == sent["update_id"])
            assert update["message"]["text"] == "/start Ab_9-xyz"
            for bad in ("", "có dấu", "a" * 65, "x y", 42):
                async with http.post(base + "/control/people", json={"id": 700002, "first_name": "X",
                                                                      "start": bad}) as resp:
                    assert resp.status == 400, bad
            assert 700002 not in server.state.users  # nothing created by a refused request
            async with http.post(base + "/control/people", json={"id": 700003, "first_name": "Y"}) as resp:
                assert "start_message" not in await resp.json()  # as before without "start"
    finally:
        await server.stop()
    assert server.internal_errors == []
