"""``lib.rows``: a row read by a plain statement becomes the same instance the ORM builds (issue 14: the session and
user reads of every request no longer go through the ORM's compiler). Each field compared, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lib import rows
from queueing.models import Ticket
from queueing.services import handling_finish, handling_start, ticket_call_next, ticket_issue
from staff.backends import user_with_profile
from staff.sessions import SessionStore
from tests import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()


def _same(a, b):
    for field in type(a)._meta.concrete_fields:
        left, right = getattr(a, field.attname), getattr(b, field.attname)
        assert left == right and type(left) is type(right), field.attname


def test_a_ticket_read_by_its_columns_equals_the_orms(world):
    """Dates, aware datetimes, booleans, floats, JSON, nullable keys: every converter the ticket's 44 columns need."""
    counter = f.counter(world["hall_a"], 1)
    ticket = ticket_issue(hall=world["hall_a"], business_type=world["basic"], priority_kind="elderly")
    ticket = ticket_call_next(counter=counter, clerk=world["clerk_a"])
    handling_start(ticket=ticket, clerk=world["clerk_a"], counter=counter)
    handling_finish(
        ticket=ticket,
        clerk=world["clerk_a"],
        counter=counter,
        outcome="done",
        business_types=[world["basic"]],
    )
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(Ticket, Ticket._meta.db_table)} FROM {q(Ticket._meta.db_table)} WHERE id = %s",
            [ticket.pk],
        )
        mine = rows.hydrate(Ticket, cursor.fetchone())
    orm = Ticket.objects.get(pk=ticket.pk)
    _same(mine, orm)
    assert mine.finished_at.tzinfo is not None and mine._state.adding is False and mine._state.db == "default"


def test_the_user_and_profile_equal_select_related(world):
    user = world["clerk_a"]
    mine = user_with_profile(user.pk)
    orm = User.objects.select_related("staff_profile").get(pk=user.pk)
    _same(mine, orm)
    with CaptureQueriesContext(connection) as ctx:
        _same(mine.staff_profile, orm.staff_profile)
        assert mine.staff_profile.user is mine
    assert ctx.captured_queries == []


def test_a_user_without_a_profile_reads_none_without_a_second_query(db):
    user = User.objects.create_user("no_profile", password="x")
    mine = user_with_profile(user.pk)
    with CaptureQueriesContext(connection) as ctx:
        with pytest.raises(User.staff_profile.RelatedObjectDoesNotExist):
            mine.staff_profile  # noqa: B018
    assert ctx.captured_queries == [] and user_with_profile(user.pk + 1000) is None


def test_the_session_store_reads_a_live_session_and_refuses_an_expired_or_unknown_one(db):
    store = SessionStore()
    store["k"] = "v"
    store.save()
    assert SessionStore(store.session_key).load() == {"k": "v"}
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {} and SessionStore("bad").load() == {}


def test_by_pk_equals_select_related_and_caches_a_missing_relation_as_none(world):
    counter = f.counter(world["hall_a"], 1)
    waiting = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    mine = rows.by_pk(Ticket, waiting.pk, related=("business_type", "counter"))
    orm = Ticket.objects.select_related("business_type", "counter").get(pk=waiting.pk)
    with CaptureQueriesContext(connection) as ctx:
        _same(mine, orm)
        _same(mine.business_type, orm.business_type)
        assert mine.counter is None  # no counter yet: cached as missing, no second query
    assert ctx.captured_queries == []
    called = ticket_call_next(counter=counter, clerk=world["clerk_a"])
    mine = rows.by_pk(Ticket, called.pk, related=("business_type", "counter"))
    with CaptureQueriesContext(connection) as ctx:
        _same(mine.counter, Ticket.objects.select_related("counter").get(pk=called.pk).counter)
        assert mine.counter == counter
    assert len(ctx.captured_queries) == 1  # the ORM's read above, not the counter
    assert rows.by_pk(Ticket, called.pk + 1000) is None


def test_one_reads_by_several_columns_a_none_meaning_is_null(world):
    from integrations.models import ApiToken, token_create, token_revoke

    token, _raw = token_create(hall=world["hall_a"], kind="kiosk", name="k")
    found = rows.one(ApiToken, related=("hall",), token_hash=token.token_hash, revoked_at=None)
    assert found == token and found.hall == world["hall_a"]
    token_revoke(token=token)
    assert rows.one(ApiToken, related=("hall",), token_hash=token.token_hash, revoked_at=None) is None


