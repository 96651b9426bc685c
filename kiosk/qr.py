"""QR codes as PNG bytes for the screen ("continue on your phone"); printed ones are drawn by printers/raster.py."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(data: str, box_size: int = 8, border: int = 2) -> bytes:
    """A black-on-white QR code; medium error correction survives a worn thermal print or a glare."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
