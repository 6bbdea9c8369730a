"""Zalo's Bot API in the sandbox, beside Telegram's: the world (world.py), the methods (methods.py),
the HTTP side (service.py), webhook delivery (webhook.py), the control API's Zalo part (control.py)
and its Python client (client.py). See sandbox/README.md, "Zalo"."""
