"""The PNG writer: lay a matplotlib figure out once and rasterise it to PNG bytes.

The figure functions (:mod:`mss_eval.report.figures`) draw; the writers (HTML, Typst, Word)
need bytes. :func:`figure_png` makes them: it measures the labels once and places the axes so
that nothing is cut off (a tight bounding box would draw the figure twice), draws once, and
writes an opaque RGB PNG without metadata, so the same data give the same bytes.

Only public matplotlib API is used: the titles of an axes are found among its children
(``Axes.get_children``) by the text ``Axes.get_title(loc)`` returns, the figure's title among
``Figure.texts`` by ``Figure.get_suptitle()``.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import numpy as np

#: zlib level of the figure PNGs: 1 writes them several times faster than the default 6 and
#: makes flat-coloured charts only slightly larger.
PNG_COMPRESS_LEVEL = 1
#: White margin around everything a figure shows, in inches.
PAD_IN = 0.1


def figure_png(fig: Any) -> bytes:
    """The figure laid out (:func:`lay_out`) and drawn once, as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    if not isinstance(fig.canvas, FigureCanvasAgg):
        # a figure made with pyplot in a notebook has the inline backend's canvas
        FigureCanvasAgg(fig)
    lay_out(fig)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), mode="RGB").save(
        buffer, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _titles(ax: Any) -> list[Any]:
    """The title texts of an axes (centre, left, right) that are set: its children that are
    texts but not among ``ax.texts`` (annotations), holding a title's text."""
    from matplotlib.text import Text

    wanted = {ax.get_title(loc) for loc in ("center", "left", "right")} - {""}
    annotations = {id(t) for t in ax.texts}
    return [child for child in ax.get_children()
            if isinstance(child, Text) and id(child) not in annotations
            and child.get_text() in wanted]


def _suptitle(fig: Any) -> Any:
    """The figure's title text, or None."""
    text = fig.get_suptitle()
    if not text:
        return None
    return next((t for t in fig.texts if t.get_text() == text), None)


def lay_out(fig: Any) -> None:
    """Make room for titles, tick labels and a legend below the axes, measured once.

    A figure-level legend (see ``mss_eval.report.figures._legend_below``) gets the space its
    rows need, and a title too wide for the figure is broken over lines. A single axes is then
    placed so that its decorations (title, tick labels, axis label, value labels) end just
    inside the figure, under the figure's title if it has one; a figure with several axes goes
    through matplotlib's ``tight_layout``.
    """
    renderer = fig.canvas.get_renderer()
    fig_w, fig_h = fig.bbox.width, fig.bbox.height
    pad = PAD_IN * fig.dpi
    bottom = 0.0
    for legend in fig.legends:
        bottom = max(bottom, legend.get_window_extent(renderer).y1 + pad / 2)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if len(axes) != 1:
        fig.tight_layout(pad=0.6, rect=(0, bottom / fig_h, 1, 1))
        return
    ax = axes[0]
    box = ax.get_window_extent(renderer)
    tight = ax.get_tightbbox(renderer)
    left = max(box.x0 - tight.x0, 0.0) + pad
    # set_title(loc="left"), the theme's default, fills the axes' left title, not ax.title
    if any([_wrap_title(t, fig_w - left - pad, renderer) for t in _titles(ax)]):
        tight = ax.get_tightbbox(renderer)
    right = max(tight.x1 - box.x1, 0.0) + pad
    below = max(box.y0 - tight.y0, 0.0) + pad + bottom
    above = max(tight.y1 - box.y1, 0.0) + pad
    heading = _suptitle(fig)
    if heading is not None:
        # the axes' own title goes under the figure's title
        above += fig_h - heading.get_window_extent(renderer).y0
    x0, x1 = left / fig_w, 1 - right / fig_w
    y0, y1 = below / fig_h, 1 - above / fig_h
    if x1 - x0 < 0.2 or y1 - y0 < 0.1:
        raise ValueError("The figure's labels leave no room for the chart; shorten the labels.")
    ax.set_position((x0, y0, x1 - x0, y1 - y0))


def _wrap_title(title: Any, room: float, renderer: Any) -> bool:
    """Break a title that is wider than ``room`` pixels over lines; True when it did."""
    text = title.get_text()
    width = title.get_window_extent(renderer).width if text else 0.0
    if width <= room:
        return False
    chars = max(12, int(len(text) * room / width) - 1)
    title.set_text(textwrap.fill(text, chars))
    return True


__all__ = ["PAD_IN", "PNG_COMPRESS_LEVEL", "figure_png", "lay_out"]
