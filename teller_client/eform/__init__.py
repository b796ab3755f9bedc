"""E-form barcodes (contract ``EF1``): read the symbols a teller scans, verify and check the form; generate them.

No Qt here: the scanning page of the UI uses this package.
"""

from __future__ import annotations

from teller_client.eform.assembler import PartAssembler, Progress
from teller_client.eform.decoder import DecodedForm, decode_symbols
from teller_client.eform.errors import EformError, EformInvalidError, NotAnEformError
from teller_client.eform.generator import make_symbols, sign_document
from teller_client.eform.keys import TRAINING_KID, TrustedKeys, load_private_key, load_public_key
from teller_client.eform.symbols import is_eform, parse_symbol

__all__ = [
    "TRAINING_KID",
    "DecodedForm",
    "EformError",
    "EformInvalidError",
    "NotAnEformError",
    "PartAssembler",
    "Progress",
    "TrustedKeys",
    "decode_symbols",
    "is_eform",
    "load_private_key",
    "load_public_key",
    "make_symbols",
    "parse_symbol",
    "sign_document",
]
