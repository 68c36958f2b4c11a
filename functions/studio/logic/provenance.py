"""Content Credentials (C2PA): what a stored image's manifest says, and what a read manifest means.

Pure functions: `definition` turns a generation record into the manifest definition the worker
signs (studio.credentials.sign_png); `summary` turns a read manifest store into what the API shows.

What is signed (docs/credentials.md):
- a generation: `c2pa.created`, digital source type trainedAlgorithmicMedia, the model (name and
  id) as the software agent; its reference and style images as ingredients (`inputTo`: they went
  into the model; style transfer's content image is `componentOf` the result);
- an edit: `c2pa.opened` on its parent image (ingredient `parentOf`, carrying the parent's own
  manifest, so the chain reads back to the first generation), then `c2pa.resized` for an upscale or
  `c2pa.edited` otherwise, with compositeWithTrainedAlgorithmicMedia where a model painted pixels;
- the claim generator (this product and its version) and the generation id, always; the prompt
  only when the deployment allows it (credentialsIncludePrompt).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.catalog import EDIT_MODE, edit_operation, image_model

PRODUCT = "Image Prompt Studio"
PRODUCT_VERSION = "1.0.0"
# Our own assertion (C2PA: custom labels are reverse-domain names).
ASSERTION_LABEL = "com.imagepromptstudio.generation"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED_ALGORITHMIC_MEDIA = IPTC + "trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = IPTC + "compositeWithTrainedAlgorithmicMedia"
# Edits whose model paints no new pixels: removing the background only cuts, a fast upscale only
# sharpens. Every other edit (inpaint, erase, search-replace, search-recolor, outpaint and the
# generative upscales) paints part of the image.
UNPAINTED_EDITS = ("remove-background", "upscale-fast")
PARENT_LABEL = "parent"
REFERENCE_LABEL = "reference"
STYLE_LABEL = "style"
# The prompt fields a manifest may carry (only with credentialsIncludePrompt).
PROMPT_FIELDS = ("prompt", "negativePrompt", "searchPrompt", "selectPrompt")


@dataclass(frozen=True)
class IngredientRole:
    """Which input image an ingredient is, and how it was used."""

    label: str
    relationship: str


def _agent(model_id: str, name: str) -> dict:
    return {"name": name, "version": model_id}


def generation_roles(record: dict) -> list[IngredientRole]:
    """The ingredients a generation's images carry, in the order the worker passes their bytes:
    the reference image, then the style image (each only when the request had one)."""
    request = record.get("request", {})
    roles = []
    if request.get("referenceImageKey"):
        relationship = "componentOf" if record.get("mode") == "style-transfer" else "inputTo"
        roles.append(IngredientRole(REFERENCE_LABEL, relationship))
    if request.get("styleImageKey"):
        roles.append(IngredientRole(STYLE_LABEL, "inputTo"))
    return roles


def edit_role() -> IngredientRole:
    return IngredientRole(PARENT_LABEL, "parentOf")


def actions(record: dict) -> list[dict]:
    """The c2pa.actions of a record's images."""
    if record.get("mode") == EDIT_MODE:
        operation = edit_operation(record.get("operation", ""))
        name = operation.name if operation else record.get("operation", "edit")
        model_id = operation.model_id if operation else record.get("modelId", "")
        action = {"action": "c2pa.resized" if name.startswith("upscale") else "c2pa.edited",
                  "softwareAgent": _agent(model_id, f"Stability AI {operation.title}" if operation else name),
                  "description": f"{PRODUCT} edit: {name}"}
        if name not in UNPAINTED_EDITS:
            action["digitalSourceType"] = COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
        return [{"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT_LABEL]}}, action]
    model = image_model(record.get("modelId", ""))
    created = {"action": "c2pa.created", "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
               "softwareAgent": _agent(record.get("modelId", ""), model.name if model else record.get("modelId", ""))}
    inputs = [role.label for role in generation_roles(record)]
    if inputs:
        created["parameters"] = {"ingredientIds": inputs}
    return [created]


def definition(record: dict, image_index: int, seed: int | None, *, include_prompt: bool) -> dict:
    """The manifest definition of image `image_index` of `record` (a generation or an edit)."""
    ours = {"generationId": record["id"], "imageIndex": image_index, "mode": record.get("mode"),
            "modelId": record.get("modelId")}
    if record.get("operation"):
        ours["operation"] = record["operation"]
    if seed is not None:
        ours["seed"] = seed
    lineage = record.get("lineage", {})
    if lineage.get("parentId"):
        ours["parentGenerationId"] = lineage["parentId"]
    if include_prompt:
        request = record.get("request", {})
        ours.update({field: request[field] for field in PROMPT_FIELDS if request.get(field)})
    return {
        "claim_generator_info": [{"name": PRODUCT, "version": PRODUCT_VERSION}],
        "title": f"{record['id']}-{image_index}.png",
        "format": "image/png",
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": actions(record)}},
            {"label": ASSERTION_LABEL, "data": ours},
        ],
    }


# --- reading ----------------------------------------------------------------------------------------

def _short_source_type(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None


def _actions_of(manifest: dict) -> list[dict]:
    found = []
    for assertion in manifest.get("assertions", []):
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions", []):
                agent = action.get("softwareAgent")
                entry = {"action": action.get("action", ""),
                         "digitalSourceType": _short_source_type(action.get("digitalSourceType"))}
                if isinstance(agent, dict):
                    entry["softwareAgent"] = " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k))
                elif isinstance(agent, str):
                    entry["softwareAgent"] = agent
                found.append(entry)
    return found


def ours(manifest: dict) -> dict | None:
    """Our assertion (generation id, index, model), when the manifest has one."""
    return next((a.get("data") for a in manifest.get("assertions", []) if a.get("label") == ASSERTION_LABEL), None)


def summary(manifests: dict, active_label: str, validation_state: str) -> dict:
    """What the active manifest says, in the API's shape (ContentCredentials)."""
    manifest = manifests.get(active_label, {})
    signature = manifest.get("signature_info") or {}
    generator = (manifest.get("claim_generator_info") or [{}])[0]
    ingredients = manifest.get("ingredients", [])
    return {
        "signed": True,
        "issuer": signature.get("issuer") or signature.get("common_name"),
        "signedAt": signature.get("time"),
        "claimGenerator": " ".join(str(generator[k]) for k in ("name", "version") if generator.get(k)) or None,
        "actions": _actions_of(manifest),
        "ingredientCount": len(ingredients),
        "ingredients": [{"title": i.get("title"), "relationship": i.get("relationship"),
                         "hasManifest": bool(i.get("active_manifest") or i.get("manifest_data"))}
                        for i in ingredients],
        "validationState": validation_state,
    }
