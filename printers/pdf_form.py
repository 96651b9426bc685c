"""An A4 page in DejaVu Sans with the pieces the kiosk's forms are made of: headings, fields, text, signatures."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fpdf import FPDF

from printers.fonts import font_path
from printers.form_texts import bilingual, latvian, local

try:
    LATVIA = ZoneInfo("Europe/Riga")
except ZoneInfoNotFoundError:  # no tzdata here: UTC still keeps the output independent of the machine's zone
    LATVIA = timezone.utc

FONT = "DejaVu"
INK = (0, 0, 0)
# Translations are helpers, not the text that is signed: smaller and grey, so the Latvian stands out.
HELPER_INK = (85, 85, 85)
LABEL_WIDTH = 48  # mm: the widest Latvian label ("Tālrunis, e-pasts") with room to spare at 10 pt


def creation_date(moment: datetime) -> datetime:
    """The moment with a time zone; a naive one is taken as Latvian time, never as this machine's zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=LATVIA)


class FormPdf(FPDF):
    """One A4 form: Latvian text, each heading and label followed by the resident's language in small type."""

    def __init__(self, language: str, title: str, created: datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.language = language
        self.set_margins(20, 12, 20)
        self.set_auto_page_break(True, margin=12)
        self.add_font(FONT, "", str(font_path()))
        self.add_font(FONT, "B", str(font_path(bold=True)))
        # Fixed metadata: the same data gives the same file, byte for byte.
        self.set_creation_date(creation_date(created))
        self.set_title(title)
        self.set_lang("lv")
        self.set_creator("KAC kiosk")
        self.set_producer("KAC kiosk (fpdf2)")
        self.add_page()

    def title_block(self, title_key: str, subtitle_key: str | None = None) -> None:
        """The form's name, centred and large, with its subtitle and their translations."""
        self._centred(latvian(title_key), 17, bold=True)
        self._centred_helper(local(title_key, self.language), 10)
        if subtitle_key:
            self._centred(latvian(subtitle_key), 11)
            self._centred_helper(local(subtitle_key, self.language), 8.5)
        self.ln(2)

    def heading(self, key: str) -> None:
        """A section heading with a rule under it."""
        self.ln(2)
        self._write(latvian(key), 11.5, bold=True)
        self._helper(local(key, self.language), 8.5)
        y = self.get_y() + 0.8
        self.set_draw_color(*INK)
        self.set_line_width(0.3)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_y(y + 1.5)

    def field(self, key: str, value: str, value_helper: str | None = None,
              label_width: float = LABEL_WIDTH) -> None:
        """A label (and its translation) beside a value, which may have its own translation beneath it."""
        top = self.get_y()
        self._write(latvian(key), 10, bold=True, width=label_width)
        self._helper(local(key, self.language), 7.5, width=label_width)
        label_bottom = self.get_y()
        self.set_xy(self.l_margin + label_width, top)
        value_width = self.w - self.r_margin - self.get_x()
        self._write(value, 11, width=value_width)
        if value_helper and self.language != "lv":
            self._helper(value_helper, 8, width=value_width)
        self.set_y(max(label_bottom, self.get_y()) + 1.2)

    def paragraph(self, text: str, size: float = 10) -> None:
        """Running text in the form's language, justified."""
        self.set_font(FONT, "", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * 0.5, text, align="J", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def helper_paragraph(self, text: str, size: float = 8) -> None:
        """Running text in the resident's language, smaller and grey."""
        self.set_font(FONT, "", size)
        self.set_text_color(*HELPER_INK)
        self.multi_cell(0, size * 0.48, text, align="J", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1.5)

    def checkbox(self, key: str) -> None:
        """An empty square to tick, with its label and translation."""
        top = self.get_y()
        self.set_draw_color(*INK)
        self.set_line_width(0.3)
        self.rect(self.l_margin + 2, top + 0.6, 4, 4)
        self.set_xy(self.l_margin + 9, top)
        self._write(latvian(key), 10.5, width=self.w - self.r_margin - self.l_margin - 9)
        self.set_x(self.l_margin + 9)
        self._helper(local(key, self.language), 8, width=self.w - self.r_margin - self.l_margin - 9)
        self.ln(1.5)

    def ruled_area(self, lines: int, spacing: float = 8) -> None:
        """Lines to write on by hand, the full text width."""
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        for _ in range(lines):
            self.set_y(self.get_y() + spacing)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_draw_color(*INK)
        self.ln(3)

    def ensure_room(self, height: float) -> None:
        """Start a new page unless height mm still fit, so a block such as the signatures is never split."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def line_cells(self, cells: list[tuple[str, str | None]], left: float | None = None,
                   width: float | None = None) -> None:
        """Cells side by side, each a line with its label beneath: the value printed above the line, or, when
        the value is None, a line of underscores to write on (text, so a blank is visible in the PDF's text)."""
        left = self.l_margin if left is None else left
        width = self.w - self.r_margin - left if width is None else width
        gap = 4
        cell_width = (width - gap * (len(cells) - 1)) / len(cells)
        line_y = self.get_y() + 10
        bottom = line_y
        for number, (label_key, value) in enumerate(cells):
            x = left + number * (cell_width + gap)
            if value:
                self.set_xy(x, line_y - 5)
                self._write(value, 10.5, width=cell_width)
                self.set_draw_color(*INK)
                self.set_line_width(0.25)
                self.line(x, line_y, x + cell_width, line_y)
            else:
                # DejaVu's underscore lies about 1 mm under the baseline of a 10.5 pt line started 3.3 mm higher.
                self.set_xy(x, line_y - 3.3)
                self.set_font(FONT, "", 10.5)
                self.cell(cell_width, 4, self.blank(cell_width, 10.5))
            self.set_xy(x, line_y + 0.6)
            self._write(bilingual(label_key, self.language), 7.5, width=cell_width, ink=HELPER_INK)
            bottom = max(bottom, self.get_y())
        self.set_xy(left, bottom)

    def signature_columns(self, columns: list[tuple[str, list[list[tuple[str, str | None]]]]]) -> None:
        """Side-by-side signature blocks: a heading key, then rows of line cells (see line_cells)."""
        gap = 10
        width = (self.w - self.l_margin - self.r_margin - gap * (len(columns) - 1)) / len(columns)
        # A rule instead of a section heading: each column's own heading already says whose signature it is.
        self.ln(3)
        self.set_draw_color(*INK)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        top = self.get_y()
        bottom = top
        for index, (heading_key, rows) in enumerate(columns):
            left = self.l_margin + index * (width + gap)
            self.set_xy(left, top)
            self._write(latvian(heading_key), 10.5, bold=True, width=width)
            self.set_x(left)
            self._helper(local(heading_key, self.language), 8, width=width)
            for cells in rows:
                self.line_cells(cells, left=left, width=width)
            bottom = max(bottom, self.get_y())
        self.set_xy(self.l_margin, bottom + 3)

    def inline_field(self, key: str, value: str) -> None:
        """A short label, its translation and a value on one right-aligned line, such as the form's date."""
        self.set_font(FONT, "", 10)
        self.set_text_color(*INK)
        self.cell(0, 5, f"{bilingual(key, self.language)}: {value}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def footer_line(self, text: str) -> None:
        """Small grey text at the bottom of the page."""
        self.set_auto_page_break(False)
        self.set_xy(self.l_margin, self.h - 12)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*HELPER_INK)
        self.cell(0, 4, text, align="C")
        self.set_text_color(*INK)

    def blank(self, width: float, size: float) -> str:
        """Underscores as wide as width at this size: a line to fill in, kept as text so it survives copying."""
        self.set_font(FONT, "", size)
        # One underscore short of the width, so rounding never pushes the line onto a second one.
        return "_" * max(8, int(width / self.get_string_width("_")) - 1)

    def _write(self, text: str, size: float, bold: bool = False, width: float = 0,
               ink: tuple[int, int, int] = INK) -> None:
        x = self.get_x()
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*ink)
        self.multi_cell(width, size * 0.45, text, align="L", new_x="LEFT", new_y="NEXT")
        self.set_x(x)
        self.set_text_color(*INK)

    def _helper(self, text: str | None, size: float, width: float = 0) -> None:
        if text:
            self._write(text, size, width=width, ink=HELPER_INK)

    def _centred(self, text: str, size: float, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def _centred_helper(self, text: str | None, size: float) -> None:
        if text:
            self.set_font(FONT, "", size)
            self.set_text_color(*HELPER_INK)
            self.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
