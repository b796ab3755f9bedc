from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from teller_client.domain.catalogue import TAGS, load_catalogue
from teller_client.domain.model import Channel, ServiceMode
from teller_client.errors import CatalogueError
from teller_client.resources import resource_path


def test_shipped_catalogue_is_sized_like_the_banks() -> None:
    cat = load_catalogue()
    assert cat.counts == (30, 138, 526)
    assert set(cat.channels) == set(Channel)
    for channel in Channel:
        modes = {b.mode for b in cat.bundles_for(channel)}
        assert modes == {ServiceMode.STANDARD, ServiceMode.ADVANCED}, channel
        assert cat.functions_for(channel), channel


def test_names_are_bilingual_and_tags_known() -> None:
    cat = load_catalogue()
    for f in cat.functions.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.zh), f.id
        assert f.en.isascii() and f.en.strip(), f.id
        assert f.tags <= TAGS
        if "payroll" in f.tags:
            assert f.is_payment


def test_advanced_bundles_extend_standard_ones() -> None:
    cat = load_catalogue()
    for channel in Channel:
        bundles = {b.mode: set(b.functions) for b in cat.bundles_for(channel)}
        assert bundles[ServiceMode.STANDARD] < bundles[ServiceMode.ADVANCED], channel


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(resource_path("catalogue"), folder)
    return folder


def test_a_bundle_naming_a_missing_function_is_an_installation_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "bundles.toml").read_text(encoding="utf-8")
    (folder / "bundles.toml").write_text(
        text.replace('"account_enquiry.balance.current"', '"account_enquiry.balance.gone"', 1), encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match=r"account_enquiry\.balance\.gone"):
        load_catalogue(folder)


@pytest.mark.parametrize(("name", "old", "new", "match"), [
    ("functions.toml", 'tags = ["query"]', 'tags = ["teleport"]', "unknown tags"),
    ("channels.toml", 'id = "bidding"', 'id = "auctions"', "unknown channel"),
    ("fees.toml", 'unit_fee = "60.00"', 'unit_fee = "sixty"', "not a decimal"),
    ("functions.toml", 'version = "2026.11"', "version = ", "not valid TOML"),
])  # fmt: skip
def test_broken_catalogue_files_are_named(tmp_path: Path, name: str, old: str, new: str, match: str) -> None:
    folder = _copy(tmp_path)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=match):
        load_catalogue(folder)


def test_missing_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "fees.toml").unlink()
    with pytest.raises(CatalogueError, match="missing"):
        load_catalogue(folder)
