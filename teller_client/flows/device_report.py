"""``teller-client devices [--json]``: the device inventory for branch IT, as text or JSON.

Exit 0 when every reader service and installed module answered, 1 when one did not (the report says which), 2 when
the vendor profiles themselves cannot be read.
"""

from __future__ import annotations

import argparse
import json

from drivers.profiles import ProfileError, load_profiles
from teller_client.errors import ConfigurationError
from teller_client.flows.devices import Inventory, take_inventory

PIN_STATES = {"ok": "set", "count_low": "few tries left", "final_try": "last try", "locked": "LOCKED", "to_be_changed": "must be changed"}


def run_devices(args: argparse.Namespace) -> int:
    try:
        profiles = load_profiles(extra_folders=args.profiles)
    except ProfileError as exc:
        raise ConfigurationError(f"vendor profiles: {exc}", f"UKey 厂商配置有误：{exc}", code=f"profile_{exc.code}") from exc
    inventory = take_inventory(profiles, timeout=args.timeout)
    print(json.dumps(inventory.to_json(), ensure_ascii=False, indent=2) if args.json else render(inventory))
    return 0 if inventory.ok else 1


def render(inventory: Inventory) -> str:
    lines = ["Card readers (PC/SC):"]
    if inventory.reader_error is not None:
        code, message = inventory.reader_error
        lines.append(f"  not available: {code}: {message}")
    elif not inventory.readers:
        lines.append("  none connected")
    for r in inventory.readers:
        card = f"card ATR {r.atr}, profile {r.profile or 'unknown'}" if r.atr else ("card (no answer)" if r.card_present else "no card")
        lines.append(f"  {r.name}: {card}")
    lines.append("UKey modules (PKCS#11):")
    for m in inventory.modules:
        names = ", ".join(m.profiles)
        if m.state == "not_installed":
            lines.append(f"  [{names}] not installed (looked in: {'; '.join(m.looked_in) or '-'})")
            continue
        if m.state != "ok":
            lines.append(f"  [{names}] {m.library}: {m.state.upper()} {m.error_code}: {m.message}")
            continue
        lines.append(f"  [{names}] {m.library}: {len(m.tokens)} token(s)")
        for t in m.tokens:
            state = "uninitialised" if not t.initialised else ("blank (no user PIN)" if not t.user_pin_initialised else "")
            pin = "" if state else f"user PIN {PIN_STATES.get(t.pin_state, t.pin_state)}"
            free = f", free private memory {t.free_private_memory} B" if t.free_private_memory is not None else ""
            lines.append(f"    label '{t.label}' serial {t.serial} ({t.manufacturer} {t.model}) in '{t.slot}': {state or pin}{free}")
    return "\n".join(lines)
