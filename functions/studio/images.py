"""Image bytes: check what a file really is, fit it to a model, make thumbnails. Pillow only."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from studio.errors import InvalidField

# Formats we accept from people, by what Pillow reads in the bytes (never the extension).
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
# Decompression-bomb guard well above any model's input (Nova's 4096 x 4096).
MAX_SOURCE_PIXELS = 50_000_000
THUMBNAIL_SIDE = 384
THUMBNAIL_QUALITY = 78
# libwebp's speed/size trade-off (0 fastest .. 6 smallest): at 384 px, 0 takes about a third of 4's
# time for a few percent more bytes (measured with make bench's image).
THUMBNAIL_METHOD = 0
# Box-reduce by a whole factor first, then resample over at most twice the final size (Pillow's
# reducing_gap): a quarter of the plain resize time. HAMMING there takes ~60% of LANCZOS's time
# (a 1024 px render: 5.7 ms vs 9.4) with no difference visible at 384 px, even on small text.
THUMBNAIL_REDUCING_GAP = 1.0
THUMBNAIL_FILTER = Image.Resampling.HAMMING


@dataclass(frozen=True)
class Picture:
    data: bytes
    format: str  # "png", "jpeg" or "webp": the label that matches the bytes
    width: int
    height: int


def _open(data: bytes, field: str, fit_side: int | None = None) -> Image.Image:
    """The image, checked and decoded. With `fit_side` (the longest side it will be fitted to), a
    JPEG much larger than that is decoded reduced (1/2, 1/4 or 1/8, still at least `fit_side`):
    a 49 MP photo for a 1,408 px reference decodes several times faster in a fraction of the memory."""
    unreadable = InvalidField(field, "must be a PNG, JPEG or WebP image",
                              f"{field}: the file is not a readable PNG, JPEG or WebP image")
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()  # structural check; verify() leaves the image unusable, so reopen
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise InvalidField(field, f"at most {MAX_SOURCE_PIXELS} pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise unreadable from error
    if image.format not in ACCEPTED_FORMATS:
        raise InvalidField(field, "must be a PNG, JPEG or WebP image",
                           f"{field}: the file is a {image.format} image; use PNG, JPEG or WebP")
    if image.width * image.height > MAX_SOURCE_PIXELS:
        raise InvalidField(field, f"at most {MAX_SOURCE_PIXELS} pixels")
    if fit_side and image.format == "JPEG" and max(image.size) >= 2 * fit_side:
        scale = fit_side / max(image.size)
        image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        image.load()  # verify() does not decode JPEG data: a truncated file fails here, not mid-resize
    except (OSError, SyntaxError, ValueError) as error:
        raise unreadable from error
    return image


def inspect(data: bytes, field: str = "imageKey") -> Picture:
    image = _open(data, field)
    return Picture(data, ACCEPTED_FORMATS[image.format], image.width, image.height)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (I;16, or I from a 16-bit file) as 8-bit L, scaled: converting it directly
    clips every value above 255, which turns the whole picture white."""
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image


def _fit(image: Image.Image, max_side: int, min_side: int = 1, field: str = "imageKey") -> Image.Image:
    image = _eight_bit(ImageOps.exif_transpose(image))
    if image.mode not in ("RGB",):
        # Flatten transparency onto white: image models expect opaque RGB.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if min(image.size) < min_side:
        # Too small for the model (Nova Canvas reads at least 320 px a side): enlarge, keeping the shape.
        scale = min_side / min(image.size)
        size = (max(min_side, round(image.width * scale)), max(min_side, round(image.height * scale)))
        if max(size) > max_side:
            raise InvalidField(field, f"an aspect ratio that fits {min_side}-{max_side} pixels a side",
                               f"{field}: the image is {image.width}x{image.height}; it is too narrow for this model. "
                               "Crop it closer to a square.")
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def for_image_model(data: bytes, max_side: int, min_side: int = 1, field: str = "referenceImageKey") -> bytes:
    """A reference image as the image models want it: opaque RGB PNG, each side in [min_side, max_side]."""
    image = _fit(_open(data, field, max_side), max_side, min_side, field)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def for_text_model(data: bytes, max_side: int, max_bytes: int, field: str = "imageKey") -> Picture:
    """A reference image as the multimodal LLM wants it: within its size limits, labelled truly."""
    image = _fit(_open(data, field, max_side), max_side)
    for quality in (90, 80, 70, 60):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes:
            return Picture(out.getvalue(), "jpeg", image.width, image.height)
    raise InvalidField(field, f"too detailed to send under {max_bytes} bytes")


