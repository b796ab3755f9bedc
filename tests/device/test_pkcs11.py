"""The PKCS#11 driver (drivers/pkcs11) against a real SoftHSM2 token, cross-checked with OpenSC's pkcs11-tool and OpenSSL.

Each test has its own SoftHSM token directory (tests/support/softhsm.py). Certificates are issued by a throwaway
CA made here with ``cryptography``; the training central service's own issuance is an integration test's business.
"""

from __future__ import annotations

import ctypes.util
import datetime as dt
import logging
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from drivers.pkcs11 import Connection, KeyAlgorithm, Pkcs11Error, Pkcs11Library, key_id_for, wipe

if TYPE_CHECKING:
    from tests.support.softhsm import SoftHsm, SoftHsmToken

# Fixtures softhsm_module, softhsm, softhsm_token, softhsm_blank_token, pkcs11_library, opensc_module come from
# tests.support.softhsm (registered in tests/conftest.py); its names are imported here for type checking only.

pytestmark = [pytest.mark.device, pytest.mark.timeout(120)]

TokenFactory = Callable[..., "SoftHsmToken"]
ALGORITHMS: tuple[KeyAlgorithm, ...] = ("rsa2048", "ec_p256")
SUBJECT = [("C", "CN"), ("O", "福州测试贸易有限公司"), ("OU", "企业网银"), ("CN", "张三@0001")]


