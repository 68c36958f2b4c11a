"""Constants and helpers shared by the browser tests."""

from __future__ import annotations

import io
from pathlib import Path

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def png_file(tmp_path: Path, name: str = "reference.png", size: tuple[int, int] = (640, 480)) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (40, 72, 88))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 3, size[0] * 3 // 4, size[1]), fill=(246, 174, 45))
    draw.ellipse((20, 20, 80, 80), fill=(134, 187, 216))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path
