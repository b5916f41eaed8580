"""load_image: upright, 3-channel BGR uint8 from whatever a sitter's photo is."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from booth.errors import BoothError
from booth.vision.images import ImageError, list_images, load_image


def test_exif_orientation_is_applied(tmp_path):
    rgb = np.zeros((20, 40, 3), np.uint8)
    rgb[:, :20] = (255, 0, 0)  # left half red
    im = Image.fromarray(rgb)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    path = tmp_path / "phone.jpg"
    im.save(path, exif=exif, quality=95)
    out = load_image(path)
    assert out.shape == (40, 20, 3)  # upright: taller than wide
    # after a clockwise turn the red (left) half is at the top; BGR: red is channel 2
    assert out[5, 10, 2] > 200 and out[35, 10, 2] < 60


def test_greyscale_becomes_three_equal_channels(tmp_path):
    path = tmp_path / "grey.png"
    Image.fromarray(np.full((8, 8), 90, np.uint8), mode="L").save(path)
    out = load_image(path)
    assert out.shape == (8, 8, 3) and out.dtype == np.uint8 and (out == 90).all()


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2] = (0, 0, 255, 255)  # opaque blue top
    path = tmp_path / "cutout.png"
    Image.fromarray(rgba, mode="RGBA").save(path)
    out = load_image(path)
    assert out[0, 0].tolist() == [255, 0, 0]  # BGR blue
    assert out[3, 3].tolist() == [255, 255, 255]  # transparent -> white


def test_sixteen_bit_is_scaled_to_eight(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.full((4, 4), 32768, np.uint16)).save(path)
    out = load_image(path)
    assert out.dtype == np.uint8 and out.shape == (4, 4, 3) and out[0, 0, 0] == 128


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n\x00\x00broken"])
def test_unreadable_files_raise_a_booth_error_naming_the_file(tmp_path, content):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageError) as err:
        load_image(path)
    assert isinstance(err.value, BoothError) and str(path) in str(err.value) and "Fix:" in str(err.value)


def test_a_truncated_jpeg_is_reported(tmp_path):
    path = tmp_path / "cut.jpg"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ImageError):
        load_image(path)


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nope.jpg")


def test_folders_expand_to_their_images(tmp_path):
    (tmp_path / "b.jpg").write_bytes(b"x")
    (tmp_path / "a.PNG").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in list_images([tmp_path])] == ["a.PNG", "b.jpg"]
