"""Pictures for the receipt printer: lines of text its code page lacks, and QR codes, as 1-bit Pillow images."""

from __future__ import annotations

from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage

from printers.fonts import font_path

WHITE, BLACK = 1, 0
# The quiet zone the QR standard asks for; a narrower one makes phone cameras hesitate.
QR_BORDER_MODULES = 4


@lru_cache(maxsize=16)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    # Loading a face costs about a millisecond; a ticket asks for the same two or three sizes every time.
    # Basic layout: Latvian and Ukrainian need no shaping, and it measures text several times faster than raqm.
    return ImageFont.truetype(str(font_path(bold)), size_px, layout_engine=ImageFont.Layout.BASIC)


def wrap_to_width(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of text no wider than width pixels, broken between words (inside a word only when it must)."""
    if font.getlength(text) <= width:
        return [text]  # most lines: one measurement instead of one per word
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        # A single word wider than the paper (a long URL, a compound name) is cut where it overflows.
        while font.getlength(word) > width:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def text_image(text: str, width: int, size_px: int, bold: bool = False, align: str = "center") -> Image.Image:
    """Text as black pixels on a white strip the full paper width, wrapped to fit, aligned left/center/right."""
    font = _font(size_px, bold)
    # Mode "1" draws without anti-aliasing: crisp edges on a thermal head, and no grey for the printer to dither.
    lines = wrap_to_width(text, font, width)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + size_px // 5
    image = Image.new("1", (width, line_height * len(lines)), WHITE)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        line_width = font.getlength(line)
        x = {"left": 0, "right": width - line_width}.get(align, (width - line_width) / 2)
        draw.text((round(x), row * line_height), line, font=font, fill=BLACK)
    return image


def qr_image(data: str, width: int, module_px: int = 6) -> Image.Image:
    """A QR code made with the qrcode package, centred on a white strip the full paper width.

    Medium error correction survives a worn or creased thermal print; the module shrinks only when a long
    address would not otherwise fit the paper.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QR_BORDER_MODULES)
    code.add_data(data)
    code.make(fit=True)
    modules = code.modules_count + 2 * QR_BORDER_MODULES
    code.box_size = max(1, min(module_px, width // modules))
    symbol = code.make_image(image_factory=PilImage).get_image().convert("1")
    strip = Image.new("1", (width, symbol.height), WHITE)
    strip.paste(symbol, ((width - symbol.width) // 2, 0))
    return strip
