"""Model fields that store personal information encrypted at rest."""

from __future__ import annotations

from django.db import models

from privacy import crypto


class EncryptedTextField(models.TextField):
    """Transparent AES-GCM encryption; the database only ever holds ``enc1:…``. Not searchable: use a blind index."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and crypto.is_encrypted(value):
            return crypto.decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
