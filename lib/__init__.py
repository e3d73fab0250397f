"""Pure helpers with no Django models (healthchecks ``hc/lib`` style)."""
