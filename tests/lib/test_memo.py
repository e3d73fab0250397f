"""lib.memo (issue 9 §3): one per-process memo with a time-to-live, a size cap and forgetting on its models."""

from __future__ import annotations

import pytest
from django.db import transaction

from lib.memo import Memo, forget_all
from tests import factories as f


def _counting():
    calls = []

    def load(value):
        def inner():
            calls.append(value)
            return value

        return inner

    return calls, load


def test_a_value_is_loaded_once_within_its_time_to_live():
    memo = Memo("test.ttl", ttl=5.0)
    calls, load = _counting()
    assert memo.get("k", load(1)) == 1
    assert memo.get("k", load(2)) == 1
    assert calls == [1]


def test_a_value_older_than_its_time_to_live_is_loaded_again(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("lib.memo.time.monotonic", lambda: now[0])
    memo = Memo("test.expiry", ttl=5.0)
    calls, load = _counting()
    memo.get("k", load(1))
    now[0] += 4.9
    assert memo.get("k", load(2)) == 1
    now[0] += 0.2
    assert memo.get("k", load(3)) == 3
    assert calls == [1, 3]


def test_the_size_cap_drops_the_oldest_entry_first():
    memo = Memo("test.cap", ttl=60, maxsize=2)
    calls, load = _counting()
    memo.get("a", load("a"))
    memo.get("b", load("b"))
    memo.get("c", load("c"))
    assert len(memo) == 2
    memo.get("b", load("b2"))
    memo.get("a", load("a2"))
    assert calls == ["a", "b", "c", "a2"]


def test_forget_drops_only_the_keys_it_names():
    memo = Memo("test.forget", ttl=60)
    memo.get((1, "x"), lambda: 1)
    memo.get((2, "x"), lambda: 2)
    memo.forget(lambda key: key[0] == 1)
    assert memo.get((1, "x"), lambda: "fresh") == "fresh"
    assert memo.get((2, "x"), lambda: "fresh") == 2


def test_forget_all_clears_every_memo():
    one, two = Memo("test.all1", ttl=60), Memo("test.all2", ttl=60)
    one.get("k", lambda: 1)
    two.get("k", lambda: 2)
    forget_all()
    assert len(one) == len(two) == 0


@pytest.mark.django_db(transaction=True)
def test_a_change_of_a_named_model_is_forgotten_now_and_again_after_the_commit():
    """A reader that loads between the save and the commit must not keep the pre-commit value."""
    memo = Memo("test.models", ttl=60, models=("halls.Region",))
    region = f.region()
    memo.get("k", lambda: "old")
    with transaction.atomic():
        region.name = "改名"
        region.save()
        assert len(memo) == 0  # forgotten at once
        memo.get("k", lambda: "read before the commit")
    assert memo.get("k", lambda: "after") == "after"  # and forgotten again once committed


@pytest.mark.django_db
def test_scope_narrows_what_a_change_forgets():
    from halls.models import Region

    memo = Memo("test.scope", ttl=60, models=("halls.Region",), scope=lambda r: lambda key: key == r.code)
    memo.get("KEEP", lambda: 1)
    memo.get("DROP", lambda: 2)
    Region.objects.create(code="DROP", name="作用域测试区域")
    assert memo.get("KEEP", lambda: "fresh") == 1
    assert memo.get("DROP", lambda: "fresh") == "fresh"
