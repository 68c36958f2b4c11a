// UI text in English and Korean. The language follows the browser and can be switched;
// the choice is remembered in localStorage (a preference, not a secret). English is here (and the
// fallback for any key); another language's table is fetched when it is chosen (locales/<code>.js).

const STRINGS = {
  en: {
    "app.name": "Image Prompt Studio",
    "app.tagline": "Write the prompt together, then render it.",
    "nav.create": "Create",
    "nav.gallery": "Gallery",
    "nav.boards": "Boards",
    "nav.main": "Main",
    "skip": "Skip to content",
    "lang.label": "Language",
    "signout": "Sign out",
    "loading": "Loading…",

    "signin.title": "Sign in",
    "signin.lead": "Describe an image in your own words, borrow ideas, or start from a reference. Every result keeps the story of how it was made.",
    "signin.email": "Email",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.busy": "Signing in…",
    "signin.hosted": "Continue to sign in",
    "signin.hostedHint": "You will sign in on the secure Amazon Cognito page and come back here.",
    "signin.localHint": "Local environment: use the demo user printed by make local.",
    "signin.bad": "The email or password is not right. Check both and try again.",
    "signin.failed": "Could not sign in: {message}",
    "signin.expired": "Your session ended. Sign in again; your work in progress is kept.",
    "signin.redirecting": "Completing sign-in…",

    "create.title": "Create",
    "create.sources": "Start from",
    "tab.basic": "Your words",
    "tab.ideas": "Ideas",
    "tab.reference": "Reference",
    "basic.title": "Your words",
    "basic.lead": "Describe the image in any language. You will see the English prompt before anything is rendered.",
    "basic.text": "What should the image show?",
    "basic.placeholder": "e.g. a lighthouse in the fog at dawn (any language)",
    "basic.translate": "Translate to English",
    "basic.busy": "Translating…",
    "basic.use": "Use this prompt",

    "ideas.title": "Ideas",
    "ideas.lead": "Give a style and a few keywords; get prompts to pick from.",
    "ideas.style": "Style or mood",
    "ideas.stylePlaceholder": "e.g. moody watercolor",
    "ideas.keywords": "Keywords",
    "ideas.keywordsPlaceholder": "e.g. lighthouse, storm, gulls",
    "ideas.suggest": "Suggest prompts",
    "ideas.busy": "Thinking…",
    "ideas.use": "Use",
    "ideas.renderSelected": "Render selected ({n})",
    "ideas.prompt": "Prompt",
    "ideas.negative": "Avoid",
    "compose.styleDrop": "Drop the style image here or choose a file",
    "compose.stylePreview": "Preview of the style image",
    "search.chip": "This image",
    "search.chipClear": "Clear the search by image",
    "ideas.using": "In the composer: “{title}”.",
    "ideas.showAll": "Show all ideas ({n})",

    "ref.title": "Reference image",
    "ref.lead": "Start from a picture: keep its mood, palette, structure or overall look.",
    "ref.drop": "Drop an image here or choose a file",
    "ref.rules": "PNG, JPEG or WebP, up to 10 MB.",
    "ref.badType": "That file is not a PNG, JPEG or WebP image. Choose another file.",
    "ref.tooBig": "The image is {size} MB; the limit is 10 MB. Choose a smaller image or export it at a lower resolution.",
    "ref.empty": "The file is empty. Choose another file.",
    "ref.keywords": "Keywords (optional)",
    "ref.keywordsPlaceholder": "e.g. poster, night",
    "ref.describe": "Upload and describe",
    "ref.uploading": "Uploading…",
    "ref.describing": "Reading the image…",
    "ref.preview": "Preview of the reference image",
    "ref.summary": "What the model sees",
    "ref.palette": "Palette",
    "ref.usePalette": "Use palette",
    "ref.useStructure": "Keep structure",
    "ref.useVariation": "Make variations",
    "ref.keeps": "Keeps the {axis}",
    "ref.remove": "Remove image",
    "ref.small": "This image is {w} × {h} px. Structure and variation need at least 320 px on each side; the palette and prompts still work.",

    "compose.title": "Prompt and parameters",
    "compose.prompt": "Prompt (English)",
    "compose.promptHint": "{n} / {max} characters",
    "compose.negative": "Negative prompt",
    "compose.negativeHint": "What to keep out of the image.",
    "compose.mode": "Mode",
    "mode.text": "Text to image",
    "mode.color": "Color palette",
    "mode.structure": "Structure",
    "mode.variation": "Variation",
    "mode.any": "All modes",
    "compose.model": "Model",
    "compose.legacy": "Legacy model",
    "compose.leavingShort": "leaving",
    "compose.leaving": "Bedrock is retiring this model: it stops working on {date} ({days} days left). Choose another model.",
    "compose.leavingNoDate": "Bedrock lists this model as legacy. Choose another model.",
    "compose.size": "Size",
    "size.square": "Square",
    "size.landscape": "Landscape",
    "size.portrait": "Portrait",
    "compose.count": "Images",
    "compose.quality": "Quality",
    "quality.standard": "Standard",
    "quality.premium": "Premium",
    "compose.seed": "Seed",
    "compose.seedFixed": "Fixed seed",
    "compose.seedValue": "Seed value",
    "compose.cfg": "Prompt strength (cfg scale)",
    "compose.cfgHint": "Higher follows the prompt more literally.",
    "compose.colors": "Palette",
    "compose.colorsHint": "Up to {max} colors.",
    "compose.addColor": "Add color",
    "compose.removeColor": "Remove color {hex}",
    "compose.colorHex": "Color {n} hex",
    "compose.colorPick": "Color {n}",
    "compose.reference": "Reference",
    "compose.noReference": "This mode needs a reference image. Add one under “Reference image”.",
    "compose.addReference": "Add a reference image",
    "compose.useReference": "Also guide with the reference image",
    "compose.control": "Follow",
    "control.CANNY_EDGE": "Edges (line drawing)",
    "control.SEGMENTATION": "Shapes (regions)",
    "compose.controlStrength": "How close to stay to the structure",
    "compose.similarity": "How close to stay to the reference",
    "compose.loose": "Loose",
    "compose.close": "Close",
    "compose.public": "Show in everyone’s gallery",
    "compose.cost": "Estimated cost",
    "compose.quota": "Daily limit: {n} images",
    "compose.render": "Render",
    "compose.rendering": "Sending…",
    "compose.advanced": "More settings",
    "compose.needPrompt": "Write a prompt first, or pick one from the panels above.",
    "compose.needColors": "Add at least one color for palette mode.",
    "compose.promptTooLong": "The prompt is {n} characters; this model accepts {max}. Shorten it.",

    "results.title": "Results",
    "results.empty": "Rendered images appear here. Nothing is lost if you reload the page.",
    "status.PENDING": "Queued",
    "status.RUNNING": "Rendering",
    "status.COMPLETE": "Done",
    "status.FAILED": "Failed",
    "results.progress": "Progress of generation",
    "results.announce": "{status}: {prompt}",
    "results.images": "{n} images ready",
    "results.edit": "Edit the prompt",
    "results.retry": "Try again",
    "results.dismiss": "Dismiss",
    "results.open": "Open image {n} of “{prompt}”",

    "err.content_filtered": "The model’s content filter blocked this. Remove or reword anything violent, sexual, hateful or trademarked (brand names, famous characters) in the prompt — or use a different reference image — then render again.",
    "err.model_throttled": "The image model is busy right now. Wait a minute and try again; nothing was charged.",
    "err.model_timeout": "The image model took too long to answer. Try again in a moment, or ask for fewer or smaller images.",
    "err.model_error": "The image model returned an error. Try again; if it keeps failing, change the prompt or the size.",
    "err.model_unavailable": "The image model cannot be reached right now. Try again in a few minutes.",
    "err.storage_error": "The image was made but could not be saved. Try again.",
    "err.reference_invalid": "The reference image could not be used. Upload it again as a PNG, JPEG or WebP image under 10 MB.",
    "err.internal_error": "Something went wrong on our side. Try again.",
    "err.quota_exceeded": "You reached today’s image limit. Try again tomorrow.",
    "err.validation_error": "Some settings are not valid. Check them and try again.",
    "err.not_found": "That item no longer exists.",
    "err.forbidden": "You are not allowed to do that.",
    "err.network": "The service cannot be reached. Check your connection and try again.",
    "err.retryAfter": "You can try again in about {time}.",
    "err.generic": "Something went wrong: {message}",

    "boards.title": "Boards",
    "boards.mine": "My boards",
    "boards.everyone": "Shared with everyone",
    "boards.count": "{n} images",
    "boards.countOne": "1 image",
    "boards.shared": "shared",
    "boards.empty": "No boards yet. Name one above, then add images from an image’s details.",
    "boards.noneShared": "Nobody has shared a board yet.",
    "boards.newName": "New board",
    "boards.create": "Make board",
    "boards.created": "Board “{name}” made.",
    "boards.back": "← All boards",
    "boards.notFound": "This board is not there (deleted, or not shared with you).",
    "boards.readOnly": "Shared with you: you can look, only its owner can change it.",
    "boards.rename": "Name",
    "boards.save": "Rename",
    "boards.renamed": "Board renamed.",
    "boards.share": "Shared: every signed-in user may see it (read-only)",
    "boards.nowShared": "The board is shared. Only images you shared show to others.",
    "boards.nowPrivate": "The board is private again.",
    "boards.delete": "Delete board",
    "boards.confirmDelete": "Delete the board “{name}”? Its images stay in your gallery.",
    "boards.deleted": "Board deleted. Its images are still in the gallery.",
    "boards.emptyBoard": "No images on this board yet. Open an image and press Add to board.",
    "boards.remove": "Remove",
    "boards.removeItem": "Remove from this board",
    "boards.addTo": "Add to board",
    "boards.pick": "Choose a board",
    "boards.pickFirst": "Choose a board, or name a new one.",
    "boards.add": "Add",
    "boards.added": "Added to “{name}”.",
    "boards.addedMany": "{n} added to “{name}”.",
    "boards.cover": "Cover",
    "export.button": "Export ZIP",
    "export.pickFirst": "Select images to export first.",
    "export.tooMany": "At most {n} images per export: select fewer.",
    "export.pending": "Preparing the ZIP…",
    "export.ready": "ZIP ready: {n} images.",
    "export.readyOne": "ZIP ready: 1 image.",
    "export.download": "Download ZIP",
    "export.failed": "The export failed. {message}",
    "boards.coverSet": "Cover set.",
    "gallery.select": "Select",
    "gallery.selected": "{n} selected",
    "err.board_not_found": "This board is not there (deleted, or not shared with you).",
    "err.board_read_only": "This board is shared with you read-only: only its owner can change it.",
    "err.board_full": "This board is full. Make another board.",
    "gallery.title": "Gallery",
    "gallery.scope": "Show",
    "gallery.mine": "Mine",
    "gallery.all": "Everyone",
    "gallery.mode": "Mode",
    "gallery.favorites": "Favorites only",
    "gallery.empty": "Nothing here yet. Render something under Create.",
    "gallery.more": "Load more",
    "gallery.end": "That’s everything.",
    "gallery.loading": "Loading…",
    "gallery.item": "{prompt} — {status}",
    "gallery.count": "{n} shown",

    "detail.title": "Generation details",
    "detail.close": "Close",
    "detail.prompt": "Prompt",
    "detail.negative": "Negative prompt",
    "detail.parameters": "Parameters",
    "detail.lineage": "How it was made",
    "detail.model": "Model",
    "detail.mode": "Mode",
    "detail.size": "Size",
    "detail.seed": "Seed",
    "detail.quality": "Quality",
    "detail.cfg": "Prompt strength (cfg scale)",
    "detail.count": "Images",
    "detail.colors": "Colors",
    "detail.control": "Structure",
    "detail.similarity": "Similarity",
    "detail.created": "Created",
    "detail.cost": "Estimated cost",
    "detail.status": "Status",
    "detail.visibility": "Visibility",
    "detail.public": "Everyone",
    "detail.private": "Only me",
    "lineage.original": "Your words ({lang})",
    "lineage.english": "Translation",
    "lineage.ideas": "Idea “{title}” from style “{style}” and keywords “{keywords}”",
    "lineage.reference": "Reference image",
    "lineage.parent": "Re-run of an earlier generation",
    "lineage.final": "Final prompt",
    "lineage.seed": "Seed {seed}",
    "lineage.api": "Created through the API",
    "detail.rerun": "Re-run exactly",
    "detail.vary": "Vary",
    "detail.use": "Use this prompt",
    "detail.favorite": "Favorite",
    "detail.favoriteOn": "Favorite ✓",
    "detail.shareOn": "Public ✓",
    "detail.shareOff": "Private",
    "detail.download": "Download",
    "detail.delete": "Delete",
    "detail.confirm": "Delete this generation and its images? This cannot be undone.",
    "detail.confirmYes": "Delete for good",
    "detail.cancel": "Cancel",
    "detail.deleted": "Deleted.",
    "detail.rerunStarted": "Re-run started; follow it under Create.",
    "detail.image": "Image {n}",
    "detail.showImage": "Show image {n}",

    "search.label": "Search your images",
    "search.placeholder": "A color, a subject, a mood… in any language",
    "search.hint": "Or drop an image here to find ones like it.",
    "search.go": "Search",
    "search.byImage": "Search by image",
    "search.clear": "Back to the gallery",
    "search.results": "Search results",
    "search.forWords": "“{q}”",
    "search.forImage": "this image",
    "search.count.one": "{n} image like {what}, best match first",
    "search.count.other": "{n} images like {what}, best match first",
    "search.none": "Nothing found for {what}. New images are searchable a few seconds after they finish.",
    "search.item": "Match {rank}, {score}: {caption}",
    "search.uploading": "Uploading the image…",
    "search.moreLike": "More like this",
    "search.caption": "What it shows",
    "search.tags": "Tags",
    "search.byTag": "Search for {tag}",
    "basic.done": "Translated into the prompt below.",
    "basic.hint": "Translating puts the English into the prompt; your words stay visible there, with undo.",
    "basic.notTranslated": "This environment could not translate the {lang} text, so it was kept as written. Rewrite the prompt in English, or render it as it is.",
    "compose.original": "Your original words",
    "compose.originalFrom": "Translated from {lang}:",
    "compose.undoTranslation": "Undo translation",
    "compose.translateFirst": "This prompt is not in English, and image models follow English best. Translate it first?",
    "compose.translateYes": "Translate, then render",
    "compose.translateNo": "Render as written",
    "compose.shortcut": "Ctrl+Enter (⌘+Enter on a Mac) renders.",
    "compose.aspectWarning": "The reference is {rw} × {rh}; the chosen size {w} × {h} has another shape, so the reference will be cropped or squashed to fit. Pick a size with the same shape to keep all of it.",
    "cost.line": "{n} × {price} = {total}",
    "cost.left": "{n} left today",
    "compose.renderOn": "Render on {n} models",
    "compose.alsoOn": "Also render on",
    "compose.alsoOnHint": "The same prompt and seed on up to {max} models, side by side in Results. Each image counts against your quota.",
    "cost.sum": "{n} images = {total}",
    "batch.title": "Same prompt on {n} models · {total}",
    "batch.grid": "Each model's result",
    "batch.cost": "Cost",
    "batch.time": "Time",
    "batch.seed": "Seed",
    "batch.showInGallery": "Show in gallery",
    "batch.seconds": "{n} s",
    "compare.open": "Compare {n} side by side",
    "compare.selectDone": "Stop selecting",
    "compare.selected": "{n} selected (2 to 4)",
    "compare.go": "Compare",
    "detail.asReference": "Use as reference",
    "detail.edit": "Edit",
    "detail.varyStarted": "Variation started; follow it under Create.",
    "results.fewer": "Try with fewer images ({n})",
    "gallery.edited": "edited: {op}",
    "gallery.editedMark": "Edited",
    "gallery.showFailed": "Show failed",
    "gallery.hiddenFailed": "{n} failed hidden",
    "lineage.edit": "Edit: {op}",
    "lineage.referenceAlt": "The reference image",
    "lineage.referenceNoSummary": "A reference image (no description was asked for)",
    "mode.sketch": "Sketch",
    "mode.style": "Style",
    "mode.style-transfer": "Style transfer",
    "mode.edit": "Edits",
    "axis.mood": "mood",
    "axis.texture": "texture",
    "axis.composition": "composition",
    "axis.palette": "palette",
    "axis.lighting": "lighting",
    "op.inpaint": "Inpaint",
    "op.erase": "Erase",
    "op.search-replace": "Search and replace",
    "op.search-recolor": "Search and recolor",
    "op.remove-background": "Remove background",
    "op.outpaint": "Outpaint",
    "op.upscale-fast": "Fast upscale",
    "op.upscale-conservative": "Conservative upscale",
    "op.upscale-creative": "Creative upscale",
    "tool.inpaint": "Paint over",
    "tool.erase": "Erase",
    "tool.replace": "Replace",
    "tool.recolor": "Recolor",
    "tool.background": "Background",
    "tool.outpaint": "Extend",
    "tool.upscale": "Upscale",
    "edit.title": "Edit this image",
    "edit.close": "Done editing",
    "edit.tool": "Tool",
    "edit.none": "This deployment has no edit models enabled.",
    "edit.apply": "Apply",
    "edit.started": "{op} started. It opens here when it is ready.",
    "edit.maskLabel": "The image with the painted mask",
    "edit.maskHint": "Paint over the part to change with a mouse, pen or finger.",
    "edit.brush": "Brush size",
    "edit.undo": "Undo",
    "edit.redo": "Redo",
    "edit.invert": "Invert",
    "edit.clear": "Clear",
    "edit.maskActions": "Mask",
    "edit.maskEmpty": "Nothing painted yet.",
    "edit.maskReady": "Mask ready.",
    "edit.needMask": "Paint over the part of the image to change first.",
    "edit.needText": "Fill in “{field}” first.",
    "edit.growMask": "Soften the mask edge (px)",
    "edit.inpaintPrompt": "What to paint there",
    "edit.search": "What to find",
    "edit.searchHint": "A few words, e.g. “the red boat”.",
    "edit.replaceWith": "Replace it with",
    "edit.select": "What to recolor",
    "edit.recolorWith": "New colors",
    "edit.backgroundHint": "The result is a PNG with a transparent background, shown on a checkerboard.",
    "edit.extend": "Extend the canvas (px)",
    "edit.extendHint": "Up to {max} px on each side.",
    "edit.left": "Left",
    "edit.right": "Right",
    "edit.up": "Up",
    "edit.down": "Down",
    "edit.newCanvas": "New canvas: {w} × {h} px (now {ow} × {oh})",
    "edit.needExtend": "Extend at least one side.",
    "edit.outpaintPrompt": "What the new area shows (optional)",
    "edit.creativity": "Creativity",
    "edit.upscaleChoice": "How to upscale",
    "edit.upscaleOut": "{w} × {h} px",
    "edit.upscale-fastHint": "4× each side, keeps the image as it is.",
    "edit.upscale-conservativeHint": "Up to 4K, changes as little as possible; needs a prompt.",
    "edit.upscale-creativeHint": "Up to 4K, adds new detail; needs a prompt.",
    "edit.upscalePrompt": "Describe the image",
    "edit.tooLarge": "This image is too large for this tool (at most {max} megapixels).",
    "edit.tooSmall": "This image is too small for this tool (at least {min} pixels).",
    "edit.tooLargeSide": "This image is too large for this tool (at most {max} px a side).",
    "edit.tooSmallSide": "This image is too small for this tool (at least {min} px a side).",
    "edit.chain": "Edit chain",
    "edit.parent": "Before: {op}",
    "edit.thisImage": "This image: {op}",
    "edit.openStep": "Open this step",
    "edit.compare": "Compare before and after",
    "edit.before": "Before",
    "edit.after": "After",
    "edit.referenceReady": "The image is the reference now.",
    "compose.sketchStrength": "How closely to follow the sketch",
    "compose.fidelity": "How closely to follow the reference's style",
    "compose.styleImage": "Style image (its look is applied to the reference)",
    "compose.styleReady": "Style image uploaded.",
    "compose.needStyleImage": "Style transfer needs a style image: choose one under the reference.",
    "ref.useStyle": "Use its style",
    "edit.tooNarrow": "This image is too long and narrow for this tool (at most {max}:1).",
    "edit.parentGone": "Original deleted",
    "edit.stepGone": "A step was deleted",
    "edit.original": "Original: {op}",
    "edit.children": "Edits of this image ({n})",
    "edit.extendClamped": "At most {max} px on a side: set to {max}.",
    "edit.noUpscale": "None of the upscales can take this image (see each one's limit above), so there is nothing to apply.",
    "edit.refused": "The edit was not accepted: {rule}.",
    "edit.thisImageNow": "This image",
    "edit.inProgress": "Editing this image",
    "edit.readyElsewhere": "{op} is ready. Find it under Create or in the Gallery.",
    "edit.ready": "{op} is ready: before and after are shown. Press Edit to go on.",
    "detail.sourceGone": "The original image of this edit was deleted, so this edit cannot be re-run or varied.",
    "detail.sourceStepGone": "The image this edit was made from was deleted, so this edit cannot be re-run or varied. Its original is still there.",
    "detail.confirmEdits.one": "Its {n} edit stays, but it loses its before/after view.",
    "detail.confirmEdits.other": "Its {n} edits stay, but they lose their before/after view.",
    "gallery.noFavorites": "No favorites yet. Open an image and press Favorite to keep it here.",
    "gallery.noMode": "No “{mode}” images yet. Choose another mode, or {any}.",
    "gallery.noMatch": "No favorites in “{mode}”. Choose another mode, or clear Favorites only.",
    "search.placeholderShort": "Color, subject, mood…",
    "fail.content_filtered": "Blocked by the content filter",
    "fail.model_throttled": "Model busy",
    "fail.model_timeout": "Took too long",
    "fail.model_error": "Model error",
    "fail.model_unavailable": "Model unreachable",
    "fail.storage_error": "Not saved",
    "fail.reference_invalid": "Reference unusable",
    "fail.quota_exceeded": "Daily limit reached",
    "compose.translateFailed": "The {lang} text could not be translated, so nothing was rendered. Render it as written, or rewrite the prompt in English and press Render.",
    "compose.translateFailedNext": "Nothing was rendered. Render the text as written, or rewrite the prompt in English.",
    "compose.badColor": "Color {n} is not a color code. Type # and six hex digits, e.g. #1e90ff.",
    "compose.badSeed": "The seed must be a whole number from 0 to {max}. Change it, or untick “Fixed seed”.",
    "err.too_large": "The file is too large: the limit is 10 MB. Choose a smaller image or export it at a lower resolution.",
    "err.badImage": "The image could not be used — {rule}. Choose another image, or crop or resize it.",
    "err.invalidField": "“{field}” is not accepted: {rule}. Change it and try again.",
    "basic.needText": "First write what the image should show, in any language.",
    "basic.alreadyEnglish": "The text is already in English; it is in the prompt below.",
    "ideas.needKeywords": "First write a few keywords, e.g. lighthouse, storm, gulls.",
    "ideas.selectFirst": "Select a prompt to render",
    "field.limitReached": "That is the limit; anything longer is cut off.",
    "compose.putBack": "Put back the previous prompt",
    "err.quotaReached": "You reached today’s image limit.",
    "compose.sizeFromReference": "{w} × {h}, as the reference",
    "compose.modelPrice": "{price} an image",
    "compose.sizeNearestReference": "{w} × {h}: the model's size nearest the reference's shape ({rw} × {rh})",
    "compose.sizeNearestReferenceAny": "The model's size nearest the reference's shape",
    "compose.sizeFromReferenceAny": "As the reference",
    "compose.sizeFromReferenceHint": "This mode keeps the reference's shape.",
    "compose.negativeTooLong": "The negative prompt is {n} characters; this model accepts {max}. Shorten it.",
    "app.retry": "Try again",
    "cr.title": "Content Credentials",
    "cr.unsigned": "No Content Credentials: this image was stored before signing was turned on.",
    "cr.trusted": "Valid, from a trusted signer",
    "cr.valid": "Valid: unchanged since it was signed (the signer is on no trust list known here)",
    "cr.invalid": "Does not validate: the file changed after it was signed",
    "cr.issuer": "Signed by",
    "cr.signedAt": "Signed",
    "cr.generator": "Written by",
    "cr.created": "Created",
    "cr.opened": "Opened its parent image",
    "cr.edited": "Edited",
    "cr.resized": "Resized",
    "cr.other": "{action}",
    "cr.with": "with {agent}",
    "cr.ai": "AI-generated",
    "cr.aiPart": "partly painted by AI",
    "cr.parentSigned": "Made from its parent image, whose own credentials are inside.",
    "cr.parent": "Made from an image without credentials.",
    "cr.inputs": "Reference images used: {n}",
    "cr.downloadKeeps": "The downloaded file carries these credentials.",
    "cr.check": "Check an image",
    "cr.checkHint": "Choose or drop a PNG, JPEG or WebP file: it is uploaded and its C2PA manifest read.",
    "cr.drop": "Drop an image here, or choose one",
    "cr.checking": "Checking…",
    "cr.none": "This image carries no Content Credentials (no C2PA manifest).",
    "cr.failures": "Validation problems: {codes}",
    "cr.ours": "It is one of these images: open it",
  },
};

