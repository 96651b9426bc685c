"""The administrator PIN: stored only as a salted hash, checked in constant time, guessing slowed down."""

import pytest

from kiosk.admin_pin import PinCheck, PinFormatError, PinGuard, hash_pin, is_pin_hash, verify_pin


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_hash_is_salted_and_verifies_only_the_right_pin():
    first, second = hash_pin("246810"), hash_pin("246810")
    assert first != second  # a fresh salt each time
    assert "246810" not in first
    assert is_pin_hash(first)
    assert verify_pin("246810", first) and verify_pin("246810", second)
    assert not verify_pin("246811", first)
    assert not verify_pin("", first)


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12a456", "", "١٢٣٤٥٦"])
def test_pins_that_are_not_6_to_12_ascii_digits_are_refused(pin):
    with pytest.raises(PinFormatError):
        hash_pin(pin)


@pytest.mark.parametrize("text", ["246810", "scrypt$1$8$1$AAAA$BBBB", "md5$x", "scrypt$16384$8$1$!!$??"])
def test_things_that_are_not_hashes_are_recognised(text):
    assert not is_pin_hash(text)


def test_guard_locks_after_three_wrong_tries_and_doubles_the_wait():
    clock = FakeClock()
    guard = PinGuard(hash_pin("246810"), clock=clock)
    assert guard.check("000000").result is PinCheck.WRONG
    assert guard.check("000000").result is PinCheck.WRONG
    third = guard.check("000000")
    assert third.result is PinCheck.LOCKED and third.wait_s == 30
    # While locked even the right PIN is not checked.
    assert guard.check("246810").result is PinCheck.LOCKED
    clock.now += 30
    fourth = guard.check("111111")
    assert fourth.result is PinCheck.LOCKED and fourth.wait_s == 60
    clock.now += 60
    assert guard.check("246810").result is PinCheck.ACCEPTED
    # Success forgives earlier mistakes.
    assert guard.check("000000").result is PinCheck.WRONG


def test_the_longest_wait_is_capped():
    clock = FakeClock()
    guard = PinGuard(hash_pin("246810"), clock=clock)
    for _ in range(20):
        answer = guard.check("000000")
        clock.now += answer.wait_s
    assert answer.wait_s == PinGuard.LONGEST_WAIT_S
