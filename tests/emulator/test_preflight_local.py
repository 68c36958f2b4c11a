"""make preflight-local: preflight against the emulator's control plane, with the shipped configuration."""

from __future__ import annotations

import os

from local import preflight


def test_given_the_defaults_then_every_model_passes_offline(capsys):
    before = dict(os.environ)
    assert preflight.main([]) == 0
    assert dict(os.environ) == before  # the stand-in's endpoint and credentials do not leak
    out = capsys.readouterr().out
    assert "us.stability.stable-image-inpaint-v1:0 in us-west-2: inference profile routes to" in out
    assert "0 error(s), 0 warning(s)." in out


def test_given_the_defaults_then_it_lists_every_model_the_stack_calls_in_its_region(capsys):
    from cdk.config import cdk_json_context, load_config
    from studio import catalog

    assert preflight.main([]) == 0
    listed = capsys.readouterr().out.split("\n[", 1)[0]
    calls = load_config(cdk_json_context()).model_calls()
    # Then every image model, edit service, the text model and the embedding model, each once
    assert len(calls) == len(catalog.DEFAULT_ENABLED_MODEL_IDS) + 2
    for call in calls:
        assert f"  {call.model_id} in {call.region} (" in listed
    assert "  amazon.nova-2-multimodal-embeddings-v1:0 in us-east-1 (embeddingRegion)" in listed
    assert "  us.stability.stable-image-inpaint-v1:0 in us-west-2 (" in listed


def test_given_nova_canvas_enabled_then_it_fails_past_its_end_of_life(capsys):
    code = preflight.main(["-c", "imageModelId=amazon.nova-canvas-v1:0", "-c", "allowedImageModels=amazon.nova-canvas-v1:0",
                           "-c", "bedrockRegion=us-east-1"])
    out = capsys.readouterr().out
    assert code == 1 and "[FAIL] amazon.nova-canvas-v1:0 in us-east-1: past its end of life (2026-09-30)" in out


def test_given_bedrock_region_us_east_1_then_the_synth_check_refuses_before_asking(capsys):
    assert preflight.main(["-c", "bedrockRegion=us-east-1"]) == 2
    err = capsys.readouterr().err
    assert "Stable Image Core (stability.stable-image-core-v1:1) is not offered in us-east-1: it is offered on " \
        "demand in us-west-2" in err
