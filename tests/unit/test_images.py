"""Image bytes: the real format, fitting to a model, thumbnails."""

import io

import pytest
from PIL import Image

from studio import images
from studio.catalog import TEXT_MODEL_MAX_IMAGE_BYTES, TEXT_MODEL_MAX_IMAGE_SIDE
from studio.errors import InvalidField
from tests.support import images as make


@pytest.mark.parametrize("data,label", [(make.png(), "png"), (make.jpeg(), "jpeg"), (make.webp(), "webp")])
def test_given_accepted_bytes_then_the_format_comes_from_the_bytes(data, label):
    picture = images.inspect(data)
    assert (picture.format, picture.width, picture.height) == (label, 64, 48)


@pytest.mark.parametrize("data,words", [(make.gif(), "GIF"), (make.NOT_AN_IMAGE, "not a readable"),
                                        (make.png()[:40], "not a readable")])
def test_given_a_gif_text_or_truncated_file_then_invalid_field_names_the_field(data, words):
    with pytest.raises(InvalidField) as caught:
        images.inspect(data, "imageKey")
    assert caught.value.details[0]["field"] == "imageKey" and words in caught.value.message


@pytest.mark.parametrize("prepare", [images.inspect, lambda d: images.for_image_model(d, 1408),
                                     lambda d: images.for_text_model(d, 1568, 3_750_000)])
def test_given_a_truncated_jpeg_then_invalid_field_not_an_os_error(prepare):
    with pytest.raises(InvalidField) as caught:
        prepare(make.truncated_jpeg())
    assert "not a readable" in caught.value.message


@pytest.mark.parametrize("size", [(15000, 12000), (8000, 7000)])
def test_given_a_png_claiming_too_many_pixels_then_invalid_field_naming_the_limit(size):
    with pytest.raises(InvalidField) as caught:
        images.inspect(make.png_header_only(*size))
    assert "pixels" in caught.value.details[0]["rule"]


def test_given_more_pixels_than_the_bomb_guard_then_rejected(monkeypatch):
    monkeypatch.setattr(images, "MAX_SOURCE_PIXELS", 100)
    with pytest.raises(InvalidField, match="pixels"):
        images.inspect(make.png((20, 20)))


def test_given_a_large_jpeg_when_fitted_for_titan_then_png_rgb_with_longest_side_1408():
    out = make.open_bytes(images.for_image_model(make.jpeg((3000, 2000)), 1408))
    assert (out.format, out.mode, out.size) == ("PNG", "RGB", (1408, 939))


def test_given_a_small_image_when_fitted_then_not_upscaled():
    out = make.open_bytes(images.for_image_model(make.webp((64, 48)), 1408))
    assert out.size == (64, 48) and out.format == "PNG"


def test_given_an_image_below_the_models_minimum_then_it_is_enlarged_keeping_its_shape():
    out = make.open_bytes(images.for_image_model(make.webp((64, 48)), 2048, min_side=320))
    assert out.size == (427, 320) and out.format == "PNG"


def test_given_an_image_too_narrow_to_fit_both_limits_then_invalid_field_says_to_crop():
    with pytest.raises(InvalidField) as caught:
        images.for_image_model(make.png((400, 20)), 2048, min_side=320)
    assert caught.value.details[0]["field"] == "referenceImageKey" and "Crop" in caught.value.message


def test_given_a_large_image_when_prepared_for_the_text_model_then_1568_jpeg_labelled_jpeg():
    picture = images.for_text_model(make.png((3000, 2000)), TEXT_MODEL_MAX_IMAGE_SIDE, TEXT_MODEL_MAX_IMAGE_BYTES)
    out = make.open_bytes(picture.data)
    assert picture.format == "jpeg" and out.format == "JPEG"
    assert out.size == (1568, 1045) == (picture.width, picture.height)
    assert len(picture.data) <= TEXT_MODEL_MAX_IMAGE_BYTES


def test_given_an_image_that_cannot_fit_the_byte_limit_then_invalid_field():
    with pytest.raises(InvalidField) as caught:
        images.for_text_model(make.png((200, 200)), 1568, 10)
    assert caught.value.details[0]["field"] == "imageKey"


def test_given_a_transparent_png_then_it_is_flattened_onto_white():
    out = make.open_bytes(images.for_image_model(make.transparent_png(), 1408))
    assert out.mode == "RGB" and out.getpixel((5, 5)) == (255, 255, 255)


def test_given_a_palette_image_then_it_becomes_rgb():
    data = io.BytesIO()
    Image.new("P", (10, 10), 1).save(data, format="PNG")
    assert make.open_bytes(images.for_image_model(data.getvalue(), 1408)).mode == "RGB"


def test_given_a_png_then_it_is_kept_as_is_with_a_webp_thumbnail_within_384_and_its_size():
    png = make.png((1024, 768))
    stored = images.GalleryImage(png)
    assert stored.png is png and (stored.width, stored.height) == (1024, 768)
    thumb = make.open_bytes(stored.thumbnail())
    assert thumb.format == "WEBP" and thumb.size == (384, 288)


def test_given_a_jpeg_answer_then_it_is_stored_as_png():
    stored = images.GalleryImage(make.jpeg((30, 20)))
    assert make.open_bytes(stored.png).format == "PNG" and (stored.width, stored.height) == (30, 20)
    assert make.open_bytes(stored.thumbnail()).size == (30, 20)  # never enlarged


