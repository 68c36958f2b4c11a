"""Image Prompt Studio from the command line: sign in and call every operation of the API.

Start the product first (`make local`), then for example:

  python -m local.cli translate "un phare sous la tempête"
  python -m local.cli suggest "lighthouse, storm" --style "moody watercolor"
  python -m local.cli describe photo.jpg --keywords poster        (uploads the file first)
  python -m local.cli generate "a lighthouse in a storm, watercolor" --size 1024x1024 --out images/
  python -m local.cli generate "the same scene at dawn" --mode color --colors "#ff8800,#223366"
  python -m local.cli generate "a city at night" --mode structure --reference photo.jpg --control-mode CANNY_EDGE
  python -m local.cli generate "in the style of this" --mode variation --reference photo.jpg --similarity 0.7
  python -m local.cli generate "a lighthouse" --mode sketch --reference sketch.png
  python -m local.cli generate "a harbour" --mode style-transfer --reference photo.jpg --style-image painting.png
  python -m local.cli inpaint <id> --mask mask.png "a red door" --out edits/      (white = repaint)
  python -m local.cli erase <id> --mask mask.png;   python -m local.cli remove-background <id>
  python -m local.cli search-replace <id> --search "the boat" "a whale"
  python -m local.cli outpaint <id> --left 256 --right 256;  python -m local.cli upscale-fast <id>
  python -m local.cli upscale-creative uploads/...png "a lighthouse" --creativity 0.3
  python -m local.cli gallery --parent <id>                                      (the edits of a generation)
  python -m local.cli gallery --all --mode color
  python -m local.cli gallery --tag harbor --aspect square --from 2026-12-01     (filters combine)
  python -m local.cli favorite <id>; python -m local.cli delete <id>

It reads /config.json from --base-url, signs in with Cognito (USER_PASSWORD_AUTH) as --user /
--password (default: STUDIO_DEMO_USER / STUDIO_DEMO_PASSWORD, else the local demo user), and
prints readable output; --json prints the API's raw JSON instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from local.client import ApiError, StudioClient

DEFAULT_URL = os.environ.get("STUDIO_URL", "http://localhost:8080")
CREATION_MODES = ("text", "color", "structure", "sketch", "variation", "style", "style-transfer")
# One subcommand per edit operation: its help and which arguments it takes ("!" = required).
EDIT_COMMANDS = {
    "inpaint": ("Repaint the masked area from a prompt", ("prompt", "prompt!", "mask", "mask!", "negative", "grow")),
    "erase": ("Erase the masked object, filled from its surroundings", ("mask", "mask!", "grow")),
    "search-replace": ("Find something by words and replace it", ("prompt", "prompt!", "search", "negative", "grow")),
    "search-recolor": ("Find something by words and recolor it", ("prompt", "prompt!", "select", "negative", "grow")),
    "remove-background": ("Remove the background (a transparent PNG)", ()),
    "outpaint": ("Extend the canvas on any side", ("prompt", "sides", "creativity", "negative")),
    "upscale-fast": ("Upscale 4x, fast", ()),
    "upscale-conservative": ("Upscale to about 4 megapixels, keeping details", ("prompt", "prompt!", "creativity",
                                                                                 "negative")),
    "upscale-creative": ("Upscale to about 4 megapixels, inventing detail", ("prompt", "prompt!", "creativity",
                                                                              "negative")),
}
SPINNER = "|/-\\"


# --- output -------------------------------------------------------------------------------------
def out(args: argparse.Namespace, data: Any, human) -> None:
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        human(data)


def show_generation(record: dict) -> None:
    print(f"{record['id']}  {record['status']}  mode={record['mode']}  model={record['modelId']}")
    request = record.get("request") or {}
    print(f"  prompt: {request.get('prompt', '')}")
    if record.get("error"):
        print(f"  error: {record['error']['code']}: {record['error']['message']}")
    for image in record.get("images") or []:
        print(f"  image {image['width']}x{image['height']} seed={image['seed']}: {image['url']}")
    flags = [name for name in ("favorite", "public") if record.get(name)]
    print(f"  created {record['createdAt']}  cost ~${record.get('estimatedCost', 0):.3f}"
          + (f"  [{', '.join(flags)}]" if flags else ""))


class Progress:
    """One line, redrawn in place on a terminal; one line per status change otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = None
        self.tick = 0

    def __call__(self, record: dict, elapsed: float) -> None:
        status = record["status"]
        label = {"PENDING": "queued", "RUNNING": "rendering", "COMPLETE": "done", "FAILED": "failed"}.get(status, status)
        if self.tty:
            self.tick += 1
            mark = SPINNER[self.tick % 4] if status in ("PENDING", "RUNNING") else " "
            sys.stderr.write(f"\r{mark} {label:<10} {elapsed:5.1f} s")
            if status in ("COMPLETE", "FAILED"):
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif status != self.last:
            sys.stderr.write(f"{label} ({elapsed:.1f} s)\n")
        self.last = status


