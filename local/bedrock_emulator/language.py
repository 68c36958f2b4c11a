"""Offline language detection: Unicode scripts first, then stop-word scores for Latin-script text."""

from __future__ import annotations

import re
import unicodedata

SCRIPTS = (  # (language, ranges)
    ("ko", [(0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F)]),
    ("ja", [(0x3040, 0x309F), (0x30A0, 0x30FF)]),
    ("zh", [(0x4E00, 0x9FFF), (0x3400, 0x4DBF)]),
    ("ru", [(0x0400, 0x04FF)]),
    ("ar", [(0x0600, 0x06FF), (0x0750, 0x077F)]),
    ("th", [(0x0E00, 0x0E7F)]),
    ("el", [(0x0370, 0x03FF)]),
    ("he", [(0x0590, 0x05FF)]),
    ("hi", [(0x0900, 0x097F)]),
)

STOP_WORDS = {
    "en": "the a an and of in on with to for is are at by from this that it as be or under over into my your "
          "very its his her their our".split(),
    "es": "el la los las de del y en con un una por para es que se al su sus lo como muy bajo sobre".split(),
    "fr": "le la les de des du et en un une avec pour est que dans sur au aux ce cette son sa ses très sous".split(),
    "de": "der die das und ein eine mit von im in ist zu den dem des auf für nicht sich unter über sehr".split(),
    "it": "il lo la gli le di e un una con per che del della nel sul è sono sotto molto dei delle".split(),
    "pt": "o a os as de do da e em um uma com para que no na dos das é sob muito seu sua".split(),
    "nl": "de het een en van in met op voor is dat die zijn niet onder over zeer bij".split(),
}
ACCENTS = {"es": "ñ¿¡áéíóú", "fr": "çèêëàâîïôûœ", "de": "äöüß", "it": "àèéìòù", "pt": "ãõçáâêó", "nl": "ĳë"}

NAMES = {"en": "English", "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "ru": "Russian", "ar": "Arabic",
         "th": "Thai", "el": "Greek", "he": "Hebrew", "hi": "Hindi", "es": "Spanish", "fr": "French",
         "de": "German", "it": "Italian", "pt": "Portuguese", "nl": "Dutch"}


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        cp = ord(ch)
        for lang, ranges in SCRIPTS:
            if any(lo <= cp <= hi for lo, hi in ranges):
                counts[lang] = counts.get(lang, 0) + 1
                break
    return counts


def detect(text: str) -> str:
    """A BCP-47 language tag for `text` (default "en")."""
    counts = _script_counts(text)
    if counts:
        # Japanese mixes kana with Han: any kana means Japanese
        if counts.get("ja"):
            return "ja"
        return max(counts, key=counts.get)
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    if not tokens:
        return "en"
    scores = {lang: sum(1 for t in tokens if t in set(words)) for lang, words in STOP_WORDS.items()}
    lowered = text.lower()
    for lang, marks in ACCENTS.items():
        scores[lang] += 0.5 * sum(lowered.count(m) for m in marks)
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    return best if scores[best] > 0 else "en"


def name(tag: str) -> str:
    return NAMES.get(tag.split("-")[0], tag)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
