// English texts of export (views/export.js), added to the fallback table when it loads.

export default {
  "export.button": "Export ZIP",
  "export.pickFirst": "Select images to export first.",
  "export.tooMany": "At most {n} images per export: select fewer.",
  "export.pending": "Preparing the ZIP…",
  "export.ready": "ZIP ready: {n} images.",
  "export.readyOne": "ZIP ready: 1 image.",
  "export.download": "Download ZIP",
  "export.failed": "The export failed. {message}",
};
