"""The scanner drawn from above, for where the paper goes and while it scans: no photo needed to show the way."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle, RoundedRectangle, Triangle
from kivy.metrics import dp
from kivy.properties import NumericProperty, OptionProperty
from kivy.uix.widget import Widget

from screens.theme import theme


class ScannerPicture(Widget):
    """The scanner drawn from above: a page face down in the corner of the glass with an arrow into the corner,
    or pages face up in the feeder with an arrow into it; `sweep` (0 to 1) is the scanning light, -1 none."""
    kind = OptionProperty("flatbed", options=["flatbed", "feeder"])
    sweep = NumericProperty(-1.0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._redraw = Clock.create_trigger(self._draw)
        self.fbind("pos", self._redraw)
        self.fbind("size", self._redraw)
        self.fbind("kind", self._redraw)
        self.fbind("sweep", self._redraw)
        # Weakly (bind, a method): the theme outlives the app, and must not keep its pictures alive.
        theme.bind(high_contrast=self._contrast_changed)
        self._redraw()

    def _contrast_changed(self, *_args) -> None:
        self._redraw()

    def _draw(self, *_args) -> None:
        self.canvas.clear()
        if self.width < 10 or self.height < 10:
            return
        width = min(self.width, self.height * 4 / 3)
        height = width * 3 / 4
        x, y = self.center_x - width / 2, self.center_y - height / 2
        unit = width / 100
        with self.canvas:
            Color(*theme.surface)
            RoundedRectangle(pos=(x, y), size=(width, height), radius=[unit * 4])
            Color(*theme.outline)
            Line(rounded_rectangle=(x, y, width, height, unit * 4), width=dp(2))
            inner = (x + unit * 7, y + unit * 7, width - unit * 14, height - unit * 14)
            Color(*theme.background)
            Rectangle(pos=inner[:2], size=inner[2:])
            Color(*theme.outline)
            Line(rectangle=inner, width=dp(1.5))
            if self.kind == "flatbed":
                self._draw_glass(inner, unit)
            else:
                self._draw_feeder(inner, unit)
            if self.sweep >= 0:
                Color(*theme.primary[:3], 0.55)
                Rectangle(pos=(inner[0], inner[1] + inner[3] * (1 - self.sweep) - unit), size=(inner[2], unit * 2))

    @staticmethod
    def _arrow(start, end, unit) -> None:
        """A thick arrow from `start` to `end`, its head at `end`."""
        (x1, y1), (x2, y2) = start, end
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1
        dx, dy = (x2 - x1) / length, (y2 - y1) / length
        head = unit * 7
        Line(points=[x1, y1, x2 - dx * head * 0.6, y2 - dy * head * 0.6], width=unit * 1.6)
        left = (x2 - dx * head - dy * head * 0.6, y2 - dy * head + dx * head * 0.6)
        right = (x2 - dx * head + dy * head * 0.6, y2 - dy * head - dx * head * 0.6)
        Triangle(points=[x2, y2, *left, *right])

    def _draw_glass(self, glass, unit) -> None:
        gx, gy, gw, gh = glass
        page_h = gh * 0.82
        page_w = page_h * 0.707
        px, py = gx + unit * 1.5, gy + gh - page_h - unit * 1.5
        fold = page_w * 0.3
        # The page's back, blank: its text faces the glass. The corner folded up shows the printed side.
        Color(*theme.surface)
        Rectangle(pos=(px, py + fold), size=(page_w, page_h - fold))
        Rectangle(pos=(px, py), size=(page_w - fold, fold))
        Triangle(points=[px + page_w - fold, py, px + page_w, py + fold, px + page_w - fold, py + fold])
        Color(*theme.text)
        Line(points=[px + page_w - fold, py, px, py, px, py + page_h, px + page_w, py + page_h, px + page_w,
                     py + fold, px + page_w - fold, py], width=dp(1.5))
        Color(*theme.muted)
        Triangle(points=[px + page_w - fold, py, px + page_w, py + fold, px + page_w - fold * 0.95,
                         py + fold * 0.95])
        Color(*theme.surface)
        for row in range(3):
            offset = fold * (0.25 + row * 0.2)
            Line(points=[px + page_w - fold * 0.9, py + offset, px + page_w - fold * 0.9 + offset * 0.7,
                         py + offset], width=dp(1.2))
        # The corner the page belongs in, and an arrow pushing it there.
        Color(*theme.primary)
        Line(points=[gx - unit * 3, gy + gh - unit * 14, gx - unit * 3, gy + gh + unit * 3, gx + unit * 14,
                     gy + gh + unit * 3], width=unit * 1.2)
        if self.sweep < 0:  # while scanning, the light is the picture's news, not where the page goes
            self._arrow((px + page_w + unit * 16, py - unit * 0.5 + page_h * 0.15),
                        (px + page_w * 0.35, py + page_h * 0.7), unit)

    def _draw_feeder(self, lid, unit) -> None:
        lx, ly, lw, lh = lid
        # The slot the pages go into, at the far side of the tray.
        tray_w = lw * 0.5
        tx = lx + (lw - tray_w) / 2
        Color(*theme.text)
        Rectangle(pos=(tx - unit * 3, ly + lh - unit * 5), size=(tray_w + unit * 6, unit * 3))
        page_w = tray_w * 0.8
        page_h = min(lh * 0.55, page_w / 0.707 * 0.6)
        for sheet in range(3):
            sx = tx + (tray_w - page_w) / 2 + (2 - sheet) * unit * 1.5
            sy = ly + unit * 3 + (2 - sheet) * unit * 1.5
            Color(*theme.surface)
            Rectangle(pos=(sx, sy), size=(page_w, page_h))
            Color(*theme.text)
            Line(rectangle=(sx, sy, page_w, page_h), width=dp(1.2))
        # The top page's text faces up: its lines show.
        Color(*theme.muted)
        for row in range(4):
            line_y = sy + page_h - unit * 4 - row * unit * 3.5
            if line_y > sy + unit * 2:
                Line(points=[sx + unit * 3, line_y, sx + page_w - unit * (3 + 6 * (row % 2)), line_y],
                     width=dp(1.5))
        Color(*theme.primary)
        self._arrow((tx + tray_w / 2, sy + page_h + unit * 1.5), (tx + tray_w / 2, ly + lh - unit * 6), unit)
