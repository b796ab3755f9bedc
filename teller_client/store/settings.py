"""Settings kept in the local store (JSON values by key)."""

from __future__ import annotations

import json
from typing import Any

from teller_client.secret import secret_fields
from teller_client.store.database import Store
from teller_client.store.models import Setting, utcnow


class SettingsRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str, default: Any = None) -> Any:
        with self._store.session() as s:
            row = s.get(Setting, key)
            return json.loads(row.value) if row is not None else default

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON) under ``key``; a secret (by field name or :class:`Secret`) is refused."""
        leaked = secret_fields({key.rsplit(".", 1)[-1]: value})
        if leaked:
            raise ValueError(f"settings keep no secrets; refused {leaked}")
        body = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with self._store.session() as s:
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=body))
            else:
                row.value = body
                row.updated_at = utcnow()

    def all(self) -> dict[str, Any]:
        with self._store.session() as s:
            return {row.key: json.loads(row.value) for row in s.query(Setting).order_by(Setting.key)}
