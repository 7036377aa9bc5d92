"""Attempt limits (``shop.throttle``): attempts are counted before they are
evaluated, so attempts in flight count too. Here on the local-memory cache; the
parallel tests (test_throttle_concurrency) run them against Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from shop import throttle
from shop.accounts import services
from shop.accounts.models import User
from tests.accounts.utils import CacheClock, db_state
from tests.factories import UserFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

TOKEN_CREATE = operation("storefront/TokenCreate")
THREE = throttle.Limit("test-three", max_attempts=lambda: 3, window=lambda: timedelta(minutes=5))
TWO = throttle.Limit("test-two", max_attempts=lambda: 2, window=lambda: timedelta(minutes=5))


def count(counter: throttle.Counter) -> int:
    return int(cache.get(counter.key, 0))


def test_attempts_in_flight_count_against_the_limit():
    # given: three attempts reserved, none of them finished yet
    counter = THREE.counter("ana")
    attempts = [throttle.attempt(counter) for _ in range(3)]

    # when
    with pytest.raises(throttle.Throttled):
        throttle.attempt(counter)

    # then: the refused attempt took nothing
    assert len(attempts) == 3
    assert count(counter) == 3


def test_an_attempt_given_back_makes_room_for_exactly_one_more():
    # given
    counter = THREE.counter("ana")
    first, *_others = [throttle.attempt(counter) for _ in range(3)]

    # when
    first.release()
    fourth = throttle.attempt(counter)

    # then
    assert fourth.counters == (counter,)
    with pytest.raises(throttle.Throttled):
        throttle.attempt(counter)
    assert count(counter) == 3


def test_an_attempt_refused_by_one_counter_takes_nothing_from_the_others():
    # given: "ana" has room, the shared address has none
    address = TWO.counter("203.0.113.7")
    throttle.attempt(address)
    throttle.attempt(address)

    # when
    with pytest.raises(throttle.Throttled):
        throttle.attempt(THREE.counter("ana"), address)

    # then
    assert (count(THREE.counter("ana")), count(address)) == (0, 2)


def test_counters_are_kept_per_limit_and_per_subject():
    # given
    for _ in range(2):
        throttle.attempt(TWO.counter("ana"))

    # when
    others = [throttle.attempt(TWO.counter("bea")), throttle.attempt(THREE.counter("ana"))]

    # then
    assert [attempt.counters for attempt in others] == [
        (TWO.counter("bea"),),
        (THREE.counter("ana"),),
    ]
    assert TWO.counter("ana").key != THREE.counter("ana").key


def test_reset_forgets_every_attempt():
    # given
    counter = TWO.counter("ana")
    throttle.attempt(counter)
    throttle.attempt(counter)

    # when
    counter.reset()

    # then
    assert [throttle.attempt(counter).counters for _ in range(2)] == [(counter,)] * 2


@pytest.fixture
def clock(monkeypatch):
    return CacheClock.install(monkeypatch)


def test_the_window_runs_from_the_first_attempt_and_refusals_do_not_extend_it(clock):
    # given: three attempts at the start of a five-minute window
    counter = THREE.counter("ana")
    for _ in range(3):
        throttle.attempt(counter)
    clock.now += 299
    with pytest.raises(throttle.Throttled):
        throttle.attempt(counter)

    # when
    clock.now += 1

    # then
    assert throttle.attempt(counter).counters == (counter,)
    assert count(counter) == 1


def test_sign_ins_arriving_while_a_password_is_checked_count_against_the_limit(
    gql, settings, monkeypatch
):
    # given: while the first wrong password is being checked, five more attempts
    # arrive (one interleaving of parallel requests, replayed deterministically)
    assert settings.LOGIN_THROTTLE_MAX_FAILURES == 5
    UserFactory(email="ana@example.com")
    before = db_state()
    check_password = User.check_password
    checked: list[str] = []
    arrived: list[str] = []

    def checking(user: User, raw: str) -> bool:
        checked.append(raw)
        if len(checked) == 1:
            for n in range(5):
                try:
                    services.token_create(
                        email="ana@example.com", password=f"wrong-{n}", ip="127.0.0.1"
                    )
                except ValidationError as exc:
                    arrived.append(str(exc.error_list[0].code))
        return check_password(user, raw)

    monkeypatch.setattr(User, "check_password", checking)

    # when
    body = gql(TOKEN_CREATE, {"input": {"email": "ana@example.com", "password": "first"}})

    # then: five passwords checked in all; the sixth attempt was refused unchecked
    assert checked == ["first", "wrong-0", "wrong-1", "wrong-2", "wrong-3"]
    assert arrived == ["invalid_credentials"] * 4 + ["too_many_attempts"]
    assert [error["code"] for error in body["data"]["tokenCreate"]["errors"]] == [
        "INVALID_CREDENTIALS"
    ]
    assert db_state() == before
