// A program written against the TypeScript types openapi-typescript generates from the API's document
// (tests/clients/generated.py puts them in api.d.ts beside this file). tsc --strict must accept it, and
// each @ts-expect-error line must be an error: the types say what the API always sends, what it may
// leave out, and what may be null, so a client that forgets a case does not compile.
import type { components, operations, paths } from "./api";

type Schemas = components["schemas"];
type Generation = Schemas["Generation"];
type Json<T extends { content: { "application/json": unknown } }> = T["content"]["application/json"];

// Requests: a new generation, with the lineage a client writes.
const lineage: Schemas["Lineage"] = { source: "basic", originalText: "바닷가의 등대", originalLanguage: "ko" };
export const request: Schemas["GenerationRequest"] = { prompt: "a lighthouse at dusk", mode: "text", count: 1, lineage };
// @ts-expect-error: an unknown mode is not a Mode
export const badMode: Schemas["GenerationRequest"] = { prompt: "a fox", mode: "watercolor" };
// @ts-expect-error: the prompt is required
export const noPrompt: Schemas["GenerationRequest"] = { mode: "text" };
export const edit: Schemas["EditRequest"] = { operation: "remove-background", generationId: "abc" };

// Responses: what the API answers to each operation, by status.
export type Accepted = Json<paths["/generations"]["post"]["responses"][202]>;
export type Rejected = Json<operations["createGeneration"]["responses"][409]>;
export type SearchQuery = NonNullable<operations["searchGallery"]["parameters"]["query"]>;
export const search: SearchQuery = { q: "a red rose", scope: "all", limit: 10 };
// @ts-expect-error: scope is mine or all
export const badScope: SearchQuery = { q: "a red rose", scope: "everyone" };

/** One line about a record: every field it always carries is used without a check. */
export function summary(record: Accepted): string {
  const first = record.images[0]; // images is always there (empty until COMPLETE)
  const size = first ? `${first.width}x${first.height}` : "no image yet";
  const flags = [record.favorite ? "favorite" : "", record.public ? "shared" : "", record.mine ? "mine" : ""];
  const failed = record.error === null ? "" : `${record.error.code}: ${record.error.message}`;
  return [record.id, record.status, record.mode, size, ...flags, failed, record.annotations.length].join(" ");
}

/** What was asked, whichever request the record holds: an edit's or a generation's. */
export function asked(record: Generation): string {
  const r = record.request;
  if ("operation" in r) {
    // An edit: its operation, and the size of its result.
    return `${r.operation} of ${r.generationId ?? r.imageKey ?? "?"} -> ${r.outputWidth}x${r.outputHeight}`;
  }
  const colors: string[] = r.colors ?? []; // sent only in color mode
  return `${r.mode} ${r.prompt} ${r.width}x${r.height} seed ${r.seed} on ${r.modelId} ${colors.join(",")}`;
}

/** The story of an image: what the client wrote and what the server added. */
export function story(record: Generation): string {
  const l = record.lineage;
  const parent = l.parentId === undefined ? "" : `from ${l.parentId}#${l.parentImageIndex ?? 0}`;
  return [l.source, l.originalText ?? "", l.english ?? "", parent, l.operation ?? "", l.finalPrompt ?? ""].join(" ");
}

/** An error as the API sends it: the fields to fix, when it names any. */
export function problems(error: Schemas["ErrorResponse"]): string[] {
  const details = error.error.details;
  if (Array.isArray(details)) return details.map((d) => `${d.field}: ${d.rule}`);
  return [`${error.error.code}: ${error.error.message}`];
}

export function unsafe(record: Generation): unknown {
  // @ts-expect-error: error may be null (only a FAILED record has one)
  const code: string = record.error.code;
  // @ts-expect-error: a record's lineage holds no undocumented keys
  const hidden = record.lineage.secret;
  // @ts-expect-error: an optional lineage field may be absent
  const text: string = record.lineage.originalText;
  return [code, hidden, text];
}

export const pageSize = (page: Json<operations["listGallery"]["responses"][200]>): number =>
  page.items.length + (page.nextCursor === null ? 0 : 1);
export const hit = (page: Json<operations["searchGallery"]["responses"][200]>) =>
  page.items.map((item) => `${item.id}#${item.imageIndex} ${item.score.toFixed(2)} ${asked(item)}`);
