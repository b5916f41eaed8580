"""The QR code on the thank-you screen must read back as the exact link."""

from __future__ import annotations

import cv2
import numpy as np
import pygame

from booth.handoff import Handoff
from booth.handoff.qr import qr_png, qr_rgb_fit

from .conftest import make_config

URL = "https://booth-7.local:8443/d/q9Jx1v-Zk3_0aVbGmT2cR8yWnL5pHdEs4uF6oYiKtBw/"


def decode(img_bgr_or_gray: np.ndarray) -> str:
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(img_bgr_or_gray)
    return text


def test_qr_image_is_rgb_uint8_and_decodes_to_the_link(tmp_path):
    img = Handoff(make_config(tmp_path)).qr_image(URL)
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    assert img.shape[0] == img.shape[1]
    assert set(np.unique(img)) == {0, 255}
    assert (img[:32] == 255).all()  # the 4-module quiet zone at 8 px per module
    assert decode(cv2.cvtColor(img, cv2.COLOR_RGB2BGR)) == URL


def test_qr_blits_as_a_pygame_surface_and_survives_the_screen_scaling(tmp_path):
    img = qr_rgb_fit(URL, 300)
    assert img.shape[0] <= 300
    pygame.init()
    try:
        surf = pygame.surfarray.make_surface(img.swapaxes(0, 1))
        assert surf.get_size() == (img.shape[1], img.shape[0])
        shown = pygame.transform.smoothscale(surf, (250, 250))
        back = pygame.surfarray.array3d(shown).swapaxes(0, 1)
    finally:
        pygame.quit()
    assert decode(cv2.cvtColor(np.ascontiguousarray(back), cv2.COLOR_RGB2BGR)) == URL


def test_qr_png_decodes(tmp_path):
    png = qr_png(URL, module_px=6)
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert decode(img) == URL
