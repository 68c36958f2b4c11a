"""Small real images made with Pillow."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image


@lru_cache(maxsize=64)  # bytes are immutable: one encoding per distinct image per run
def make(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color=(200, 40, 40), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def png(size=(64, 48), color=(200, 40, 40)) -> bytes:
    return make("PNG", size, color)


def jpeg(size=(64, 48), color=(20, 120, 200)) -> bytes:
    return make("JPEG", size, color)


def webp(size=(64, 48), color=(20, 200, 120)) -> bytes:
    return make("WEBP", size, color)


def gif(size=(64, 48)) -> bytes:
    return make("GIF", size, 3, mode="P")


def transparent_png(size=(40, 40)) -> bytes:
    return make("PNG", size, (255, 0, 0, 0), mode="RGBA")


def open_bytes(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


NOT_AN_IMAGE = b"this is a plain text file that someone renamed to picture.png\n"


def truncated_jpeg(size=(300, 200)) -> bytes:
    """A JPEG cut in half: its header reads fine, its pixels do not decode."""
    import os

    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) // 2]


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims width x height (a decompression bomb as far as the header goes)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