# --- commands -----------------------------------------------------------------------------------
def reference_key(client: StudioClient, value: str | None, quiet: bool) -> str | None:
    """A reference given as an uploaded key (uploads/...) or a local file, which is uploaded."""
    if not value or value.startswith("uploads/"):
        return value
    path = Path(value)
    if not path.is_file():
        raise SystemExit(f"{value}: neither an uploaded image key (uploads/...) nor a file")
    key = client.upload(path)["imageKey"]
    if not quiet:
        print(f"uploaded {path.name} as {key}", file=sys.stderr)
    return key


def cmd_translate(client, args):
    out(args, client.translate(args.text), lambda r: (
        print(f"[{r['language']}] {r['text']}"),
        print(f"[en] {r['english']}"),
        r.get("notice") and print(f"note: {r['notice']}"),
    ))


def cmd_suggest(client, args):
    def human(r):
        for i, idea in enumerate(r["prompts"], 1):
            print(f"{i}. {idea['title']}\n   prompt:   {idea['prompt']}\n   negative: {idea['negativePrompt']}\n"
                  f"   {idea['gloss']}")
    out(args, client.suggest(args.keywords, style=args.style, count=args.count, language=args.language), human)


def cmd_upload(client, args):
    form = client.upload(Path(args.file))
    out(args, {"imageKey": form["imageKey"]}, lambda r: print(f"uploaded: {r['imageKey']}"))


def cmd_describe(client, args):
    key = reference_key(client, args.image, args.json)

    def human(r):
        print(f"image: {key}\nsummary: {r['summary']}\npalette: {' '.join(r['palette'])}")
        for i, p in enumerate(r["prompts"], 1):
            print(f"{i}. {p['title']} (keeps {p['axis']})\n   prompt:   {p['prompt']}\n   negative: {p['negativePrompt']}")
    out(args, client.describe(key, keywords=args.keywords, count=args.count, language=args.language), human)


def cmd_generate(client, args):
    width, height = args.width, args.height
    if args.size:
        width, height = (int(v) for v in args.size.lower().split("x"))
    fields = {
        "mode": args.mode,
        "prompt": args.prompt,
        "negativePrompt": args.negative,
        "colors": [c.strip() for c in args.colors.split(",")] if args.colors else None,
        "referenceImageKey": reference_key(client, args.reference, args.json),
        "controlMode": args.control_mode,
        "controlStrength": args.control_strength,
        "similarityStrength": args.similarity,
        "width": width,
        "height": height,
        "count": args.count,
        "cfgScale": args.cfg_scale,
        "seed": args.seed,
        "quality": args.quality,
        "modelId": args.model,
        "public": args.public or None,
    }
    if args.mode == "style":
        fields["fidelity"] = args.fidelity
    if args.mode == "style-transfer":
        fields["styleImageKey"] = reference_key(client, args.style_image, args.json)
    return finish(client, args, client.generate(**fields))


def finish(client, args, record: dict) -> int:
    """Wait for a queued generation or edit with progress, show it, download its images."""
    if not args.json:
        print(f"queued {record['id']} (estimated cost ${record.get('estimatedCost', 0):.3f})", file=sys.stderr)
    if not args.no_wait:
        record = client.wait_pushed(record["id"], timeout=args.timeout, progress=None if args.json else Progress())
    out(args, record, show_generation)
    if args.out and record["status"] == "COMPLETE":
        for index, image in enumerate(record["images"]):
            dest = client.download(image["url"], Path(args.out) / f"{record['id']}-{index}.png")
            if not args.json:
                print(f"  saved {dest}")
    return 1 if record["status"] == "FAILED" else 0


