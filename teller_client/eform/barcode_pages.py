"""How the barcodes of one page are read: zxing-cpp, then rotated retries where something may be missing.

QR tolerates rotation; PDF417 does not: in trials it failed from about 2° of skew
(1.5° at 200 dpi), yet zxing-cpp still *locates* it up to about 10°. So every page is
decoded straight first, asking zxing-cpp for the symbols it located but could not
read, and the page is tried again rotated only where something may be missing:

* a symbol located but not read: rotate by the skew measured on its corners, then
  by steps around the page's skew (±0.5° ... ±6°);
* an e-form whose parts on this page were read but which lacks other parts: the
  page's measured skew, then small steps around it (±0.5°, ±1°);
* nothing read in the whole file: a short blind ladder (±1.5°, ±3°).

What is read at any angle is merged, each text once, in page and reading order. The work
is bounded (rotated attempts per page and per file) and ``cancel`` is checked before every
attempt. An e-form part read with a wrong check code counts as not read (it is returned only
if nothing better is read there, so that the teller is told it was misread).

Pages come as loaders of prepared pictures (see :func:`teller_client.eform.images.prepare_image`);
opening files is not done here. No Qt here.
"""

from __future__ import annotations

import logging
import math
import statistics
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import zxingcpp
from PIL import Image

from teller_client.eform.errors import EformError
from teller_client.eform.symbols import Symbol, is_eform, parse_symbol
from teller_client.errors import CancelledError

log = logging.getLogger(__name__)

NEAR_LADDER = (0.5, -0.5, 1.0, -1.0)
"""Steps (degrees) around the page's measured skew, tried after the measured skews themselves where a form has
parts on the page but lacks others: a marginal PDF417 may need its skew within a quarter of a degree."""
ROTATION_LADDER = (*NEAR_LADDER, 1.5, -1.5, 3.0, -3.0, 4.5, -4.5, 6.0, -6.0)
"""Steps around the page's measured skew (or around 0°), tried after the measured skews where a symbol was located
but not read."""
BLIND_LADDER = (1.5, -1.5, 3.0, -3.0)
"""Angles tried on a page where nothing at all was located, when nothing was read in the whole file.

Kept short on purpose: zxing-cpp locates PDF417 skewed by up to about 10° even when it cannot read
it (and QR at any angle), so on such a page rotating has not helped in any trial; it costs about
0.2 s an attempt on an A4 page at 200 dpi."""
MAX_ANGLE = 20.0
"""Skew estimates beyond this are not followed (zxing-cpp's own rotation covers multiples of 90°)."""
MAX_ROTATIONS_PER_PAGE = 10
MAX_ROTATIONS = 24
"""Rotated attempts in all for one file. One takes about 0.2 s on an A4 page at 200 dpi and 0.4 to 0.8 s at
300 dpi; a skewed page usually needs one (at its measured skew)."""
MIN_SKEW = 0.5
"""Measured skew below this is not worth a rotated attempt."""
HINT_TOLERANCE = 0.2
"""An angle this close to one tried or planned already adds no attempt."""

_FORMATS = zxingcpp.barcode_formats_from_str("QRCode,PDF417")


# --- results of one page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    """Where a symbol is on the page as given (axis-aligned bounds of its corners)."""

    x: float
    y: float
    half_width: float
    half_height: float

    def holds(self, other: _Box) -> bool:
        return abs(other.x - self.x) <= self.half_width and abs(other.y - self.y) <= self.half_height


@dataclass
class _Page:
    number: int
    found: dict[str, _Box] = field(default_factory=dict)
    """Texts read, where first read."""
    unread: list[_Box] = field(default_factory=list)
    """Symbols located but not read in any attempt so far."""
    hints: list[float] = field(default_factory=list)
    """Rotations to try next (degrees, counter-clockwise), measured on located symbols."""
    tried: set[float] = field(default_factory=set)
    skew: float = 0.0
    """The page's skew measured on the symbols read straight, else on those located (the rotation that levels them)."""
    misread: dict[str, _Box] = field(default_factory=dict)
    """E-form parts read with a wrong check code, where read."""


@dataclass
class _Budget:
    left: int = MAX_ROTATIONS

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`~teller_client.errors.CancelledError` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise CancelledError()


# --- decoding ------------------------------------------------------------------------------------------


def _rotate(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)  # bicubic: twice the time, no better


def _back(x: float, y: float, angle: float, rotated: tuple[int, int], original: tuple[int, int]) -> tuple[float, float]:
    """A point of ``image.rotate(angle, expand=True)`` in the coordinates of ``image``."""
    theta = math.radians(angle)
    dx, dy = x - rotated[0] / 2, y - rotated[1] / 2
    return (
        original[0] / 2 + dx * math.cos(theta) - dy * math.sin(theta),
        original[1] / 2 + dx * math.sin(theta) + dy * math.cos(theta),
    )


