"""The Zalo channel: the Bot API client (client.py), its shapes (models.py), its errors (errors.py),
the webhook's door (webhook.py); the channel itself (channel.py: updates in, one at a time, kept in
the inbox until handled), what a text asks for (dispatch.py: commands, the actions behind typed
options) and how replies go out (outbox.py: options under the text, parts of 2,000 characters,
files as links from files.py's FileLink). No telegram import here."""