@pytest.mark.django_db(transaction=True)
def test_one_locks_only_inside_a_transaction_and_as_select_for_update_does(world):
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    from queueing.models import CounterState

    counter = f.counter(world["hall_a"], 1)
    CounterState.objects.create(counter=counter, hall=world["hall_a"])
    with pytest.raises(TransactionManagementError):
        rows.one(CounterState, related=("counter",), lock=True, counter_id=counter.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        state = rows.one(CounterState, related=("counter",), lock=True, counter_id=counter.pk)
    assert state.counter == counter
    locked = connection.vendor == "postgresql"
    assert ("FOR NO KEY UPDATE OF" in ctx.captured_queries[-1]["sql"]) is locked


def test_insert_writes_the_row_save_would(world):
    """Every column as ``save(force_insert=True)`` writes it: a ticket issued by the service (rows.insert) and its
    copy saved by the ORM differ in their key only."""
    from queueing.models import TicketEvent

    issued = ticket_issue(hall=world["hall_a"], business_type=world["basic"], priority_kind="elderly")
    copy = Ticket.objects.get(pk=issued.pk)
    copy.pk, copy.seq, copy.number, copy.public_token, copy._state.adding = None, 999, "A999", "x" * 22, True
    copy.save(force_insert=True)
    mine, orm = Ticket.objects.get(pk=issued.pk), Ticket.objects.get(pk=copy.pk)
    for field in Ticket._meta.concrete_fields:
        if field.attname not in ("id", "seq", "number", "public_token"):
            assert getattr(mine, field.attname) == getattr(orm, field.attname), field.attname
    event = TicketEvent.objects.get(ticket_id=issued.pk)
    assert (
        event.data == {"source": "kiosk", "ahead": 0}
        and event.at == issued.issued_at
        and event.pk is not None
    )
    assert not issued._state.adding and issued._state.db == "default"


def test_insert_leaves_a_model_with_save_receivers_to_save(world, monkeypatch):
    from django.db.models.signals import post_save

    from queueing.models import TicketEvent

    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.kind, created))

    post_save.connect(receiver, sender=TicketEvent, dispatch_uid="test-rows-insert")
    try:
        ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    finally:
        post_save.disconnect(dispatch_uid="test-rows-insert", sender=TicketEvent)
    assert heard == [("issued", True)]


def test_update_changes_what_the_orms_update_would_and_only_in_the_expected_status(world):
    from django.db.models import F

    first, second = f.counter(world["hall_a"], 1), f.counter(world["hall_a"], 2)
    a = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    b = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    changes = {"status": "called", "called_at": timezone.now(), "warn_share": 0.75, "target_counter": None}
    assert rows.update(Ticket, a.pk, only_if=("status", ["waiting"]), counter=first, **changes) == 1
    Ticket.objects.filter(pk=b.pk, status__in=["waiting"]).update(counter=second, **changes)
    mine, orm = Ticket.objects.get(pk=a.pk), Ticket.objects.get(pk=b.pk)
    assert (mine.counter_id, orm.counter_id) == (first.pk, second.pk)
    for name in ("status", "called_at", "warn_share", "target_counter_id"):
        assert getattr(mine, name) == getattr(orm, name), name
    assert rows.update(Ticket, a.pk, only_if=("status", ["waiting"]), status="done") == 0  # no longer waiting
    with pytest.raises(TypeError):
        rows.update(Ticket, a.pk, recall_count=F("recall_count") + 1)
    with pytest.raises(ValueError):
        rows.update(Ticket, a.pk, only_if=("status", ["x' OR 1=1 --"]), status="done")


def test_save_fields_writes_the_named_fields_only_and_refuses_a_row_that_is_gone(world):
    from queueing.models import CounterState

    counter = f.counter(world["hall_a"], 1)
    state = CounterState.objects.create(counter=counter, hall=world["hall_a"])
    state.normal_since_priority, state.clerk_id = 4, world["clerk_a"].pk
    state.hall_id = world["hall_b"].pk  # not named: must not be written
    rows.save_fields(state, ("normal_since_priority", "clerk"))
    fresh = CounterState.objects.get(pk=state.pk)
    assert (fresh.normal_since_priority, fresh.clerk_id, fresh.hall_id) == (
        4,
        world["clerk_a"].pk,
        world["hall_a"].pk,
    )
    CounterState.objects.filter(pk=state.pk).delete()
    with pytest.raises(CounterState.DoesNotExist):
        rows.save_fields(state, ("normal_since_priority",))


def test_a_session_saved_by_djangos_own_db_engine_is_read_by_ours(db):
    """Sessions opened before the switch to ``staff.sessions`` stay valid (same table, same signing salt)."""
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    theirs = DjangoStore()
    theirs["_auth_user_id"] = "7"
    theirs.save()
    assert SessionStore(theirs.session_key).load() == {"_auth_user_id": "7"}
