"""What the queue tells other domains, so that they depend on it and never the reverse.

``ticket_finished`` is sent after the finish has committed (``ticket_id`` keyword); receivers run robustly, so a
failing receiver never undoes a finish. The PostgreSQL hot path finishes tickets without Django, so a receiver
that must see every finish also needs a sweep (evaluations has one).
"""

from __future__ import annotations

from django.dispatch import Signal

ticket_finished = Signal()
