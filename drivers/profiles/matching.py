"""Which profile drives a card or a token.

**Cards (readers):** every ATR pattern of every profile is tried against the reader's ATR. Among the patterns that
match, the one that compares the most bits wins (an exact ATR beats ``..`` wildcards, a pattern with fewer
wildcards beats one with more). A tie goes to the higher ``priority``, then to the profile listed first — and
:func:`~drivers.profiles.loader.load_profiles` lists branch IT's own folders before the shipped profiles.

**Tokens that are not cards** (SoftHSM, and USB keys whose library shows no reader): the token's
``manufacturerID`` and ``model`` from CK_TOKEN_INFO are compared with each profile's ``match.tokens``, after
removing the blank padding, ignoring case. An entry naming the model beats one naming only the manufacturer;
ties are broken as for cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drivers.profiles.atr import AtrPattern
from drivers.profiles.model import TokenMatch, VendorProfile


@dataclass(frozen=True)
class AtrMatch:
    """One profile whose pattern fits an ATR; ``rank`` is the profile's place in the list searched."""

    profile: VendorProfile
    pattern: AtrPattern
    rank: int

    def sort_key(self) -> tuple[int, int, int]:
        return (-self.pattern.specificity, -self.profile.priority, self.rank)


@dataclass(frozen=True)
class TokenInfoMatch:
    """One profile whose ``match.tokens`` entry fits a token."""

    profile: VendorProfile
    entry: TokenMatch
    rank: int

    def sort_key(self) -> tuple[int, int, int]:
        return (-self.entry.specificity, -self.profile.priority, self.rank)


def atr_matches(atr: bytes, profiles: Sequence[VendorProfile]) -> list[AtrMatch]:
    """Every profile that fits ``atr``, best first (its best pattern only); diagnostics show more than one as a warning."""
    best: dict[str, AtrMatch] = {}
    for rank, profile in enumerate(profiles):
        for pattern in profile.atr_patterns:
            if pattern.matches(atr):
                found = AtrMatch(profile=profile, pattern=pattern, rank=rank)
                if profile.id not in best or found.sort_key() < best[profile.id].sort_key():
                    best[profile.id] = found
    return sorted(best.values(), key=AtrMatch.sort_key)


def profile_for_atr(atr: bytes, profiles: Sequence[VendorProfile]) -> VendorProfile | None:
    """The profile for the card that answered ``atr``, or ``None`` when no profile knows it."""
    found = atr_matches(bytes(atr), profiles)
    return found[0].profile if found else None


def _clean(text: str) -> str:
    return text.strip(" \x00").casefold()


def token_matches(manufacturer: str, model: str, profiles: Sequence[VendorProfile]) -> list[TokenInfoMatch]:
    """Every profile whose ``match.tokens`` fits this CK_TOKEN_INFO ``manufacturerID`` and ``model``, best first."""
    maker, kind = _clean(manufacturer), _clean(model)
    best: dict[str, TokenInfoMatch] = {}
    for rank, profile in enumerate(profiles):
        for entry in profile.token_match:
            if _clean(entry.manufacturer) != maker or (entry.model is not None and _clean(entry.model) != kind):
                continue
            found = TokenInfoMatch(profile=profile, entry=entry, rank=rank)
            if profile.id not in best or found.sort_key() < best[profile.id].sort_key():
                best[profile.id] = found
    return sorted(best.values(), key=TokenInfoMatch.sort_key)


def profile_for_token(manufacturer: str, model: str, profiles: Sequence[VendorProfile]) -> VendorProfile | None:
    """The profile for a token by its CK_TOKEN_INFO ``manufacturerID`` and ``model``, or ``None``."""
    found = token_matches(manufacturer, model, profiles)
    return found[0].profile if found else None


def profile_by_id(profile_id: str, profiles: Sequence[VendorProfile]) -> VendorProfile | None:
    """The profile with this id (device settings may pin a reader to a profile by id)."""
    return next((p for p in profiles if p.id == profile_id), None)
