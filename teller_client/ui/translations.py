"""Qt translations: our compiled ``.qm`` for :func:`teller_client.i18n.tr`, and Qt's own for its standard dialogs.

:func:`apply_language` is called at start and whenever the teller switches language: it sets
:mod:`teller_client.i18n`'s language, makes ``tr`` go through a ``QTranslator`` loaded from
``resources/translations/teller_client_zh_CN.qm``, and installs (or removes) Qt's ``qtbase_zh_CN.qm`` so
that standard buttons, context menus and file dialogs speak the same language.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from teller_client.i18n import CONTEXT, QM_NAME, set_language, use_lookup
from teller_client.resources import resource_path

log = logging.getLogger(__name__)

_ours: QTranslator | None = None
_qt: QTranslator | None = None


def _load_ours() -> QTranslator | None:
    translator = QTranslator()
    path = resource_path("translations", QM_NAME)
    if not translator.load(str(path)):
        log.warning("translations %s could not be loaded; Chinese comes from the .ts sources", path)
        return None
    return translator


def _load_qt() -> QTranslator | None:
    translator = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        log.info("Qt's own Chinese translations are not installed in %s", folder)
        return None
    return translator


def apply_language(lang: str) -> None:
    """Switch the program (our strings and Qt's standard dialogs) to ``lang`` (``zh`` or ``en``)."""
    global _ours, _qt
    set_language(lang)
    app = QCoreApplication.instance()
    if app is None:
        return
    if _ours is None:
        _ours = _load_ours()
        if _ours is not None:
            app.installTranslator(_ours)
            translator = _ours
            use_lookup(lambda source: translator.translate(CONTEXT, source) or source)
    if lang == "zh" and _qt is None:
        _qt = _load_qt()
        if _qt is not None:
            app.installTranslator(_qt)
    elif lang != "zh" and _qt is not None:
        app.removeTranslator(_qt)
        _qt = None
