// Image files chosen for upload (the Reference panel, the style image, search by image): checked in the
// browser by their first bytes and size before anything is uploaded. One limit for every upload.

import { t } from "./i18n.js";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024; // the API's upload limit (POST /uploads)

/** The image type the bytes say (not the name): PNG, JPEG or WebP, else null. */
function sniff(b) {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  const ascii = (from, to) => String.fromCharCode(...b.slice(from, to));
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return null;
}

/** {file} ready to upload (typed by its bytes), or {error}: what to tell the user. */
export async function checkImage(file) {
  if (file.size === 0) return { error: t("ref.empty") };
  if (file.size > MAX_UPLOAD_BYTES) return { error: t("ref.tooBig", { size: (file.size / 1048576).toFixed(1) }) };
  let type = null;
  try { type = sniff(new Uint8Array(await file.slice(0, 12).arrayBuffer())); } catch { /* unreadable */ }
  if (!type) return { error: t("ref.badType") };
  return { file: type === file.type ? file : new File([file], file.name, { type }) };
}
