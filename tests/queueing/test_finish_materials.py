"""BIZ-1.1 materials check at finish, one rule for the console and the API (in ``handling_finish``)."""

from __future__ import annotations

import pytest

from lib.errors import ServiceError
from queueing import services as s
from queueing.models import Ticket, TicketStatus


@pytest.fixture
def serving(floor):
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    s.handling_start(ticket=t, clerk=floor["clerk_a"])
    return t


def test_done_with_a_mandatory_material_not_brought_is_refused_and_nothing_saved(floor, serving):
    optional = floor["basic"].materials.get(mandatory=False)
    with pytest.raises(ServiceError) as exc:
        s.handling_finish(
            ticket=serving,
            clerk=floor["clerk_a"],
            outcome="done",
            business_types=[floor["basic"]],
            brought_material_ids=[optional.pk],
        )
    assert exc.value.code == "materials_missing_outcome" and exc.value.field == "outcome"
    t = Ticket.objects.get(pk=serving.pk)
    assert t.status == TicketStatus.SERVING and not t.missing_materials.exists()


def test_materials_missing_lists_the_mandatory_materials_not_brought(floor, serving):
    optional = floor["basic"].materials.get(mandatory=False)
    mandatory = floor["basic"].materials.get(mandatory=True)
    s.handling_finish(
        ticket=serving,
        clerk=floor["clerk_a"],
        outcome="materials_missing",
        business_types=[floor["basic"]],
        brought_material_ids=[optional.pk],
    )
    assert list(Ticket.objects.get(pk=serving.pk).missing_materials.all()) == [mandatory]


def test_everything_brought_finishes_done_without_a_list(floor, serving):
    brought = [m.pk for m in floor["basic"].materials.all()]
    s.handling_finish(
        ticket=serving,
        clerk=floor["clerk_a"],
        outcome="done",
        business_types=[floor["basic"]],
        brought_material_ids=brought,
    )
    t = Ticket.objects.get(pk=serving.pk)
    assert t.status == TicketStatus.DONE and not t.missing_materials.exists()


def test_api_finish_applies_the_same_materials_rule(client, floor, serving):
    client.force_login(floor["clerk_a"])
    url = f"/api/v1/queue/counters/{floor['c1'].pk}/tickets/{serving.pk}/finish"
    r = client.post(
        url,
        {"outcome": "done", "business_type_ids": [floor["basic"].pk], "brought_material_ids": []},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "materials_missing_outcome"
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING
