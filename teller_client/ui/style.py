"""Small shared looks: headings that grow with the system font size (no fixed pixel sizes)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def make_heading(widget: QWidget, scale: float = 1.35) -> None:
    """Bold, ``scale`` times the widget's font (so it follows the system's text size)."""
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    widget.setFont(font)
