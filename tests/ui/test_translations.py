"""The GUI translates through Qt's QTranslator (our .qm) and switches Qt's own dialogs with the language."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox

from teller_client import i18n
from teller_client.ui.translations import apply_language


def test_the_qm_translator_gives_every_ts_translation_and_qt_buttons_follow_the_language(qapp: QApplication) -> None:
    try:
        apply_language("zh")
        expected = i18n.catalogue("zh")
        assert expected
        assert all(i18n.tr(source) == text for source, text in expected.items())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
        apply_language("en")
        assert i18n.tr("Cancel") == "Cancel"
        assert QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel).button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    finally:
        apply_language("zh")
