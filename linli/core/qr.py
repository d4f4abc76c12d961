"""QR codes, drawn on the server as inline SVG (no image files, no network): love cards, the rating
link on a solved request, and the two-factor enrolment. segno draws; this is the one place that
calls it."""

from __future__ import annotations

import io
import re

import segno


def qr_svg(text: str, *, scalable: bool = False) -> str:
    """An `<svg class="qr">` element encoding `text` (error correction M). `scalable` adds a viewBox,
    so that CSS can size it; without it the code keeps segno's pixel size (3 px per module)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, svgclass="qr"
    )
    svg = buffer.getvalue().decode()
    if scalable:
        size = re.search(r'<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"', svg)
        if size is not None:
            svg = svg.replace("<svg ", f'<svg viewBox="0 0 {size.group(1)} {size.group(2)}" ', 1)
    return svg


def qr_data_uri(text: str) -> str:
    """A `data:image/svg+xml` URI of the QR code, for an `<img>` (5 px per module)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))
