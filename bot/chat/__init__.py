"""What every journey speaks, whatever the messenger: who the sender is, the typed actions behind choices, the replies, and the catalogue of sentences."""
