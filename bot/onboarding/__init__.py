"""The onboarding journey without a messenger: the greeting (with or without an invitation), the
help, each role's command menu and the answers to input no journey takes."""