class ThrowawayCa:
    """A CA key and self-signed certificate, to issue certificates for public keys that live on the token."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Throwaway test CA")])
        now = dt.datetime.now(dt.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, csr_der: bytes) -> bytes:
        request = x509.load_der_x509_csr(csr_der)
        assert request.is_signature_valid
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(request.subject)
            .issuer_name(self.certificate.subject)
            .public_key(request.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(request.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.DER)


@pytest.fixture
def ca() -> ThrowawayCa:
    return ThrowawayCa()


def logged_in(library: Pkcs11Library, token: SoftHsmToken) -> Connection:
    connection = library.connect(serial=token.serial)
    assert token.user_pin is not None
    connection.login(token.user_pin)
    return connection


def pkcs11_tool_objects(rig: SoftHsm, token: SoftHsmToken) -> list[dict[str, str]]:
    """``pkcs11-tool -O`` after a login, as one dict per object (type line, label, ID)."""
    assert token.user_pin is not None
    out = rig.pkcs11_tool("--token-label", token.label, "--login", "--pin", token.user_pin, "-O").stdout
    objects = []
    for block in re.split(r"\n(?=\S)", out.strip()):
        head = block.splitlines()[0]
        fields = dict(re.findall(r"^\s+(\w[\w ]*?):\s+(.*?)\s*$", block, flags=re.M))
        objects.append({"type": head.split(";")[0].strip(), **fields})
    return objects


# -- tokens ---------------------------------------------------------------------------------------------------


def test_lists_tokens_and_finds_them_by_serial_or_label(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    first, second = softhsm_token("Counter A"), softhsm_token("Counter B", user_pin="87654321")
    tokens = {info.serial: info for info in pkcs11_library.tokens() if info.initialised}
    assert set(tokens) == {first.serial, second.serial}
    info = tokens[first.serial]
    assert (info.label, info.manufacturer, info.model) == ("Counter A", "SoftHSM project", "SoftHSM v2")
    assert info.user_pin_initialised and info.login_required and not info.user_pin_locked and not info.write_protected
    assert (info.min_pin_length, info.max_pin_length) == (4, 255)
    assert info.free_public_memory is None and info.total_private_memory is None  # SoftHSM does not report memory
    assert pkcs11_library.find_token(label="Counter B").serial == second.serial
    assert pkcs11_library.find_token(serial=first.serial).label == "Counter A"
    assert pkcs11_library.find_token(serial=first.serial, label="Counter A") == info
    assert pkcs11_library.info.manufacturer == "SoftHSM" and pkcs11_library.info.cryptoki_version >= (2, 40)
    blank = [t for t in pkcs11_library.tokens() if not t.initialised]
    assert len(blank) == 1 and blank[0].serial == ""  # SoftHSM's free slot


def test_token_not_found_and_ambiguous(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Twin")
    softhsm_token("Twin")
    for selection in ({"serial": "0000000000000000"}, {"label": "Nobody"}, {"serial": token.serial, "label": "Other"}):
        with pytest.raises(Pkcs11Error) as caught:
            pkcs11_library.connect(**selection)
        assert caught.value.code == "token_not_found"
    with pytest.raises(Pkcs11Error) as caught:
        pkcs11_library.find_token(label="Twin")
    assert caught.value.code == "token_ambiguous"
    with pkcs11_library.connect(serial=token.serial, label="Twin") as connection:
        assert connection.token.serial == token.serial
    with pytest.raises(ValueError):
        pkcs11_library.find_token()


def test_library_load_failures(softhsm: SoftHsm, tmp_path: Path) -> None:
    not_pkcs11 = ctypes.util.find_library("z")  # a real shared library without C_GetFunctionList
    paths: list[str | Path] = [tmp_path / "missing.so", tmp_path, *([not_pkcs11] if not_pkcs11 else [])]
    for path in paths:
        with pytest.raises(Pkcs11Error) as caught:
            Pkcs11Library(path)
        assert caught.value.code == "library_load_failed", path


def test_a_broken_configuration_is_library_load_failed(softhsm: SoftHsm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOFTHSM2_CONF", str(tmp_path / "no-such.conf"))
    with pytest.raises(Pkcs11Error) as caught:
        Pkcs11Library(softhsm.module)
    assert caught.value.code == "library_load_failed"
    monkeypatch.setenv("SOFTHSM2_CONF", str(softhsm.conf))
    with Pkcs11Library(softhsm.module) as library:  # nothing was left half-loaded
        assert library.tokens()


def test_one_library_per_module_per_process(softhsm: SoftHsm) -> None:
    library = softhsm.library()
    with pytest.raises(Pkcs11Error) as caught:
        Pkcs11Library(softhsm.module)
    assert caught.value.code == "library_in_use"
    library.close()
    library.close()
    with pytest.raises(Pkcs11Error) as closed:
        library.tokens()
    assert closed.value.code == "session_closed"
    with Pkcs11Library(softhsm.module) as again:
        assert again.tokens()


def test_tokens_made_after_loading_appear_after_reinitialize(softhsm: SoftHsm, softhsm_token: TokenFactory) -> None:
    library = softhsm.library()
    assert [t for t in library.tokens() if t.initialised] == []
    token = softhsm_token("Late")  # the rig re-initialises the loaded library
    assert library.find_token(label="Late").serial == token.serial
    with library.connect(serial=token.serial):
        with pytest.raises(Pkcs11Error) as caught:
            library.reinitialize()
        assert caught.value.code == "library_in_use"
    library.reinitialize()
    assert library.find_token(serial=token.serial).label == "Late"


BOTH_MODULES = """
import sys
from drivers.pkcs11 import Pkcs11Library

softhsm, opensc, serial = sys.argv[1:4]
with Pkcs11Library(softhsm) as first, Pkcs11Library(opensc) as second:
    print(second.info.manufacturer, "|", second.info.description, "|", len(second.tokens()))
    print(first.find_token(serial=serial).label)
