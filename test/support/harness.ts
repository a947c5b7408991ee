import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createGoogleMock } from "./google";
import { createStack, type Stack, type StackOptions } from "./stack";

/**
 * Registers the hooks most integration files need: msw faking Google (unhandled requests fail the
 * test), one running stack, and an ingest key. Returns live getters for use inside tests.
 */
export function useStackWithGoogle(opts: StackOptions = {}) {
  const google = createGoogleMock();
  let stack: Stack | undefined;
  let key = "";
  beforeAll(async () => {
    // anything unhandled fails the test, except loopback: the emulator and our own servers
    google.server.listen({
      onUnhandledRequest: (request, print) => {
        if (new URL(request.url).hostname !== "127.0.0.1") print.error();
      },
    });
    stack = await createStack(opts);
    key = await stack.key("ingest");
  });
  afterAll(async () => {
    await stack?.close();
    google.server.close();
  });
  beforeEach(() => google.reset());
  afterEach(() => google.server.resetHandlers());
  return {
    google,
    get stack(): Stack {
      if (!stack) throw new Error("stack not started: use it inside a test");
      return stack;
    },
    get key() {
      return key;
    },
  };
}
