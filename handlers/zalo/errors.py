"""What can go wrong talking to Zalo's Bot API, as typed exceptions (like python-telegram-bot's).

ZaloError (error_code, description)
├── ZaloBadRequest        400: a parameter Zalo refuses (too long a text, an unknown parameter …)
├── ZaloUnauthorized      401/404 on the token: a wrong ZALO_BOT_TOKEN
├── ZaloForbidden         403
│   └── ZaloUnreachableUser   403 on a send: that user cannot be reached (mark them like a Telegram
│                             user who blocked the bot)
├── ZaloConflict          409: getUpdates while a webhook is set
├── ZaloRetryAfter        429: wait `retry_after` seconds, then send again
├── ZaloServerError       5xx (also an HTML 502 from a front end): try again later
└── ZaloNetworkError      no answer (connection failed); the request may or may not have been done
    └── ZaloTimedOut      no answer within the client's timeout
"""

from __future__ import annotations


class ZaloError(Exception):
    def __init__(self, description: str, error_code: int | None = None) -> None:
        super().__init__(f"{error_code}: {description}" if error_code is not None else description)
        self.description = description
        self.error_code = error_code


class ZaloBadRequest(ZaloError):
    pass


class ZaloUnauthorized(ZaloError):
    pass


class ZaloForbidden(ZaloError):
    pass


class ZaloUnreachableUser(ZaloForbidden):
    def __init__(self, description: str, error_code: int | None, chat_id: str) -> None:
        super().__init__(description, error_code)
        self.chat_id = chat_id


class ZaloConflict(ZaloError):
    pass


class ZaloRetryAfter(ZaloError):
    def __init__(self, description: str, error_code: int | None, retry_after: float) -> None:
        super().__init__(description, error_code)
        self.retry_after = retry_after


class ZaloServerError(ZaloError):
    pass


class ZaloNetworkError(ZaloError):
    pass


class ZaloTimedOut(ZaloNetworkError):
    pass