def _box(barcode: zxingcpp.Barcode, angle: float, rotated: tuple[int, int], original: tuple[int, int]) -> _Box:
    p = barcode.position
    corners = [(float(c.x), float(c.y)) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    if angle:
        corners = [_back(x, y, angle, rotated, original) for x, y in corners]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return _Box((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) / 2 + 1, (max(ys) - min(ys)) / 2 + 1)


def _skew(barcode: zxingcpp.Barcode) -> float:
    """The rotation (degrees, counter-clockwise, as :meth:`PIL.Image.Image.rotate` takes it) that levels ``barcode``.

    Measured on its top and bottom edges; on a symbol zxing-cpp could not read one edge may be
    reported flat, so the steeper edge is taken.
    """
    p = barcode.position
    top = math.degrees(math.atan2(p.top_right.y - p.top_left.y, p.top_right.x - p.top_left.x))
    bottom = math.degrees(math.atan2(p.bottom_right.y - p.bottom_left.y, p.bottom_right.x - p.bottom_left.x))
    angle = top if abs(top) >= abs(bottom) else bottom
    return ((angle + 45.0) % 90.0) - 45.0  # zxing-cpp itself reads symbols turned by 90°, 180° and 270°


def _decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        image,
        formats=_FORMATS,
        try_rotate=True,
        try_downscale=True,
        try_invert=False,  # forms are printed dark on light; trying inverted doubles the time at 200 dpi
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=zxingcpp.Binarizer.LocalAverage,  # GlobalHistogram lost every skewed PDF417 at 200 dpi
        return_errors=True,  # symbols located but not read: their skew says which rotation to try
    )


def _attempt(page: _Page, image: Image.Image, angle: float) -> None:
    """Decode ``image`` turned by ``angle``; merge what is read into ``page`` and note what is not."""
    page.tried.add(angle)
    work = image if angle == 0 else _rotate(image, angle)
    located: list[tuple[_Box, float]] = []
    read_skews: list[float] = []
    for barcode in _decode(work):
        box = _box(barcode, angle, work.size, image.size)
        skew = angle + _skew(barcode)
        if not barcode.valid:
            located.append((box, skew))
        elif barcode.text and barcode.text not in page.found:
            read_skews.append(skew - angle)
            if not _keep(page, barcode.text, box):
                located.append((box, skew))
    for box, skew in located:
        if _overlaps(box, page.found.values()):
            continue
        if not _overlaps(box, page.unread):
            page.unread.append(box)
        _hint(page, skew, first=True)
    if read_skews:  # the page's skew, measured on what was read: worth a try if parts are missing
        _hint(page, angle + statistics.median(read_skews))
    if angle == 0 and (read_skews or located):
        page.skew = statistics.median(read_skews or [skew for _, skew in located])
    page.unread = [u for u in page.unread if not _overlaps(u, page.found.values())]
    log.debug("page %d at %.2f°: %d read, %d located but unread", page.number, angle, len(page.found), len(page.unread))


def _keep(page: _Page, text: str, box: _Box) -> bool:
    """Record a text read at ``box``; ``False`` when it is a misread (then the symbol counts as not read yet).

    Skewed PDF417 is now and then "read" as a wrong text that passes its error correction. An e-form part
    has its own check code: a part failing it is kept aside (returned only if nothing better is read there,
    so that the teller hears "misread, scan again"). A second, different text at the very place of one
    already read is a misread of one of them, unless both are e-form parts that pass their check (zxing-cpp
    places a skewed PDF417 roughly, so two real symbols may seem to overlap): the part wins, else the first.
    """
    if is_eform(text) and _part(text) is None:
        page.misread.setdefault(text, box)
        return False
    clash = next((other for other, where in page.found.items() if where.holds(box) and box.holds(where)), None)
    if clash is not None and not (is_eform(text) and is_eform(clash)):
        if is_eform(clash) or not is_eform(text):
            log.debug("page %d: a second, different reading of one symbol dropped", page.number)
            return True
        del page.found[clash]
    page.found[text] = box
    return True


def _part(text: str) -> Symbol | None:
    """The e-form part ``text`` is, when it is one that passes its check code."""
    try:
        return parse_symbol(text)
    except EformError:
        return None


def _parts(page: _Page) -> Iterator[Symbol]:
    """The e-form parts read on ``page`` that pass their check code."""
    return (part for part in map(_part, page.found) if part is not None)


def _overlaps(box: _Box, others: Iterable[_Box]) -> bool:
    """Whether ``box`` and one of ``others`` are one symbol (or one holds the other's centre, as a merged detection does)."""
    return any(other.holds(box) or box.holds(other) for other in others)


def _hint(page: _Page, angle: float, *, first: bool = False) -> None:
    """Plan a rotated attempt, unless one at nearly that angle is tried or planned already."""
    hint = round(angle, 1)
    if not MIN_SKEW <= abs(hint) <= MAX_ANGLE or _near(hint, (0.0, *page.tried, *page.hints)):
        return
    if first:
        page.hints.insert(0, hint)
    else:
        page.hints.append(hint)


