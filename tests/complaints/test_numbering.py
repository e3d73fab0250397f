"""CMP-1 numbering: gapless per hall and day under concurrent intake (real threads, real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from complaints.models import Complaint


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gets_distinct_gapless_numbers(world, intake):
    results, errors = [], []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            results.append(intake().number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in results)
    assert seqs == [1, 2, 3, 4]
    assert Complaint.objects.count() == 4


@pytest.mark.django_db
def test_reference_to_todays_ticket_links_it(world, intake):
    from queueing.services import ticket_issue

    ticket = ticket_issue(hall=world["hall_a"], business_type=world["basic"], actor=world["greeter_a"])
    linked = intake(related_reference=ticket.number.lower())
    assert linked.ticket_id == ticket.pk
    assert intake(related_reference="Z999").ticket_id is None


@pytest.mark.django_db
def test_complaint_list_query_count_does_not_grow_with_rows(
    client, world, intake, django_assert_max_num_queries
):
    from tests.conftest import login

    for _ in range(6):
        intake()
    login(client, world["manager_a"])
    with django_assert_max_num_queries(20):
        response = client.get("/complaints/")
    assert response.status_code == 200
