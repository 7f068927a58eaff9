"""Section 1 of the contract: the two thread-local mode flags and the scopes that set them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from tape import autograd


def flags() -> tuple[bool, bool]:
    return autograd.is_recording(), autograd.is_training()


def test_both_flags_are_off_at_start() -> None:
    assert flags() == (False, False)


def test_set_recording_returns_previous_value() -> None:
    assert autograd.set_recording(True) is False
    try:
        assert autograd.is_recording() is True
        assert autograd.set_recording(True) is True
    finally:
        assert autograd.set_recording(False) is True
    assert autograd.is_recording() is False


def test_set_training_returns_previous_value() -> None:
    assert autograd.set_training(True) is False
    try:
        assert autograd.is_training() is True
        assert autograd.set_training(True) is True
    finally:
        assert autograd.set_training(False) is True
    assert autograd.is_training() is False


def test_setters_store_plain_bools() -> None:
    previous = autograd.set_recording(1)  # type: ignore[arg-type]
    try:
        assert autograd.is_recording() is True
    finally:
        autograd.set_recording(previous)


@pytest.mark.parametrize(
    ("make_scope", "start", "inside"),
    [
        (lambda: autograd.record(), (False, False), (True, True)),
        (lambda: autograd.record(train_mode=False), (False, True), (True, False)),
        (lambda: autograd.pause(), (True, True), (False, False)),
        (lambda: autograd.pause(train_mode=True), (True, False), (False, True)),
        (lambda: autograd.train_mode(), (False, False), (False, True)),
        (lambda: autograd.train_mode(), (True, False), (True, True)),
        (lambda: autograd.predict_mode(), (True, True), (True, False)),
        (lambda: autograd.predict_mode(), (False, True), (False, False)),
    ],
)
def test_scope_sets_both_flags_and_restores_them(
    make_scope: Callable[[], AbstractContextManager[None]],
    start: tuple[bool, bool],
    inside: tuple[bool, bool],
) -> None:
    old = autograd.set_recording(start[0]), autograd.set_training(start[1])
    try:
        with make_scope():
            assert flags() == inside
        assert flags() == start
    finally:
        autograd.set_recording(old[0])
        autograd.set_training(old[1])


@pytest.mark.parametrize(
    "make_scope",
    [autograd.record, autograd.pause, autograd.train_mode, autograd.predict_mode],
)
def test_scope_enter_returns_none(make_scope: Callable[[], AbstractContextManager[None]]) -> None:
    with make_scope() as value:
        assert value is None


@pytest.mark.parametrize(
    "make_scope",
    [autograd.record, autograd.pause, autograd.train_mode, autograd.predict_mode],
)
def test_scope_restores_flags_on_exception(make_scope: Callable[[], AbstractContextManager[None]]) -> None:
    with pytest.raises(KeyError), make_scope():
        raise KeyError("boom")
    assert flags() == (False, False)


def test_scope_restores_flags_changed_by_setters_inside_it() -> None:
    with autograd.record():
        autograd.set_recording(False)
        autograd.set_training(False)
    assert flags() == (False, False)
    with autograd.pause():
        autograd.set_recording(True)
    assert flags() == (False, False)


def test_nested_scopes_restore_each_level() -> None:
    with autograd.record():
        with autograd.pause():
            assert flags() == (False, False)
            with autograd.train_mode():
                assert flags() == (False, True)
                with autograd.record(train_mode=False):
                    assert flags() == (True, False)
                assert flags() == (False, True)
            assert flags() == (False, False)
        assert flags() == (True, True)
        with autograd.predict_mode():
            assert flags() == (True, False)
        assert flags() == (True, True)
    assert flags() == (False, False)


def test_one_scope_object_can_be_entered_twice_nested() -> None:
    scope = autograd.record()
    with scope:
        with autograd.pause(), scope:
            assert flags() == (True, True)
        assert flags() == (True, True)
    assert flags() == (False, False)


def in_thread(fn: Callable[[], object]) -> object:
    box: list[object] = []
    t = threading.Thread(target=lambda: box.append(fn()))
    t.start()
    t.join()
    return box[0]


def test_record_in_one_thread_is_not_seen_in_another() -> None:
    with autograd.record():
        assert in_thread(flags) == (False, False)


def test_setter_in_another_thread_does_not_leak_here() -> None:
    def set_both() -> tuple[bool, bool]:
        autograd.set_recording(True)
        autograd.set_training(True)
        return flags()

    assert in_thread(set_both) == (True, True)
    assert flags() == (False, False)


def test_new_thread_starts_with_both_flags_off_even_after_main_thread_set_them() -> None:
    autograd.set_training(True)
    try:
        assert in_thread(flags) == (False, False)
    finally:
        autograd.set_training(False)


def test_one_scope_object_shared_by_two_threads_restores_each_threads_flags() -> None:
    scope = autograd.predict_mode()
    a_entered, b_entered, a_exited = threading.Event(), threading.Event(), threading.Event()

    def thread_a() -> bool:
        autograd.set_training(True)
        with scope:
            a_entered.set()
            b_entered.wait(5)
        a_exited.set()
        return autograd.is_training()

    def thread_b() -> bool:
        a_entered.wait(5)
        with scope:
            b_entered.set()
            a_exited.wait(5)
        return autograd.is_training()

    results: dict[str, bool] = {}
    threads = [
        threading.Thread(target=lambda: results.update(a=thread_a())),
        threading.Thread(target=lambda: results.update(b=thread_b())),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": True, "b": False}
