"""One vendor's UKeys as the flows see them: its PKCS#11 library in a worker process, its profile's rules.

:class:`TokenGateway` runs :class:`drivers.pkcs11.service.Pkcs11Service` in a
:class:`~drivers.host.DeviceProcess` of its own, so a vendor library that hangs or crashes costs one call,
never the client. Every call has a timeout (key generation on a real UKey takes up to a minute; everything
else seconds) and takes the flow's cancel event. PINs go in as :class:`~teller_client.secret.Secret`; each
call lends the worker a copy in a ``bytearray`` that is overwritten when the call returns (the worker wipes
its own). The security officer PIN comes from the vendor profile (``[so_pin]``); a profile whose SO PIN a
supervisor must type cannot initialise UKeys unattended and says so.

Driver and host errors pass through unchanged: :func:`teller_client.flows.device_errors.device_error` puts
them in the teller's words.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drivers.host import DeviceCancelledError, DeviceProcess
from drivers.pkcs11 import Pkcs11Error, wipe
from drivers.pkcs11.model import CertificateInfo, KeyAlgorithm, KeyPairInfo, TokenContents, TokenInfo
from drivers.profiles import VendorProfile, generate_pin
from teller_client.errors import ConfigurationError
from teller_client.secret import Secret

PKCS11_SERVICE = "drivers.pkcs11.service:Pkcs11Service"


@dataclass(frozen=True)
class GatewayTimeouts:
    """Seconds per kind of call; a call that takes longer is stopped and its worker started afresh."""

    quick: float = 15.0
    """Listing, reading, logging in, PIN changes, storing a certificate."""
    initialise: float = 60.0
    """``C_InitToken`` formats the token's file system on real UKeys."""
    generate: float = 120.0
    """On-token RSA-2048 generation takes 10-60 s on a UKey's chip."""
    sign: float = 30.0


