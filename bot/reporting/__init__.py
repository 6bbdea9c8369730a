"""The reporting journey: an official's draft, its screens, and the commune's report file."""
