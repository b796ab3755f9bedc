"""Secret: never shown, never pickled or copied, wiped when done."""

from __future__ import annotations

import copy
import gc
import pickle

import pytest

from teller_client.secret import Secret

MASK = "******"


def _buffer(secret: Secret) -> bytearray:
    """The bytearray holding the value, kept to check that wiping really overwrites it."""
    buf = secret._value
    assert isinstance(buf, bytearray)
    return buf


def test_every_way_of_printing_shows_a_mask() -> None:
    pin = Secret("123456")
    shown = [
        repr(pin),
        str(pin),
        format(pin),
        format(pin, ">20"),
        f"{pin}",
        f"{pin!r}",
        f"{pin!s}",
        f"{pin:s}",
        "%s" % pin,  # noqa: UP031 - the old style is what logging uses
        "%r" % pin,  # noqa: UP031
        "{}".format(pin),  # noqa: UP032
        str([pin, {"pin": pin}]),
    ]
    for text in shown:
        assert "123456" not in text
        assert MASK in text
    assert repr(pin) == str(pin) == "Secret(******)"
    assert f"{pin}" == MASK


def test_reveal_gives_the_value() -> None:
    assert Secret("123456").reveal() == "123456"
    assert Secret("初始密码Ab1").reveal() == "初始密码Ab1"
    assert Secret(b"\x01\x02").reveal_bytes() == b"\x01\x02"
    assert len(Secret("初始")) == 6  # bytes, UTF-8


def test_wipe_zeroes_the_buffer_and_ends_the_secret() -> None:
    pin = Secret("123456")
    buf = _buffer(pin)
    assert buf == bytearray(b"123456")
    pin.wipe()
    assert buf == bytearray(6)
    assert pin.wiped
    assert len(pin) == 0
    with pytest.raises(ValueError, match="wiped"):
        pin.reveal()
    with pytest.raises(ValueError, match="wiped"):
        pin.reveal_bytes()
    pin.wipe()  # twice is harmless
    assert repr(pin) == "Secret(******)"


def test_a_with_block_wipes_on_exit() -> None:
    with Secret("123456") as pin:
        buf = _buffer(pin)
        assert pin.reveal() == "123456"
    assert pin.wiped
    assert buf == bytearray(6)


def test_a_with_block_wipes_when_an_exception_leaves_it() -> None:
    pin = Secret("123456")
    buf = _buffer(pin)
    with pytest.raises(RuntimeError, match="device gone"), pin:
        raise RuntimeError("device gone")
    assert pin.wiped
    assert buf == bytearray(6)


def test_a_dropped_secret_is_wiped() -> None:
    pin = Secret("123456")
    buf = _buffer(pin)
    del pin
    gc.collect()
    assert buf == bytearray(6)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_secret_cannot_be_pickled(protocol: int) -> None:
    pin = Secret("123456")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(pin, protocol=protocol)
    with pytest.raises(TypeError):
        pickle.dumps({"request": [pin]}, protocol=protocol)
    assert pin.reveal() == "123456"


def test_a_secret_cannot_be_copied() -> None:
    """A copy would be a second buffer that nobody wipes; copy and deepcopy refuse (through ``__reduce__``)."""
    pin = Secret("123456")
    with pytest.raises(TypeError):
        copy.copy(pin)
    with pytest.raises(TypeError):
        copy.deepcopy(pin)
    with pytest.raises(TypeError):
        copy.deepcopy({"state": {"pin": pin}})  # nor can anything that holds one
    assert pin.reveal() == "123456"


def test_a_bytearray_given_is_zeroed_and_taken_over() -> None:
    given = bytearray(b"654321")
    pin = Secret(given)
    assert given == bytearray(6)
    assert pin.reveal() == "654321"
    assert _buffer(pin) is not given


def test_matches_compares_values() -> None:
    pin = Secret("123456")
    assert pin.matches(Secret("123456"))
    assert not pin.matches(Secret("123457"))
    assert not pin.matches(Secret("1234567"))
    assert not pin.matches(Secret(""))
    assert Secret(b"\xff").matches(Secret(bytearray(b"\xff")))
    wiped = Secret("123456")
    wiped.wipe()
    with pytest.raises(ValueError, match="wiped"):
        pin.matches(wiped)


def test_secrets_are_equal_only_to_themselves() -> None:
    a, b = Secret("123456"), Secret("123456")
    assert a != b
    assert not (a == b)  # noqa: SIM201 - __eq__ itself, not __ne__
    assert a == a
    assert a != "123456"
    assert len({a, b}) == 2


@pytest.mark.parametrize("value", [5, None, 3.14, ["1234"]])
def test_only_text_or_bytes_can_be_a_secret(value: object) -> None:
    with pytest.raises(TypeError, match="text or bytes"):
        Secret(value)  # type: ignore[arg-type]
