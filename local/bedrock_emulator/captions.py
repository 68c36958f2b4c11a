"""The offline answer to the index function's `caption_image` tool: what Pillow can see in the image.

The caption and tags come from the image itself (light, palette, mood: analysis.analyze), plus the
subject words of the prompt the application sends as context. Tags in the user's language are
given for the color words the emulator knows (Korean and the others of embeddings.py); the
emulator translates nothing else and says so.
"""

from __future__ import annotations

import re

from . import errors
from .analysis import analyze, open_image
from .embeddings import ENGLISH_COLOR, FOREIGN_COLOR_WORDS
from .language import name as language_name

STOP = {"a", "an", "the", "of", "in", "on", "at", "and", "with", "by", "for", "to", "from", "into", "over",
        "under", "oil", "painting", "photo", "style", "detailed", "highly", "light", "lights", "very"}


def caption_image(inputs: dict, images: list[bytes]) -> dict:
    if not images:
        raise errors.validation("caption_image needs an image block in the last user message.")
    try:
        facts = analyze(open_image(images[0]))
    except Exception:  # noqa: BLE001
        raise errors.validation("The image in the last user message could not be read. Provide a valid png, "
                                "jpeg, gif or webp image and try again.") from None
    colors = list(dict.fromkeys(ENGLISH_COLOR.get(n, n) for n in facts.palette_names[:3]))
    subject = [w for w in re.findall(r"[a-z]+", str(inputs.get("prompt") or "").lower())
               if w not in STOP and w not in ENGLISH_COLOR][:3]
    caption = (f"A {facts.light}, {facts.temperature} {facts.orientation} image in {', '.join(colors)}"
               + (f" showing {' '.join(subject)}" if subject else "") + ".")
    tags = list(dict.fromkeys(colors + subject + [facts.light, facts.temperature]))[:8]
    while len(tags) < 3:
        tags.append(["image", "abstract", "art"][len(tags)])
    answer = {"caption": caption, "tags": tags}
    language = str(inputs.get("language") or "")
    if language and not language.lower().startswith("en"):
        local = [_local_color(c, language) for c in colors]
        answer["localTags"] = [t for t in local if t] or tags
        answer["localCaption"] = (f"{caption} (Offline emulator: colors in {language_name(language)}, "
                                  f"the rest in English.)")
    return answer


def _local_color(color: str, language: str) -> str | None:
    words = FOREIGN_COLOR_WORDS.get(color, ())
    if language.lower().startswith("ko"):
        return next((w for w in words if "\uac00" <= w[0] <= "\ud7a3"), None)
    return None
