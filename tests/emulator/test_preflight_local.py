"""make preflight-local: preflight against the emulator's control plane, with the shipped configuration."""

from __future__ import annotations

import os

from local import preflight


def test_given_the_defaults_then_every_model_passes_offline(capsys):
    before = dict(os.environ)
    assert preflight.main([]) == 0
    assert dict(os.environ) == before  # the stand-in's endpoint and credentials do not leak
    out = capsys.readouterr().out
    assert "us.stability.stable-image-inpaint-v1:0: inference profile routes to" in out
    assert "0 error(s), 0 warning(s)." in out


def test_given_nova_canvas_enabled_then_it_fails_past_its_end_of_life(capsys):
    code = preflight.main(["-c", "allowedImageModels=stability.stable-image-core-v1:1,amazon.nova-canvas-v1:0"])
    out = capsys.readouterr().out
    assert code == 1 and "[FAIL] amazon.nova-canvas-v1:0: past its end of life (2026-09-30)" in out
