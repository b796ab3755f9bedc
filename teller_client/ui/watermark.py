"""The training watermark: diagonal, translucent "培训 TRAINING" over every page.

An overlay over the main window's content: it shares the content's grid
cell, so the layout keeps it the content's size, and it comes after the
content, so it is painted above it. It never takes the mouse, the keyboard or the
focus, so everything under it works as if it were not there; it is painted
faintly enough that the text underneath stays readable. The text is
bilingual on purpose and is not translated: a screenshot of a training
session must say so in either language.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

WATERMARK_TEXT = "培训 TRAINING"
WATERMARK_COLOR = QColor(210, 90, 0, 30)
ANGLE_DEGREES = -30.0


class WatermarkOverlay(QWidget):
    """Put it in the same grid cell as the content, after it: the layout keeps it the content's size and on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingWatermark")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAutoFillBackground(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAccessibleName(WATERMARK_TEXT)
        self.text = WATERMARK_TEXT

    def paintEvent(self, event: QPaintEvent) -> None:
        width, height = self.width(), self.height()
        if width <= 0 or height <= 0:
            return
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            font = QFont(self.font())
            font.setBold(True)
            font.setPixelSize(max(24, min(72, min(width, height) // 8)))
            painter.setFont(font)
            painter.setPen(WATERMARK_COLOR)
            metrics = QFontMetricsF(font)
            text_w = metrics.horizontalAdvance(self.text)
            step_x = text_w * 1.6
            step_y = metrics.height() * 3.2
            painter.translate(width / 2, height / 2)
            painter.rotate(ANGLE_DEGREES)
            reach = math.hypot(width, height) / 2 + text_w
            rows = int(reach // step_y) + 1
            cols = int(reach // step_x) + 1
            for r in range(-rows, rows + 1):
                offset = step_x / 2 if r % 2 else 0.0  # staggered rows
                for c in range(-cols, cols + 1):
                    x = c * step_x + offset - text_w / 2
                    y = r * step_y
                    painter.drawText(QRectF(QPointF(x, y - metrics.ascent()), QPointF(x + text_w, y + metrics.descent())), self.text)
        finally:
            painter.end()
