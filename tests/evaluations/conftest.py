from __future__ import annotations

import pytest

from queueing import services as qs
from tests import factories as f


@pytest.fixture(autouse=True)
def _reason_chips(request):
    """Transactional tests flush the database, and with it the chips the migration seeded: put them back."""
    if request.node.get_closest_marker("django_db") is None and "world" not in request.fixturenames:
        return
    request.getfixturevalue("db")  # the database access the test asked for (transactional or not)
    from evaluations.services import reason_chips_seed

    reason_chips_seed()


@pytest.fixture
def ev(world):
    """Hall A with counters 1 and 2 (一窗通办)."""
    hall = world["hall_a"]
    return {**world, "hall": hall, "c1": f.counter(hall, 1), "c2": f.counter(hall, 2)}


def finish(ev, *, counter=None, clerk=None, customer=None, capture=None):
    """Issue → call → start → finish one ticket; runs the after-commit hooks when ``capture`` is given."""
    counter = counter or ev["c1"]
    clerk = clerk or ev["clerk_a"]
    t = qs.ticket_issue(hall=ev["hall"], business_type=ev["basic"], customer=customer)
    qs.ticket_call_next(counter=counter, clerk=clerk)
    qs.handling_start(ticket=t, clerk=clerk)
    if capture is not None:
        with capture(execute=True):
            qs.handling_finish(ticket=t, clerk=clerk, outcome="done", business_types=[ev["basic"]])
    else:
        qs.handling_finish(ticket=t, clerk=clerk, outcome="done", business_types=[ev["basic"]])
    t.refresh_from_db()
    return t
