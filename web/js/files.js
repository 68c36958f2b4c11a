// Image files: those chosen for upload (the Reference panel, the style image, search by image), checked in
// the browser by their first bytes and size before anything is uploaded (one limit for every upload), and
// the names that downloaded images get.

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

/** A download name from the prompt and the seed: "lighthouse-at-dusk-1026.png". */
export function downloadName(record, index) {
  const prompt = record.request?.prompt || record.request?.searchPrompt || "";
  const words = prompt.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/[a-z0-9]+/g) || [];
  let slug = "";
  for (const word of words) {
    if ((slug ? slug.length + 1 : 0) + word.length > 40) break;
    slug = slug ? `${slug}-${word}` : word;
  }
  const seed = record.images?.[index]?.seed ?? record.request?.seed;
  return `${[slug || "image", seed ?? `${record.id.slice(0, 8)}-${index + 1}`].join("-")}.png`;
}
