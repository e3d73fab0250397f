"""Models for this domain (see docs/architecture.md)."""
