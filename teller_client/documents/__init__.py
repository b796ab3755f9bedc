"""Printable documents laid out with reportlab: the embedded font, vector barcodes, the e-form. No Qt here."""