def cmd_edit(client, args):
    """One edit operation: the source is a generation id (its --index image) or an image file/upload key."""
    source = {"generationId": args.source, "imageIndex": args.index}
    if "/" in args.source or Path(args.source).is_file():
        source = {"imageKey": reference_key(client, args.source, args.json)}
    fields = {
        "operation": args.operation, **source,
        "prompt": getattr(args, "prompt", None), "negativePrompt": getattr(args, "negative", None),
        "maskKey": reference_key(client, getattr(args, "mask", None), args.json),
        "searchPrompt": getattr(args, "search", None), "selectPrompt": getattr(args, "select", None),
        "creativity": getattr(args, "creativity", None), "growMask": getattr(args, "grow_mask", None),
        "seed": getattr(args, "seed", None), "public": args.public or None,
    }
    for side in ("left", "right", "up", "down"):
        fields[side] = getattr(args, side, None) or None
    return finish(client, args, client.edit(**fields))


def cmd_status(client, args):
    record = client.generation(args.id)
    if args.wait and record["status"] not in ("COMPLETE", "FAILED"):
        record = client.wait_pushed(args.id, timeout=args.timeout, progress=None if args.json else Progress())
    out(args, record, show_generation)


def cmd_gallery(client, args):
    page = client.gallery(scope="all" if args.all else "mine", mode=args.mode, parent=args.parent,
                          favorite="true" if args.favorites else None, tag=args.tag, model=args.model,
                          operation=args.operation, aspect=args.aspect, createdFrom=args.created_from,
                          createdTo=args.created_to, batchId=args.batch, limit=args.limit, cursor=args.cursor)

    def human(p):
        if not p["items"]:
            print("(nothing yet)")
        for r in p["items"]:
            star = "*" if r.get("favorite") else " "
            prompt = (r.get("request") or {}).get("prompt", "")
            prompt = prompt if len(prompt) <= 60 else prompt[:57] + "..."
            mode = r.get("operation") or r["mode"]
            print(f"{star} {r['id']}  {r['createdAt'][:19]}  {r['status']:<8} {mode:<14} {prompt}")
        if p.get("nextCursor"):
            print(f"more: --cursor {p['nextCursor']}")
    out(args, page, human)


def cmd_search(client, args):
    if args.image:
        like = client.upload(args.image)["imageKey"]
    else:
        like = args.like
    page = client.search(q=None if like else " ".join(args.words), like=like, imageIndex=args.index,
                         scope="all" if args.all else "mine", limit=args.limit)

    def human(p):
        if not p["items"]:
            print("(nothing found)")
        for r in p["items"]:
            annotation = (r.get("annotations") or [{}] * (r["imageIndex"] + 1))[r["imageIndex"]] or {}
            text = annotation.get("caption") or (r.get("request") or {}).get("prompt", "")
            text = text if len(text) <= 60 else text[:57] + "..."
            print(f"{r['score']:.3f}  {r['id']}#{r['imageIndex']}  {text}")
    out(args, page, human)


def cmd_favorite(client, args):
    out(args, client.patch(args.id, favorite=not args.off, public=args.public), show_generation)


def cmd_delete(client, args):
    client.delete(args.id)
    out(args, {"deleted": args.id}, lambda r: print(f"deleted {r['deleted']}"))


def cmd_models(client, args):
    def human(r):
        for m in r["imageModels"]:
            sizes = ", ".join(f"{s['width']}x{s['height']}" for s in m["sizes"][:6])
            print(f"{'*' if m['default'] else ' '} {m['modelId']}  {m['name']}\n    modes: {', '.join(m['modes'])}; "
                  f"sizes: {sizes}{'...' if len(m['sizes']) > 6 else ''}; up to {m['maxImages']} images; "
                  f"prices: {m['pricePerImage']}; {m['lifecycle']['status']}"
                  + (f"\n    note: {m['legacy']}" if m.get("legacy") else ""))
        for op in r.get("editOperations", []):
            print(f"  edit {op['operation']:<22} {op['modelId']}  ${op['pricePerImage']:.2f}; result: {op['output']}")
        print(f"text model: {r['textModel']['modelId']}\ndaily image quota: {r['dailyImageQuota']}")
    out(args, client.models(), human)


def cmd_token(client, args):
    out(args, {"accessToken": client.token}, lambda r: print(r["accessToken"]))


