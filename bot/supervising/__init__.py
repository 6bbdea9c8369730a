"""The supervisor's journey without a messenger: the province's rollup, the communes missing, one
commune's card, approving or returning a report and entering one on a commune's behalf.

Each module takes typed inputs (the sender's ``Identity``, parsed arguments, a decoded action)
and returns ``bot.chat.replies`` replies; every change is one storage transaction. A channel
(handlers/supervising for Telegram) turns updates into calls here and the replies into messages."""