def png_dimensions(data: bytes) -> tuple[int, int]:
    """The size of a PNG; ValueError when it is not a PNG."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.format != "PNG":
            raise ValueError(f"expected PNG, got {image.format}")
        return image.size
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError("not an image") from error


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


class GalleryImage:
    """One image a model returned, as the gallery stores it: the PNG (the model's own bytes when it
    answered PNG; Stability may answer JPEG), its size, and a WebP thumbnail at most `side` a side.

    Opening reads only the header, so the worker can upload the PNG while `thumbnail` decodes the
    pixels (once, whatever the format). Transparency (remove background) is kept in both.
    ValueError when the bytes are not a readable image, at opening or at decoding."""

    def __init__(self, data: bytes, side: int = THUMBNAIL_SIDE):
        try:
            self._image = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise ValueError("not an image") from error
        self._side, self._thumbnail = side, b""
        self._mode = "RGBA" if _has_alpha(self._image) else "RGB"
        self.width, self.height = self._image.size
        self.png = data if self._image.format == "PNG" else self._encoded_png()

    def _decoded(self) -> Image.Image:
        try:
            self._image.load()
        except (OSError, SyntaxError, ValueError) as error:  # truncated or corrupt pixel data
            raise ValueError("the image data cannot be decoded") from error
        return self._image

    def _encoded_png(self) -> bytes:
        out = io.BytesIO()
        self._decoded().convert(self._mode).save(out, format="PNG")
        return out.getvalue()

    def thumbnail(self) -> bytes:
        if not self._thumbnail:
            self._thumbnail = _webp_thumbnail(self._decoded(), self._side)
        return self._thumbnail


def _webp_thumbnail(image: Image.Image, side: int = THUMBNAIL_SIDE) -> bytes:
    """A decoded image as a WebP at most `side` a side, its transparency kept. Shrinks `image` in
    place when it is already RGB or RGBA (no copy): the caller is done with it."""
    mode = "RGBA" if _has_alpha(image) else "RGB"
    small = image if image.mode == mode else image.convert(mode)
    small.thumbnail((side, side), THUMBNAIL_FILTER, reducing_gap=THUMBNAIL_REDUCING_GAP)
    out = io.BytesIO()
    small.save(out, format="WEBP", quality=THUMBNAIL_QUALITY, method=THUMBNAIL_METHOD)
    return out.getvalue()


def upload_thumbnail(data: bytes, field: str) -> bytes:
    """An uploaded file checked as `inspect` checks it (clear 422s) and made a WebP thumbnail, from
    the same single decode."""
    return _webp_thumbnail(_open(data, field))


# A mask with the source's aspect ratio (within this fraction) is scaled to the source's size.
MASK_ASPECT_TOLERANCE = 0.01


def check_mask(data: bytes, width: int, height: int, field: str = "maskKey") -> Image.Image:
    """The mask, opened, if it fits an image of width x height: its size, or exactly its aspect ratio
    (a browser may paint at screen resolution); any other size is refused, since stretching would
    move the painted area."""
    image = _open(data, field)
    if image.size != (width, height):
        aspect, wanted = image.width / image.height, width / height
        if abs(aspect - wanted) / wanted > MASK_ASPECT_TOLERANCE:
            raise InvalidField(field, f"a mask of {width}x{height} pixels (the image's size) or of the same aspect ratio",
                               f"{field}: the mask is {image.width}x{image.height} but the image is {width}x{height}; "
                               "paint the mask at the image's size or at the same aspect ratio")
    return image


def mask_for(data: bytes, width: int, height: int, field: str = "maskKey") -> bytes:
    """The mask as the edit services want it: greyscale PNG of exactly width x height (white = change),
    scaled from a mask of the same aspect ratio (check_mask's rule)."""
    image = check_mask(data, width, height, field)
    grey = image.convert("L")
    if _has_alpha(image):
        alpha = image.convert("RGBA").getchannel("A")
        if alpha.getextrema()[0] < 255:
            # A painted layer (strokes on a transparent canvas): the strokes mark the area.
            grey = alpha
    if grey.size != (width, height):
        grey = grey.resize((width, height), Image.Resampling.NEAREST)
    out = io.BytesIO()
    grey.save(out, format="PNG")
    return out.getvalue()
