"""The Zalo channel's pieces: the Bot API client (client.py), its shapes (models.py), its errors
(errors.py) and the webhook's door (webhook.py). No telegram import here."""