@pytest.mark.parametrize("data", [b"garbage", make.png()[:100]])
def test_given_something_that_is_not_an_image_then_value_error(data):
    with pytest.raises(ValueError):  # garbage when opened; a truncated PNG when its pixels are decoded
        images.GalleryImage(data).thumbnail()


def test_given_a_png_then_opening_reads_only_its_header_and_the_thumbnail_is_made_once():
    whole = make.png((640, 480))
    truncated = images.GalleryImage(whole[:200])  # no pixel data at all, yet it opens: nothing decoded
    assert (truncated.width, truncated.height) == (640, 480)
    with pytest.raises(ValueError):
        truncated.thumbnail()
    stored = images.GalleryImage(whole)
    assert stored.thumbnail() is stored.thumbnail()


# --- 16-bit greyscale and large JPEGs --------------------------------------------------------
def grey16_png(size=(80, 60), value=32768) -> bytes:
    image = Image.new("I;16", size)
    image.putdata([value] * (size[0] * size[1]))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("prepare", [lambda d: images.for_image_model(d, 1408),
                                     lambda d: images.for_text_model(d, 1568, 3_750_000).data])
def test_given_a_16_bit_greyscale_png_then_it_stays_grey_not_white(prepare):
    source = grey16_png(value=32768)  # mid-grey at 16 bits
    assert make.open_bytes(source).mode.startswith("I")
    out = make.open_bytes(prepare(source)).convert("RGB")
    low, high = out.getextrema()[0]
    assert 120 <= low <= high <= 136  # about 128, where converting without scaling gives 255 (white)


def test_given_a_16_bit_gradient_then_its_tones_are_kept():
    image = Image.new("I;16", (256, 4))
    image.putdata([x * 256 for _ in range(4) for x in range(256)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    fitted = make.open_bytes(images.for_image_model(out.getvalue(), 1408)).convert("L")
    row = [fitted.getpixel((x, 0)) for x in range(0, 256, 32)]
    assert row == sorted(row) and row[0] <= 2 and row[-1] >= 220 and len(set(row)) == len(row)


def test_given_a_jpeg_much_larger_than_the_target_then_it_is_decoded_reduced_to_the_same_size(monkeypatch):
    from PIL import JpegImagePlugin

    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        drafts.append(size)
        answer = real_draft(self, mode, size)
        drafts.append(self.size)
        return answer

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    fitted = make.open_bytes(images.for_image_model(make.jpeg((4000, 3000)), 1000))
    assert fitted.size == (1000, 750)
    assert drafts == [(1000, 750), (1000, 750)]  # decoded at 1/4: 12 MP never held in memory


def test_given_a_jpeg_close_to_the_target_then_it_is_decoded_in_full(monkeypatch):
    from PIL import JpegImagePlugin

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft",
                        lambda *_: pytest.fail("no reduced decode below twice the target"))
    assert make.open_bytes(images.for_image_model(make.jpeg((1500, 1000)), 1000)).size == (1000, 667)


# --- masks and transparency (edits) ------------------------------------------------------------
def _mask(size, mode="L", fill=0, painted=None, fmt="PNG"):
    image = Image.new(mode, size, fill)
    if painted:
        image.paste(painted[1], painted[0])
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def test_given_a_mask_of_the_same_aspect_then_it_is_scaled_to_the_image_as_greyscale():
    mask = images.mask_for(_mask((64, 48), painted=((0, 0, 32, 24), 255)), 128, 96)
    opened = Image.open(io.BytesIO(mask))
    assert opened.mode == "L" and opened.size == (128, 96)
    assert opened.getpixel((10, 10)) == 255 and opened.getpixel((100, 80)) == 0


def test_given_a_painted_transparent_layer_then_the_strokes_are_the_mask():
    layer = _mask((40, 30), mode="RGBA", fill=(0, 0, 0, 0), painted=((5, 5, 15, 15), (255, 0, 0, 255)))
    opened = Image.open(io.BytesIO(images.mask_for(layer, 40, 30)))
    assert opened.getpixel((6, 6)) == 255 and opened.getpixel((30, 20)) == 0


def test_given_a_mask_of_another_shape_then_422_names_both_sizes():
    with pytest.raises(InvalidField) as caught:
        images.mask_for(_mask((50, 50)), 128, 96)
    assert "50x50" in caught.value.message and "128x96" in caught.value.message


def test_given_a_transparent_png_then_the_thumbnail_keeps_its_alpha():
    thumb = Image.open(io.BytesIO(images.GalleryImage(_mask((600, 400), mode="RGBA", fill=(0, 0, 0, 0),
                                                            painted=((100, 100, 300, 300), (9, 9, 9, 255)))).thumbnail()))
    assert thumb.format == "WEBP" and thumb.mode == "RGBA" and thumb.getchannel("A").getextrema() == (0, 255)


def test_an_upload_thumbnail_is_a_webp_within_384_and_a_bad_upload_names_its_field():
    thumb = make.open_bytes(images.upload_thumbnail(make.jpeg((1200, 800)), "like"))
    assert thumb.format == "WEBP" and thumb.size == (384, 256)
    with pytest.raises(InvalidField) as refused:
        images.upload_thumbnail(make.jpeg((1200, 800))[:400], "like")
    assert refused.value.details[0]["field"] == "like" and "not a readable" in refused.value.message
