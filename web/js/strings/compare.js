// English texts of the compare view (views/compare.js), added to the fallback table when it loads.

export default {
  "compare.title": "Compare {n} images",
  "compare.close": "Close",
  "compare.base": "Base (the others are diffed against it)",
  "compare.added": "added",
  "compare.removed": "removed",
  "compare.legend": "words of the prompt, against the first image",
  "compare.words": "{added} words added, {removed} removed",
  "compare.basePrompt": "The base prompt",
  "compare.samePrompt": "Same prompt",
  "compare.column": "Image {n} of {total}",
  "compare.image": "Image {n}, {model}",
  "compare.model": "Model",
  "compare.seed": "Seed",
  "compare.size": "Size",
  "compare.mode": "Mode",
  "compare.operation": "Edit",
  "compare.negative": "Negative prompt",
  "compare.cost": "Cost",
  "compare.prev": "Previous image",
  "compare.next": "Next image",
};