class TokenGateway:
    """The UKeys of one vendor library. Thread-safe: calls from several threads take turns in the worker."""

    def __init__(
        self,
        profile: VendorProfile,
        library: str,
        *,
        timeouts: GatewayTimeouts | None = None,
        host: DeviceProcess | None = None,
    ) -> None:
        self.profile = profile
        self.library = library
        self.timeouts = timeouts or GatewayTimeouts()
        self._host = host or DeviceProcess(PKCS11_SERVICE, library, name=f"pkcs11-{profile.id}")

    @property
    def host(self) -> DeviceProcess:
        return self._host

    # -- reading ----------------------------------------------------------------------------------------

    def tokens(self, *, cancel: threading.Event | None = None) -> list[TokenInfo]:
        result: list[TokenInfo] = self._call("tokens", timeout=self.timeouts.quick, cancel=cancel)
        return result

    def token(self, serial: str, *, cancel: threading.Event | None = None) -> TokenInfo:
        result: TokenInfo = self._call("token", serial, timeout=self.timeouts.quick, cancel=cancel)
        return result

    def wait_for(self, serial: str, *, timeout: float, cancel: threading.Event | None = None, poll: float = 0.5) -> TokenInfo:
        """The token once it is present (the teller was asked to insert it): polls every ``poll`` seconds.

        ``token_not_found`` after ``timeout`` seconds; :class:`~drivers.host.DeviceCancelledError` (code
        ``cancelled``) as soon as ``cancel`` is set. For card readers the PC/SC watcher says sooner when a card
        goes in; USB tokens and software tokens have only their library to ask.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.token(serial, cancel=cancel)
            except Pkcs11Error as exc:
                if exc.code not in ("token_not_found", "token_not_present", "token_not_recognized") or time.monotonic() + poll > deadline:
                    raise
            if (cancel or threading.Event()).wait(poll):
                raise DeviceCancelledError("waiting for the UKey was cancelled", service=self._host.name, method="token")

    def contents(self, serial: str, pin: Secret, *, cancel: threading.Event | None = None) -> TokenContents:
        result: TokenContents = self._with_pins("contents", serial, pins=(pin,), timeout=self.timeouts.quick, cancel=cancel)
        return result

    # -- PINs ---------------------------------------------------------------------------------------------

    def new_user_pin(self) -> Secret:
        """A random user PIN by the profile's rules (never a default)."""
        return Secret(generate_pin(self.profile))

    def initialise(self, serial: str, label: str, user_pin: Secret, *, cancel: threading.Event | None = None) -> TokenInfo:
        """Erase the token, give it ``label`` and the user PIN."""
        with self.so_pin() as so_pin:
            result: TokenInfo = self._with_pins(
                "initialise_token", serial, pins=(so_pin, user_pin), middle=(label,), timeout=self.timeouts.initialise, cancel=cancel
            )
        return result

    def reset_user_pin(self, serial: str, user_pin: Secret, *, cancel: threading.Event | None = None) -> TokenInfo:
        """A new user PIN set by the security officer; keys and certificates stay."""
        with self.so_pin() as so_pin:
            result: TokenInfo = self._with_pins(
                "reset_user_pin", serial, pins=(so_pin, user_pin), timeout=self.timeouts.quick, cancel=cancel
            )
        return result

    def so_pin(self) -> Secret:
        """The profile's security officer PIN; :class:`ConfigurationError` where the profile has none to give."""
        rules = self.profile.so_pin
        if rules.source in ("default", "fixed_per_batch") and rules.value:
            return Secret(rules.value)
        raise ConfigurationError(
            f"The UKey profile {self.profile.id} gives no security officer PIN (source {rules.source}); "
            "these UKeys cannot be prepared at the counter until branch IT configures it.",
            f"UKey 型号配置 {self.profile.id} 未提供管理员（SO）PIN（来源：{rules.source}），"
            "在网点 IT 配置之前无法在柜面初始化该型号 UKey。",
            code="so_pin_unavailable",
        )

    # -- keys and certificates ------------------------------------------------------------------------------

    def generate_key_pair(
        self, serial: str, pin: Secret, algorithm: KeyAlgorithm, key_id: bytes, label: str, *, cancel: threading.Event | None = None
    ) -> KeyPairInfo:
        result: KeyPairInfo = self._with_pins(
            "generate_key_pair", serial, pins=(pin,), after=(algorithm, key_id, label), timeout=self.timeouts.generate, cancel=cancel
        )
        return result

    def delete_key_pairs(self, serial: str, pin: Secret, key_ids: Sequence[bytes], *, cancel: threading.Event | None = None) -> int:
        result: int = self._with_pins(
            "delete_key_pairs", serial, pins=(pin,), after=(list(key_ids),), timeout=self.timeouts.quick, cancel=cancel
        )
        return result

    def build_csr(
        self, serial: str, pin: Secret, key_id: bytes, subject: Sequence[tuple[str, str]], *, cancel: threading.Event | None = None
    ) -> bytes:
        result: bytes = self._with_pins(
            "build_csr", serial, pins=(pin,), after=(key_id, list(subject)), timeout=self.timeouts.sign, cancel=cancel
        )
        return result

    def install_certificate(
        self, serial: str, pin: Secret, certificate: bytes, label: str, key_id: bytes, *, cancel: threading.Event | None = None
    ) -> CertificateInfo:
        result: CertificateInfo = self._with_pins(
            "install_certificate", serial, pins=(pin,), after=(certificate, label, key_id), timeout=self.timeouts.quick, cancel=cancel
        )
        return result

    def proves_possession(
        self, serial: str, pin: Secret, key_id: bytes, public_key_info: bytes, *, cancel: threading.Event | None = None
    ) -> bool:
        result: bool = self._with_pins(
            "proves_possession", serial, pins=(pin,), after=(key_id, public_key_info), timeout=self.timeouts.sign, cancel=cancel
        )
        return result

    def close(self) -> None:
        self._host.close()

    # -- inside ----------------------------------------------------------------------------------------------

    def _call(self, method: str, *args: Any, timeout: float, cancel: threading.Event | None) -> Any:
        return self._host.call(method, *args, timeout=timeout, cancel=cancel)

    def _with_pins(
        self,
        method: str,
        serial: str,
        *,
        pins: Sequence[Secret],
        middle: Sequence[Any] = (),
        after: Sequence[Any] = (),
        timeout: float,
        cancel: threading.Event | None,
    ) -> Any:
        """``method(serial, *middle?, pins..., *after)`` with each PIN lent as a wiped-after ``bytearray``.

        The service's signatures put the PINs right after the serial, except ``initialise_token``
        (serial, SO PIN, label, user PIN): ``middle`` goes between the first and the second PIN.
        """
        buffers = [pin.lend() for pin in pins]
        try:
            args: list[Any] = [serial, buffers[0], *middle, *buffers[1:], *after]
            return self._call(method, *args, timeout=timeout, cancel=cancel)
        finally:
            for buffer in buffers:
                wipe(buffer)
