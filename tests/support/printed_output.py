"""Reading what a printer would print: ESC/POS bytes (text, raster pictures, QR codes) and PDF text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageOps

ESC_INIT = b"\x1b@"
# ESC t 51: WPC1257 (Baltic) in the Epson code page table of the TM-T20II profile.
SELECT_CP1257 = b"\x1bt\x33"
FULL_CUT = b"\x1dV\x00"
RASTER = b"\x1dv0"


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: install the Debian package {package}")
    return path


def raster_blocks(data: bytes) -> list[tuple[bytes, Image.Image]]:
    """Every GS v 0 m xL xH yL yH d1...dk block: its bytes and the picture it prints (black dots as black)."""
    blocks = []
    start = data.find(RASTER)
    while start != -1:
        x_low, x_high, y_low, y_high = data[start + 4:start + 8]
        width_bytes, height = x_low + 256 * x_high, y_low + 256 * y_high
        end = start + 8 + width_bytes * height
        assert end <= len(data), "a raster block runs past the end of the bytes"
        bits = Image.frombytes("1", (width_bytes * 8, height), data[start + 8:end])
        # In ESC/POS a 1 bit is a black dot; in Pillow's mode "1" it is white.
        blocks.append((data[start:end], ImageOps.invert(bits.convert("L"))))
        start = data.find(RASTER, end)
    return blocks


def text_outside_rasters(data: bytes) -> bytes:
    """The bytes with every raster block taken out: what the printer receives as commands and text."""
    for block, _ in raster_blocks(data):
        data = data.replace(block, b"")
    return data


def decoded_qr_codes(data: bytes, tmp_path) -> list[str]:
    """What zbarimg reads in each raster block that holds a code."""
    zbarimg = tool("zbarimg", "zbar-tools")
    found = []
    for index, (_, picture) in enumerate(raster_blocks(data)):
        png = tmp_path / f"raster-{index}.png"
        picture.save(png)
        result = subprocess.run([zbarimg, "--raw", "-q", str(png)], capture_output=True, text=True)
        found += result.stdout.split()
    return found


def pdf_text(pdf: bytes, tmp_path) -> str:
    """pdftotext's reading of the PDF, with runs of whitespace made single spaces."""
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([tool("pdftotext", "poppler-utils"), str(path), "-"], capture_output=True,
                            text=True, check=True)
    return " ".join(result.stdout.split())


def pdf_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run([tool("pdfinfo", "poppler-utils"), str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