def _missing_forms(pages: Sequence[_Page]) -> set[str]:
    """Form numbers of the e-forms read in part only."""
    parts: dict[str, tuple[int, set[int]]] = {}
    for page in pages:
        for symbol in _parts(page):
            total, seen = parts.setdefault(symbol.form_id, (symbol.total, set()))
            seen.add(symbol.index)
            parts[symbol.form_id] = (max(total, symbol.total), seen)
    return {form for form, (total, seen) in parts.items() if len(seen) < total}


def _has_parts_of(page: _Page, forms: set[str]) -> bool:
    return any(part.form_id in forms for part in _parts(page))


def _complete(pages: Sequence[_Page]) -> bool:
    """Nothing more to look for: something was read, no symbol is left unread, no e-form lacks a part."""
    if not any(page.found for page in pages) or any(page.unread for page in pages):
        return False
    return not _missing_forms(pages)


def _page_done(page: _Page, pages: Sequence[_Page]) -> bool:
    """Whether rotating ``page`` again can no longer help."""
    if _complete(pages):
        return True
    return not page.unread and bool(page.found) and not _has_parts_of(page, _missing_forms(pages))


def _retry(page: _Page, load: Callable[[], Image.Image], pages: Sequence[_Page], budget: _Budget, cancel: threading.Event | None) -> None:
    """Rotated attempts on one page: measured skews first, then the ladder; until done or out of attempts."""
    ladder = [page.skew + step for step in ROTATION_LADDER]
    near = [page.skew + step for step in NEAR_LADDER]
    blind = list(BLIND_LADDER)
    image: Image.Image | None = None
    for _ in range(MAX_ROTATIONS_PER_PAGE):
        if _page_done(page, pages):
            return
        # After the measured skews: the ladder where a symbol was located but not read, a short one where nothing
        # was read anywhere, small steps around the page's skew where a form has parts on this page but lacks others.
        if page.unread:
            angle = _next_angle(page, ladder)
        elif not any(p.found for p in pages):
            angle = _next_angle(page, blind)
        else:
            angle = _next_angle(page, near)
        if angle is None:
            return
        check_cancel(cancel)
        if not budget.take():
            return
        if image is None:
            image = load()
        _attempt(page, image, angle)


def _next_angle(page: _Page, ladder: list[float]) -> float | None:
    while page.hints or ladder:
        angle = page.hints.pop(0) if page.hints else round(ladder.pop(0), 1)
        if not _near(angle, (0.0, *page.tried)):
            return angle
    return None


def _near(angle: float, others: Iterable[float]) -> bool:
    return any(abs(angle - other) < HINT_TOLERANCE for other in others)


def _ordered(pages: Sequence[_Page]) -> list[str]:
    """Texts in page order, then reading order (rows top to bottom, left to right in a row), once each.

    A misread e-form part is included only where nothing else was read, so that the part is named as misread.
    """
    out: list[str] = []
    seen: set[str] = set()
    for page in pages:
        items = list(page.found.items())
        for text, box in page.misread.items():
            if not _overlaps(box, page.found.values()) and not _overlaps(box, [b for t, b in items if t in page.misread]):
                items.append((text, box))
        rows: list[list[tuple[str, _Box]]] = []
        for text, box in sorted(items, key=lambda item: item[1].y):
            if rows and abs(box.y - rows[-1][0][1].y) < max(rows[-1][0][1].half_height, box.half_height):
                rows[-1].append((text, box))
            else:
                rows.append([(text, box)])
        for row in rows:
            for text, _ in sorted(row, key=lambda item: item[1].x):
                if text not in seen:
                    seen.add(text)
                    out.append(text)
    return out


def read_pages(loaders: Sequence[Callable[[], Image.Image]], cancel: threading.Event | None) -> list[str]:
    """The texts of every page, once each, in page and reading order; ``loaders`` give each page's prepared picture.

    Every page straight, then rotated attempts on the pages where something may be missing.
    Raises :class:`~teller_client.errors.CancelledError` when ``cancel`` is set.
    """
    pages: list[_Page] = []
    for number, load in enumerate(loaders, start=1):
        check_cancel(cancel)
        page = _Page(number)
        _attempt(page, load(), 0.0)
        pages.append(page)
    if _complete(pages):
        return _ordered(pages)
    budget = _Budget()
    missing = _missing_forms(pages)
    # Pages with symbols located but not read first, then pages with parts of incomplete forms, then pages with nothing read.
    order = sorted(pages, key=lambda p: (not p.unread, not _has_parts_of(p, missing), bool(p.found), p.number))
    for page in order:
        if _complete(pages) or budget.left <= 0:
            break
        _retry(page, loaders[page.number - 1], pages, budget, cancel)
    return _ordered(pages)