# --- arguments ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default=DEFAULT_URL, help=f"the site (default {DEFAULT_URL}; env STUDIO_URL)")
    parser.add_argument("--user", default=os.environ.get("STUDIO_DEMO_USER", "demo@studio.local"),
                        help="e-mail to sign in with (env STUDIO_DEMO_USER)")
    parser.add_argument("--password", default=os.environ.get("STUDIO_DEMO_PASSWORD", "Studio-Demo-2026!"),
                        help="password (env STUDIO_DEMO_PASSWORD)")
    parser.add_argument("--client-id", default=os.environ.get("STUDIO_CLIENT_ID"),
                        help="sign in as a program instead (OAuth2 client credentials; env STUDIO_CLIENT_ID)")
    parser.add_argument("--client-secret", default=os.environ.get("STUDIO_CLIENT_SECRET"),
                        help="the program's secret (env STUDIO_CLIENT_SECRET; `make local` prints both)")
    parser.add_argument("--json", action="store_true", help="print the API's raw JSON")
    # The global options are accepted after the command too: `cli gallery --json`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's raw JSON")
    common.add_argument("--base-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--user", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--password", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)  # type: ignore[method-assign]

    p = sub.add_parser("translate", help="detect the language of a prompt and translate it to English")
    p.add_argument("text")
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("suggest", help="prompt ideas from keywords and a style")
    p.add_argument("keywords", help='e.g. "lighthouse, storm, seagulls"')
    p.add_argument("--style", default="", help='mood or style, e.g. "moody watercolor"')
    p.add_argument("--count", type=int, default=3, help="how many ideas (1-5)")
    p.add_argument("--language", help="language of the explanations (BCP-47, e.g. fr)")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("upload", help="upload a reference image (PNG, JPEG or WebP); prints its key")
    p.add_argument("file")
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("describe", help="describe a reference image into prompts")
    p.add_argument("image", help="a local file (uploaded first) or an uploaded key (uploads/...)")
    p.add_argument("--keywords", default="", help="what the prompts should be about")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--language")
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser("generate", help="render images; waits and shows progress",
                       description="Render images. Modes: text (prompt only), color (--colors), structure and sketch "
                                   "(--reference), variation (--reference + --similarity), style (--reference + "
                                   "--fidelity), style-transfer (--reference + --style-image).")
    p.add_argument("prompt")
    p.add_argument("--mode", choices=list(CREATION_MODES), default="text")
    p.add_argument("--negative", help="what to keep out of the image")
    p.add_argument("--colors", help='color mode: 1-10 hex colors, comma separated: "#ff8800,#223366"')
    p.add_argument("--reference", help="structure/variation (optional for color): a file or an uploads/... key")
    p.add_argument("--control-mode", choices=["CANNY_EDGE", "SEGMENTATION"], help="structure mode")
    p.add_argument("--control-strength", type=float, help="structure mode, 0-1")
    p.add_argument("--similarity", type=float, help="variation mode: similarity to the reference, 0.2-1")
    p.add_argument("--fidelity", type=float, help="style mode: how closely to follow the reference's style, 0-1")
    p.add_argument("--style-image", help="style-transfer mode: the style's file or uploads/... key")
    p.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1024x1024 (see `models` for each model's sizes)")
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--height", type=int, default=1024)
    p.add_argument("--count", type=int, default=1, help="images (1-5)")
    p.add_argument("--cfg-scale", type=float, help="prompt adherence, 1.1-10 (Titan/Nova)")
    p.add_argument("--seed", type=int)
    p.add_argument("--quality", choices=["standard", "premium"], default="standard")
    p.add_argument("--model", help="image model id (default: the configured one; see `models`)")
    p.add_argument("--public", action="store_true", help="show it in everyone's gallery")
    p.add_argument("--no-wait", action="store_true", help="print the queued record and return")
    p.add_argument("--timeout", type=float, default=180, help="seconds to wait (default 180)")
    p.add_argument("--out", help="download the PNGs into this folder")
    p.set_defaults(func=cmd_generate)

    for operation, (helptext, extra) in EDIT_COMMANDS.items():
        p = sub.add_parser(operation, help=helptext, description=f"{helptext}. The result is a new record whose "
                           "lineage points at the source; waits and shows progress.")
        p.add_argument("source", help="a generation id (edit its --index image), or an image file / uploads/... key")
        p.add_argument("--index", type=int, default=0, help="which image of the generation (default 0)")
        if "prompt" in extra:
            p.add_argument("prompt", nargs=None if "prompt!" in extra else "?", help="what the result should show")
        if "mask" in extra:
            p.add_argument("--mask", required="mask!" in extra,
                           help="a mask image (white = change), the source's size or aspect ratio")
        if "search" in extra:
            p.add_argument("--search", required=True, help="what to find, in words")
        if "select" in extra:
            p.add_argument("--select", required=True, help="what to recolor, in words")
        if "sides" in extra:
            for side in ("left", "right", "up", "down"):
                p.add_argument(f"--{side}", type=int, default=0, help=f"pixels to add {side} (0-2000)")
        if "creativity" in extra:
            p.add_argument("--creativity", type=float, help="how much the model may invent")
        if "negative" in extra:
            p.add_argument("--negative", help="what to keep out")
        if "grow" in extra:
            p.add_argument("--grow-mask", type=int, help="grow the mask's edges by this many pixels (0-20)")
        if "prompt" in extra or "mask" in extra:
            p.add_argument("--seed", type=int)
        p.add_argument("--public", action="store_true", help="show the result in everyone's gallery")
        p.add_argument("--no-wait", action="store_true", help="print the queued record and return")
        p.add_argument("--timeout", type=float, default=300, help="seconds to wait (default 300)")
        p.add_argument("--out", help="download the result into this folder")
        p.set_defaults(func=cmd_edit, operation=operation)

    p = sub.add_parser("status", help="one generation: status, images, error")
    p.add_argument("id")
    p.add_argument("--wait", action="store_true", help="wait until it finishes")
    p.add_argument("--timeout", type=float, default=180)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("gallery", help="your generations (or everyone's shared ones), newest first")
    p.add_argument("--all", action="store_true", help="everyone's shared generations")
    p.add_argument("--mode", choices=[*CREATION_MODES, "edit"])
    p.add_argument("--parent", help="your edits and re-runs of this generation")
    p.add_argument("--favorites", action="store_true", help="only your favorites")
    # The filters of GET /gallery (docs/filters.md); the server checks their values and says what to fix.
    p.add_argument("--tag", help="images with this tag")
    p.add_argument("--model", help="images made by this model (an id `models` lists)")
    p.add_argument("--operation", help="how it was made: a generation mode or an edit operation (e.g. inpaint)")
    p.add_argument("--aspect", choices=["square", "landscape", "portrait"])
    p.add_argument("--from", dest="created_from", help="created on or after: YYYY-MM-DD")
    p.add_argument("--to", dest="created_to", help="created on or before: YYYY-MM-DD")
    p.add_argument("--batch", help="the images of one batch (its batchId)")
    p.add_argument("--limit", type=int, default=24)
    p.add_argument("--cursor", help="the `more:` cursor of the previous page")
    p.set_defaults(func=cmd_gallery)

    p = sub.add_parser("search", help="find images by words (any language), like a generation, or like a file")
    p.add_argument("words", nargs="*", help="what to look for: a color, a subject, a mood")
    p.add_argument("--like", help="a generation id: images like it (with --index)")
    p.add_argument("--index", type=int, default=0, help="which image of --like (default 0)")
    p.add_argument("--image", type=Path, help="a PNG, JPEG or WebP file: images like it")
    p.add_argument("--all", action="store_true", help="yours and everyone's shared images")
    p.add_argument("--limit", type=int, default=24)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("favorite", help="mark a generation as a favorite (--off to unmark)")
    p.add_argument("id")
    p.add_argument("--off", action="store_true")
    p.add_argument("--public", action=argparse.BooleanOptionalAction, default=None, help="share it, or stop sharing")
    p.set_defaults(func=cmd_favorite)

    p = sub.add_parser("delete", help="delete a generation and its images")
    p.add_argument("id")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("models", help="the image models, their modes, sizes and prices")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("token", help="print an access token (for curl: -H \"Authorization: Bearer $TOKEN\")")
    p.set_defaults(func=cmd_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    client = StudioClient(args.base_url)
    try:
        if args.client_id:
            client.machine_token(args.client_id, args.client_secret or "")
        else:
            client.sign_in(args.user, args.password)
        return args.func(client, args) or 0
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.body and args.json:
            print(json.dumps(error.body, indent=2, ensure_ascii=False), file=sys.stderr)
        return 2
    except TimeoutError as error:
        print(f"error: {error}", file=sys.stderr)
        return 4
    except OSError as error:
        print(f"error: cannot reach {args.base_url} ({error}). Is `make local` running?", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