export const LANGUAGES = [["en", "English"], ["ko", "한국어"]];
const TABLES = { ko: () => import("./locales/ko.js") };
const KEY = "ips.lang";
const listeners = new Set();

function known(code) { return LANGUAGES.some(([c]) => c === code); }

function initial() {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved && known(saved)) return saved;
  } catch { /* storage may be blocked */ }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (known(base)) return base;
  }
  return "en";
}

/** The language's table, fetched once; English (the fallback) when it cannot be fetched. */
async function table(code) {
  if (!STRINGS[code]) {
    try {
      STRINGS[code] = (await TABLES[code]()).default;
    } catch (error) {
      console.warn(`could not load the ${code} texts`, error);
      return false;
    }
  }
  return true;
}

let current = initial();
// Started as this module loads, beside the other modules: the first screen waits for it (languageReady).
const starting = table(current).then((ok) => { if (!ok) current = "en"; document.documentElement.lang = current; });

/** Resolves when the starting language's texts are here; call before the first render. */
export function languageReady() { return starting; }

export function lang() { return current; }

export async function setLang(next) {
  if (!known(next) || next === current || !(await table(next))) return;
  current = next;
  try { localStorage.setItem(KEY, next); } catch { /* ignore */ }
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) { listeners.add(fn); }

