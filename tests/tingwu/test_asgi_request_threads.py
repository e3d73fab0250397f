"""Issue 14: Django's ASGI handler started a new thread for every request (a fresh ``ThreadSensitiveContext``);
``tingwu.asgi.OneHopASGIHandler`` keeps request threads across requests (``RequestThreads``), one request at a time
per thread, and never reuses a thread still running a call of a request that has ended."""

from __future__ import annotations

import threading

import pytest
from django.core.signals import request_finished, request_started

from tests.queueing.asgi_client import event_loop, http, http_together
from tingwu.asgi import RequestThreads

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def request_thread_ids():
    seen: list[tuple[str, int]] = []

    def started(**kwargs):
        seen.append(("started", threading.get_ident()))

    def finished(**kwargs):
        seen.append(("finished", threading.get_ident()))

    request_started.connect(started, dispatch_uid="test-threads-started")
    request_finished.connect(finished, dispatch_uid="test-threads-finished")
    yield seen
    request_started.disconnect(dispatch_uid="test-threads-started")
    request_finished.disconnect(dispatch_uid="test-threads-finished")


def test_requests_one_after_another_run_in_one_kept_thread(request_thread_ids):
    with event_loop():
        for _ in range(3):
            assert http("GET", "/healthz", headers={}).status_code == 200
    threads = {ident for _kind, ident in request_thread_ids}
    assert (
        len(request_thread_ids) == 6 and len(threads) == 1
    )  # Django's own handler: a new thread per request
    assert threads != {threading.get_ident()}


def test_requests_at_once_each_have_their_own_thread(request_thread_ids, django_user_model):
    with event_loop():
        answers = http_together(
            [("/healthz", {}, None)] * 4
        )  # POST to /healthz: 405, through the whole chain
    assert len(answers) == 4
    started = [ident for kind, ident in request_thread_ids if kind == "started"]
    finished = [ident for kind, ident in request_thread_ids if kind == "finished"]
    assert sorted(started) == sorted(finished)  # each request starts and ends in one thread


def test_a_thread_still_busy_when_its_request_ended_is_not_reused():
    threads = RequestThreads()
    first = threads.take()
    release = threading.Event()
    future = first.submit(release.wait, 10)
    threads.give(first)  # its request ended (the client went away) while the view still runs
    second = threads.take()
    assert second is not first
    release.set()
    future.result(timeout=10)
    threads.give(second)
    assert threads.take() is second  # an idle thread is kept and handed out again


def test_no_more_idle_threads_are_kept_than_the_limit():
    threads = RequestThreads(keep=2)
    taken = [threads.take() for _ in range(3)]
    for t in taken:
        threads.give(t)
    assert taken[2]._shutdown and not taken[0]._shutdown and not taken[1]._shutdown


# Django 6.1.3's ASGIHandler.handle, which tingwu.asgi.OneHopASGIHandler.handle copies but for request_started.
DJANGO_HANDLE_SHA256 = "c91f27c7fcdc3fff4f1c7082e91cb30f0bfaa5781ca632a116b1d9e607fd752a"


def test_djangos_handle_is_still_the_one_the_copy_was_made_from():
    """After a Django upgrade: compare OneHopASGIHandler.handle (and the chain's close) with Django's new
    handle(), then record its hash."""
    import hashlib
    import inspect

    from django.core.handlers.asgi import ASGIHandler

    source = inspect.getsource(ASGIHandler.handle)
    assert hashlib.sha256(source.encode()).hexdigest() == DJANGO_HANDLE_SHA256


def test_request_started_and_finished_run_once_per_request_in_the_chains_thread(request_thread_ids):
    with event_loop():
        assert http("GET", "/healthz", headers={}).status_code == 200
    assert [kind for kind, _ident in request_thread_ids] == ["started", "finished"]
    assert len({ident for _kind, ident in request_thread_ids}) == 1


def test_a_streamed_response_is_closed_once_after_its_body_is_sent(world, request_thread_ids):
    """The records export streams a file (FileResponse): its body comes whole and it is closed once, after it
    was sent — not by the chain, which closes only responses whose body is already built."""
    from django.urls import reverse

    from tests.queueing.asgi_client import staff_headers

    with event_loop():
        headers = staff_headers(world["manager_a"])
        request_thread_ids.clear()
        r = http("GET", reverse("queueing:records_export") + f"?hall={world['hall_a'].pk}", headers=headers)
    assert r.status_code == 200 and r.content.startswith(b"PK")  # an xlsx: a zip, whole
    assert [kind for kind, _ident in request_thread_ids] == ["started", "finished"]
