"""``GET /catalogue``: the shipped product catalogue in the contract's shape, with its ETag.

The service serves the same data the client ships
(:func:`teller_client.domain.catalogue.load_catalogue`); the ETag is the
quoted SHA-256 of the document's canonical JSON, so a client holding the
current copy gets ``304 Not Modified``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from teller_client.domain.catalogue import Catalogue
from teller_client.domain.document import canonical_json
from teller_client.training.context import Context, Reply


def _money(value: Any) -> str:
    return f"{value:.2f}"


def catalogue_document(cat: Catalogue) -> dict[str, Any]:
    """The catalogue as the schema ``Catalogue`` describes it."""
    return {
        "version": cat.version,
        "channels": [
            {
                "id": c.id.value,
                "zh": c.zh,
                "en": c.en,
                "needs_group": c.needs_group,
                "needs_bank_code": c.needs_bank_code,
                "needs_fx_account": c.needs_fx_account,
                "custom_annual_fee": _money(c.custom_annual_fee),
            }
            for c in cat.channels.values()
        ],
        "bundles": [
            {
                "id": b.id,
                "channel": b.channel.value,
                "mode": b.mode.value,
                "zh": b.zh,
                "en": b.en,
                "description_zh": b.description_zh,
                "description_en": b.description_en,
                "annual_fee": _money(b.annual_fee),
                "functions": list(b.functions),
            }
            for b in cat.bundles.values()
        ],
        "menus": [
            {
                "id": m.id,
                "zh": m.zh,
                "en": m.en,
                "channels": sorted(c.value for c in m.channels),
                "groups": [
                    {
                        "id": g.id,
                        "zh": g.zh,
                        "en": g.en,
                        "functions": [{"id": f.id, "zh": f.zh, "en": f.en, "tags": sorted(f.tags)} for f in g.functions],
                    }
                    for g in m.groups
                ],
            }
            for m in cat.menus
        ],
        "fees": {
            "currency": "CNY",
            "ukey": {"zh": cat.ukey_fee.zh, "en": cat.ukey_fee.en, "unit_fee": _money(cat.ukey_fee.unit_fee)},
            "letter": {"zh": cat.letter_fee.zh, "en": cat.letter_fee.en, "unit_fee": _money(cat.letter_fee.unit_fee)},
        },
    }


def etag_of(document: dict[str, Any]) -> str:
    return '"' + hashlib.sha256(canonical_json(document)).hexdigest() + '"'


def get(ctx: Context) -> Reply:
    etag = ctx.services.catalogue_etag
    wanted = ctx.headers.get("if-none-match")
    if wanted is not None and etag in [t.strip().removeprefix("W/") for t in wanted.split(",")]:
        return Reply(304, None, {"ETag": etag})
    return Reply(200, ctx.services.catalogue_doc, {"ETag": etag, "Cache-Control": "no-cache"})
