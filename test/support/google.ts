import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { answer } from "../../src/emulator/answer";
import { loadCategoryList } from "../../src/taxonomy/load";

// Google, faked at the HTTP level: the real @google-cloud/language client in REST mode talks to
// this msw handler. By default it answers like the emulator; tests queue specific replies.

export const CLASSIFY_URL = "https://language.googleapis.com/v2/documents\\:classifyText";

export type Reply = (content: string) => Response | Promise<Response>;

export const googleError =
  (status: number, grpcStatus: string, message: string): Reply =>
  () =>
    HttpResponse.json({ error: { code: status, message, status: grpcStatus } }, { status });

export const googleOk =
  (categories: { name: string; confidence: number }[], languageCode = "en"): Reply =>
  () =>
    HttpResponse.json({ categories, languageCode, languageSupported: true });

const paths = {
  v1Paths: loadCategoryList("google/content-categories-v1.txt"),
  v2Paths: loadCategoryList("google/content-categories-v2.txt"),
  minWords: 3,
};

const emulated: Reply = (content) => {
  const a = answer({ content, categories: "v2" }, paths);
  return a.ok
    ? HttpResponse.json({ categories: a.categories, languageCode: a.languageCode, languageSupported: true })
    : googleError(a.httpStatus, a.status, a.message)(content);
};

export function createGoogleMock() {
  const queued: Reply[] = [];
  const received: string[] = [];
  const server = setupServer(
    http.post(CLASSIFY_URL, async ({ request }) => {
      const body = (await request.json()) as { document?: { content?: string } };
      const content = body.document?.content ?? "";
      received.push(content);
      return (queued.shift() ?? emulated)(content);
    }),
  );
  return {
    server,
    /** Texts Google received, in order. */
    received,
    /** The next calls get these replies, in order; then the emulator's answers again. */
    reply(...replies: Reply[]) {
      queued.push(...replies);
    },
    reset() {
      queued.length = 0;
      received.length = 0;
    },
  };
}