/** A lazily loaded view's English texts (web/js/strings/<view>.js), merged into the fallback table when
 *  its module loads: they are not part of the first load. Korean stays whole in locales/ko.js. */
export function addEnglish(texts) {
  Object.assign(STRINGS.en, texts);
}

/** t("key", {var: value}) → the text in the current language (English as the fallback). */
export function t(key, vars) {
  let text = STRINGS[current]?.[key] ?? STRINGS.en[key] ?? key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

/** A text that counts: "<key>.one", "<key>.other"… chosen by the language's plural rules (Korean has
 *  one form), with {n} filled in; the plain key when the language has no plural forms for it. */
export function tn(key, n, vars = {}) {
  let form = "other";
  try { form = new Intl.PluralRules(current).select(n); } catch { /* other */ }
  const table = STRINGS[current] || {};
  const pick = [`${key}.${form}`, `${key}.other`, key].find((k) => k in table)
    || [`${key}.${form}`, `${key}.other`, key].find((k) => k in STRINGS.en);
  return t(pick, { n, ...vars });
}

/** The text for a key that may not exist (a value from the server): the fallback when it does not. */
export function tOr(key, fallback) {
  return key in STRINGS.en ? t(key) : fallback;
}

export function languageName(tag) {
  try {
    return new Intl.DisplayNames([current], { type: "language" }).of(tag) || tag;
  } catch {
    return tag;
  }
}

export function formatMoney(usd) {
  const digits = usd < 0.1 ? 3 : 2;
  return new Intl.NumberFormat(current, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: digits }).format(usd);
}

/** A wait in seconds as a person says it: "45 seconds", "12 minutes", "4 hours" (rounded). */
export function formatWait(seconds) {
  const [value, unit] = seconds < 90 ? [Math.max(1, Math.round(seconds)), "second"]
    : seconds < 90 * 60 ? [Math.round(seconds / 60), "minute"] : [Math.round(seconds / 3600), "hour"];
  try {
    return new Intl.NumberFormat(current, { style: "unit", unit, unitDisplay: "long" }).format(value);
  } catch {
    return `${value} ${unit}s`;
  }
}

export function formatDate(iso) {
  try {
    return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  } catch {
    return iso;
  }
}
