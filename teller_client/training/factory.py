"""The UKey vendor's factory, for training: a pre-made certificate for a key a UKey made itself.

A bank receives pre-made certificate UKeys from its vendor: the key was made on the UKey at the factory, the
CA certified it, and the box arrives at the branch vault with the serials and certificate numbers on the
delivery note. ``POST /training/premade-ukeys`` plays the factory for a training UKey (a SoftHSM token):
the caller made the key on the token and sends the request it signed; the training CA makes the pre-made
certificate (subject ``O=PREMADE``, the UKey's serial in the SubjectAlternativeName) and the UKey is received
into the vault as a pre-made item. The private key never leaves the token, unlike the seeded ``PM...`` UKeys
whose keys are files.
"""

from __future__ import annotations

from teller_client.training import audit, clock
from teller_client.training.ca import CsrInvalidError
from teller_client.training.certificates import csr_problem
from teller_client.training.context import Context, Reply
from teller_client.training.db import StockItem
from teller_client.training.problems import ApiProblem, field_error
from teller_client.training.stock import VAULT, record_event


def premade_ukey(ctx: Context) -> Reply:
    """``POST /training/premade-ukeys``: ``{token_serial, key_type, csr}`` → the UKey's pre-made certificate."""
    body = ctx.body_dict()
    token: str = body["token_serial"]
    key_type: str = body["key_type"]
    if ctx.db.get(StockItem, token) is not None:
        raise ApiProblem(
            409,
            "serial_not_held",
            f"{token} is already in the stock.",
            f"{token} 已在库存中。",
            [field_error("/token_serial", "serial_not_held", f"{token} is already in the stock.", f"{token} 已在库存中。")],
        )
    try:
        cert = ctx.services.ca.premade_for_csr(body["csr"], key_type=key_type, token_serial=token)
    except CsrInvalidError as exc:
        raise csr_problem(exc) from None
    item = StockItem(
        serial=token,
        kind="ukey",
        branch_id=ctx.user.branch_id,
        holder=VAULT,
        state="in_stock",
        premade=True,
        key_type=key_type,
        certificate_serial=cert.serial_hex,
        certificate_pem=cert.pem,
        certificate_not_after=cert.not_after,
    )
    ctx.db.add(item)
    record_event(ctx.db, ctx.business_date, item, "received", VAULT)
    audit.record(ctx, "training.premade_ukey", f"stock/{token}", certificate_serial=cert.serial_hex)
    return Reply(
        201,
        {"token_serial": token, "certificate": cert.pem, "certificate_serial": cert.serial_hex, "not_after": clock.stamp(cert.not_after)},
    )