"""


def test_another_vendor_module_loads_alongside(opensc_module: Path, softhsm: SoftHsm, softhsm_token: TokenFactory) -> None:
    """SoftHSM and OpenSC in one process, as at a counter with UKeys of several vendors.

    In a child process: OpenSC's C_Initialize waits without a timeout for pcscd (SCardEstablishContext), and a
    busy or wedged pcscd on the host (another test's) would hang this process beyond pytest-timeout's reach.
    """
    token = softhsm_token("Beside OpenSC")
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-c", BOTH_MODULES, str(softhsm.module), str(opensc_module), token.serial]
    try:
        done = subprocess.run(command, env=softhsm.env, cwd=root, capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.skip("OpenSC's C_Initialize did not return within 15 s: pcscd on this host is busy or wedged")
    assert done.returncode == 0, done.stderr
    opensc_line, softhsm_line = done.stdout.splitlines()[-2:]
    assert "OpenSC" in opensc_line and softhsm_line == "Beside OpenSC"


# -- PINs -----------------------------------------------------------------------------------------------------


def test_login_and_logout(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Login")
    states = []
    with pkcs11_library.connect(label="Login") as connection:
        states.append(connection.logged_in)
        assert token.user_pin is not None
        info = connection.login(bytearray(token.user_pin, "ascii"))
        assert info.serial == token.serial and not info.user_pin_to_be_changed
        states.append(connection.logged_in)
        with pytest.raises(Pkcs11Error) as again:
            connection.login(token.user_pin)
        assert again.value.code == "already_logged_in"
        connection.logout()
        states.append(connection.logged_in)
        connection.login(token.user_pin.encode())
        states.append(connection.logged_in)
    with pkcs11_library.connect(label="Login") as connection:
        states.append(connection.logged_in)  # closing logged out
    assert states == [False, True, False, True, False]


def test_wrong_pin_is_pin_incorrect_and_leaves_no_session_open(
    softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library, caplog: pytest.LogCaptureFixture
) -> None:
    token = softhsm_token("Wrong PIN")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Pkcs11Error) as caught, pkcs11_library.connect(serial=token.serial) as connection:
        connection.login("worngpin")
    error = caught.value
    assert (error.code, error.operation, error.rv) == ("pin_incorrect", "login", 0xA0)
    assert error.attempts_left is None  # SoftHSM sets no PIN-count flags; see test_pkcs11_errors for tokens that do
    assert "worngpin" not in str(error) + repr(error) + caplog.text
    assert connection.closed and not pkcs11_library.open_connections()
    # C_InitToken fails with CKR_SESSION_EXISTS while any session is open on the token: none is.
    pkcs11_library.init_token(token.so_pin, "Reinitialised", serial=token.serial)


def test_pins_out_of_the_tokens_range_are_refused_before_the_token(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Short PIN")
    assert token.user_pin is not None
    with pkcs11_library.connect(label="Short PIN") as connection:
        for pin in ("123", "", b"9" * 256):
            with pytest.raises(Pkcs11Error) as caught:
                connection.login(pin)
            assert caught.value.code == "pin_invalid"
        connection.login(token.user_pin)
        with pytest.raises(Pkcs11Error) as caught:
            connection.change_pin(token.user_pin, "12")
        assert caught.value.code == "pin_invalid"


def test_change_pin_then_the_old_pin_fails(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Change PIN")
    assert token.user_pin is not None
    new_pin = bytearray(b"24681357")
    with pkcs11_library.connect(serial=token.serial) as connection:
        with pytest.raises(Pkcs11Error) as wrong_old:
            connection.change_pin("00000000", new_pin)
        assert wrong_old.value.code == "pin_incorrect"
        connection.login(token.user_pin)
        connection.change_pin(token.user_pin, new_pin)
        connection.logout()
        with pytest.raises(Pkcs11Error) as old:
            connection.login(token.user_pin)
        assert old.value.code == "pin_incorrect"
        connection.login(new_pin)
    wipe(new_pin)
    assert new_pin == bytearray(8)


def test_blank_token_gets_a_user_pin(softhsm_blank_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    blank = softhsm_blank_token("Blank UKey", so_pin="87654321")
    info = pkcs11_library.find_token(serial=blank.serial)
    assert info.initialised and not info.user_pin_initialised and blank.user_pin is None
    with pkcs11_library.connect(serial=blank.serial) as connection:
        with pytest.raises(Pkcs11Error) as no_pin:
            connection.login("123456")
        assert no_pin.value.code == "pin_not_initialised"
        with pytest.raises(Pkcs11Error) as wrong_so:
            connection.init_user_pin("00000000", "123456")
        assert wrong_so.value.code == "pin_incorrect" and wrong_so.value.operation == "login_so"
        random_pin = bytearray(b"730194")
        assert connection.init_user_pin(blank.so_pin, random_pin).user_pin_initialised
        connection.login(random_pin)
        assert connection.logged_in


def test_init_token_on_the_free_slot_then_cross_check(softhsm: SoftHsm, pkcs11_library: Pkcs11Library) -> None:
    info = pkcs11_library.init_token(bytearray(b"11223344"), "Made by driver")
    assert info.initialised and not info.user_pin_initialised and info.label == "Made by driver" and info.serial
    listed = {slot.serial: slot for slot in softhsm.slots()}  # softhsm2-util, another process, sees it on disk
    assert listed[info.serial].label == "Made by driver" and not listed[info.serial].user_pin_initialised
    with pkcs11_library.connect(serial=info.serial) as connection:
        connection.init_user_pin("11223344", "445566")
    assert softhsm.pkcs11_tool("--token-label", "Made by driver", "--login", "--pin", "445566", "-O").returncode == 0
    with pytest.raises(ValueError):  # a token label holds 32 bytes
        pkcs11_library.init_token("11223344", "标签" * 6)


def test_init_token_refuses_a_token_with_an_open_connection(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Busy")
    with pkcs11_library.connect(serial=token.serial):
        with pytest.raises(Pkcs11Error) as caught:
            pkcs11_library.init_token(token.so_pin, "Busy", serial=token.serial)
        assert caught.value.code == "token_busy"


# -- keys and requests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_key_pair_is_made_on_the_token_and_never_leaves_it(
    algorithm: KeyAlgorithm, softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library
) -> None:
    token = softhsm_token("Keys")
    with logged_in(pkcs11_library, token) as connection:
        assert algorithm in connection.supported_algorithms()
        pair = connection.generate_key_pair(algorithm, label="signing key")
        assert pair.algorithm == algorithm and pair.label == "signing key" and pair.has_public_key_object
        assert pair.public_key_info is not None and pair.key_id == key_id_for(pair.public_key_info)
        attributes = connection.private_key_attributes(pair.key_id)
        assert attributes.sensitive and not attributes.extractable
        assert attributes.always_sensitive and attributes.never_extractable and attributes.local
        assert attributes.token and attributes.private and attributes.can_sign and not attributes.can_decrypt
        chosen = connection.generate_key_pair(algorithm, key_id=b"order-0001", label="chosen id")
        assert chosen.key_id == b"order-0001"
        with pytest.raises(Pkcs11Error) as twice:
            connection.generate_key_pair(algorithm, key_id=b"order-0001")
        assert twice.value.code == "key_exists"
        assert {p.key_id for p in connection.key_pairs()} == {pair.key_id, b"order-0001"}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_csr_signed_on_the_token_verifies(
    algorithm: KeyAlgorithm, softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library, tmp_path: Path
) -> None:
    token = softhsm_token("CSR")
    with logged_in(pkcs11_library, token) as connection:
        pair = connection.generate_key_pair(algorithm)
        der = connection.build_csr(pair.key_id, SUBJECT)
    request = x509.load_der_x509_csr(der)
    assert request.is_signature_valid
    assert request.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "福州测试贸易有限公司"
    assert (
        request.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        == pair.public_key_info
    )
    pem = tmp_path / "request.pem"
    pem.write_bytes(request.public_bytes(serialization.Encoding.PEM))
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    checked = subprocess.run([openssl, "req", "-verify", "-in", str(pem), "-noout"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "verify OK" in checked.stdout + checked.stderr


def test_private_keys_need_a_login(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Private")
    with logged_in(pkcs11_library, token) as connection:
        pair = connection.generate_key_pair("ec_p256")
    with pkcs11_library.connect(serial=token.serial) as connection:
        assert connection.key_pairs() == [] and connection.find_key_pair(pair.key_id) is None
        with pytest.raises(Pkcs11Error) as caught:
            connection.build_csr(pair.key_id, SUBJECT)
        assert caught.value.code == "key_not_found"
        with pytest.raises(Pkcs11Error) as write:
            connection.generate_key_pair("ec_p256")  # a private object without a login
        assert write.value.code == "not_logged_in"


def test_a_resumed_issuance_finds_and_reuses_the_key_on_the_token(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Resume")
    with logged_in(pkcs11_library, token) as connection:
        made = connection.generate_key_pair("rsa2048", label="order 42")
    # ... the worker died here: a new connection (a new process, in the client) looks before it generates.
    with logged_in(pkcs11_library, token) as connection:
        found = connection.key_pairs()
        assert found == [made]
        reused = connection.find_key_pair(made.key_id)
        assert reused == made
        first = x509.load_der_x509_csr(connection.build_csr(made.key_id, SUBJECT))
        second = x509.load_der_x509_csr(connection.build_csr(made.key_id, SUBJECT))
        assert first.public_key() == second.public_key()
        assert len(connection.key_pairs()) == 1


# -- certificates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_certificate_is_stored_next_to_its_key_and_read_back(
    algorithm: KeyAlgorithm, softhsm: SoftHsm, softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library, ca: ThrowawayCa
) -> None:
    token = softhsm_token(f"Certificate {algorithm}")
    with logged_in(pkcs11_library, token) as connection:
        pair = connection.generate_key_pair(algorithm, label="operator key")
        certificate = ca.issue(connection.build_csr(pair.key_id, SUBJECT))
        stored = connection.import_certificate(certificate, label="operator certificate")
        assert (stored.key_id, stored.label, stored.der) == (pair.key_id, "operator certificate", certificate)
        assert connection.certificates() == [stored]
        assert connection.import_certificate(certificate, label="again", key_id=pair.key_id) == stored  # idempotent
        assert len(connection.certificates()) == 1
    with pkcs11_library.connect(serial=token.serial) as connection:  # certificates are public objects
        assert connection.certificates() == [stored]
    objects = pkcs11_tool_objects(softhsm, token)
    kinds = {(o["type"], o.get("ID")) for o in objects}
    assert kinds == {
        ("Private Key Object", pair.key_id.hex()),
        ("Public Key Object", pair.key_id.hex()),
        ("Certificate Object", pair.key_id.hex()),
    }
    certificate_object = next(o for o in objects if o["type"] == "Certificate Object")
    assert certificate_object["label"] == "operator certificate"
    assert "Throwaway test CA" not in certificate_object.get("subject", "")


def test_certificate_key_matching(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library, ca: ThrowawayCa) -> None:
    token = softhsm_token("Matching")
    with logged_in(pkcs11_library, token) as connection:
        mine = connection.generate_key_pair("ec_p256")
        other = connection.generate_key_pair("rsa2048")
        certificate = ca.issue(connection.build_csr(mine.key_id, SUBJECT))
        assert connection.key_pair_for_certificate(certificate) == mine
        assert mine.public_key_info is not None and other.public_key_info is not None
        assert connection.proves_possession(mine.key_id, mine.public_key_info)
        assert not connection.proves_possession(other.key_id, mine.public_key_info)
        elsewhere = ca.issue(_software_csr())
        assert connection.key_pair_for_certificate(elsewhere) is None
        with pytest.raises(Pkcs11Error) as not_ours:
            connection.import_certificate(elsewhere, label="not ours")
        assert not_ours.value.code == "key_not_found"
        with pytest.raises(Pkcs11Error) as mismatch:
            connection.import_certificate(certificate, label="wrong key", key_id=other.key_id)
        assert mismatch.value.code == "key_mismatch"
        with pytest.raises(Pkcs11Error) as invalid:
            connection.import_certificate(b"not a certificate", label="junk")
        assert invalid.value.code == "certificate_invalid"
        connection.import_certificate(certificate, label="first")
        renewed = ca.issue(connection.build_csr(mine.key_id, SUBJECT))
        with pytest.raises(Pkcs11Error) as exists:
            connection.import_certificate(renewed, label="second")
        assert exists.value.code == "certificate_exists"
        assert connection.import_certificate(renewed, label="second", replace=True).der == renewed
        assert [c.der for c in connection.certificates()] == [renewed]


def test_delete_removes_the_key_pair_and_its_certificate(
    softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library, ca: ThrowawayCa
) -> None:
    token = softhsm_token("Delete")
    with logged_in(pkcs11_library, token) as connection:
        keep = connection.generate_key_pair("ec_p256")
        drop = connection.generate_key_pair("ec_p256")
        connection.import_certificate(ca.issue(connection.build_csr(drop.key_id, SUBJECT)), label="drop")
        assert connection.delete(drop.key_id) == 3
        assert connection.key_pairs() == [keep] and connection.certificates() == []
        assert connection.delete(drop.key_id) == 0
        with pytest.raises(Pkcs11Error) as caught:
            connection.sign(drop.key_id, b"data")
        assert caught.value.code == "key_not_found"


# -- life -----------------------------------------------------------------------------------------------------


def test_closed_connections_and_other_threads_are_refused(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library) -> None:
    token = softhsm_token("Life")
    connection = pkcs11_library.connect(serial=token.serial)
    failures: list[BaseException] = []
    worker = threading.Thread(target=lambda: _capture(failures, connection.certificates))
    worker.start()
    worker.join(10)
    assert len(failures) == 1 and isinstance(failures[0], RuntimeError)
    connection.close()
    connection.close()
    with pytest.raises(Pkcs11Error) as caught:
        connection.certificates()
    assert caught.value.code == "session_closed"
    survivor = pkcs11_library.connect(serial=token.serial)
    pkcs11_library.close()  # closes its connections too
    assert survivor.closed


def test_timings(softhsm_token: TokenFactory, pkcs11_library: Pkcs11Library, record_property: Callable[[str, object], None]) -> None:
    """Median key generation and CSR signing times on SoftHSM (figures for the docs; bounds only catch hangs)."""
    token = softhsm_token("Timing")
    figures: dict[str, float] = {}
    with logged_in(pkcs11_library, token) as connection:
        runs: tuple[tuple[KeyAlgorithm, int], ...] = (("rsa2048", 5), ("ec_p256", 9))
        for algorithm, rounds in runs:
            generate, sign = [], []
            for _ in range(rounds):
                start = time.perf_counter()
                pair = connection.generate_key_pair(algorithm)
                generate.append(time.perf_counter() - start)
                start = time.perf_counter()
                connection.build_csr(pair.key_id, SUBJECT)
                sign.append(time.perf_counter() - start)
            figures[f"{algorithm}_generate_ms"] = statistics.median(generate) * 1000
            figures[f"{algorithm}_csr_ms"] = statistics.median(sign) * 1000
    for name, value in figures.items():
        record_property(name, round(value, 2))
    print("SoftHSM timings (median ms):", {k: round(v, 2) for k, v in figures.items()})
    assert figures["rsa2048_generate_ms"] < 10_000 and figures["ec_p256_generate_ms"] < 2_000
    assert figures["rsa2048_csr_ms"] < 2_000 and figures["ec_p256_csr_ms"] < 2_000


def _capture(failures: list[BaseException], call: Callable[[], object]) -> None:
    try:
        call()
    except BaseException as exc:
        failures.append(exc)


def _software_csr() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "elsewhere")]))
    return request.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
