import { existsSync, mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttp } from "../src/runtime";
import { BACKSTOP_MS } from "./support/progress";
import { seed } from "./support/seed";
import { createStack, type Stack } from "./support/stack";

// The dashboard in headless Chromium (Debian's chromium + playwright-core) over seeded events in
// 2017: each chart must draw the expected series. A screenshot lands in test-artifacts/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
const ARTIFACTS = new URL("../test-artifacts/", import.meta.url);
// Each page wait is one state change with nothing to measure: a deadline a browser on a loaded
// 2-core machine meets (Playwright's default is 30 s).
const PAGE_WAIT_MS = 60_000;

type ChartSummary = { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };

describe.skipIf(!haveChromium)("dashboard in headless Chromium", () => {
  let stack: Stack;
  let http: { port: number; close(): Promise<void> };
  let key: string;

  beforeAll(async () => {
    stack = await createStack({ worker: false });
    key = await stack.key("read");
    http = await startHttp(stack.deps, 0);
    const pool = stack.deps.pool;
    const prog = [{ path: "/Computers & Electronics/Programming/Other", tag: "programming-other" }];
    const tools = [
      { path: "/Computers & Electronics/Programming/Development Tools", tag: "development-tools" },
    ];
    const rp = [
      { path: "/Games/Roleplaying Games", tag: "roleplaying-games" },
      {
        path: "/Books & Literature/Writers Resources",
        tag: "writers-resources",
        category: "creative-writing",
      },
    ];
    for (const day of ["2017-01-02", "2017-01-09", "2017-01-16"]) {
      await seed(pool, [
        {
          day,
          category: "programming",
          model: "anthropic/claude-sonnet-4.5",
          n: 20,
          promptTokens: 1000,
          labels: prog,
        },
        { day, category: "programming", model: "openai/gpt-5", n: 10, promptTokens: 1000, labels: tools },
        { day, category: "roleplay", model: "openai/gpt-5", n: 15, promptTokens: 1000, labels: rp },
        { day, category: "translation", model: "google/gemini-2.5-pro", n: 12, promptTokens: 500 },
        { day, category: "others", model: "google/gemini-2.5-pro", n: 12, promptTokens: 500 },
        { day, category: "legal", model: "openai/gpt-5", n: 2, promptTokens: 500 }, // under k: hidden
        // answered from the cache, in the long tail and without tokens: only the usage chart sees them
        { day, category: "others", model: "openai/gpt-5", n: 6, promptTokens: 0, answerSource: "cache" },
        // refused by Google for their language: only the coverage chart sees them
        { day, category: "others", outcome: "unsupported_language", language: "ja", n: 11, promptTokens: 0 },
      ]);
    }
    // February: by source (figures 6, 8-9), closed, open from China and elsewhere, and a model the
    // catalogue does not know
    for (const day of ["2017-02-06", "2017-02-13"]) {
      await seed(pool, [
        { day, category: "roleplay", model: "deepseek/deepseek-chat", n: 12, promptTokens: 1000 },
        { day, category: "roleplay", model: "meta-llama/llama-3.3-70b-instruct", n: 10, promptTokens: 1000 },
        { day, category: "programming", model: "qwen/qwen3-coder", n: 10, promptTokens: 1000 },
        { day, category: "programming", model: "anthropic/claude-sonnet-4.5", n: 20, promptTokens: 1000 },
        { day, category: "programming", model: "acme/secret-model", n: 10, promptTokens: 1000 },
      ]);
    }
  });
  afterAll(async () => {
    await http?.close();
    await stack?.close();
  });

  it(
    "draws category share, tag composition and author mix, offline, from the key entered once",
    async () => {
      const { chromium } = await import("playwright-core");
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-quic",
          "--no-first-run",
        ],
      });
      try {
        const base = `http://127.0.0.1:${http.port}`;
        const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
        page.setDefaultTimeout(PAGE_WAIT_MS);
        const foreign: string[] = [];
        page.on("request", (r) => {
          if (!r.url().startsWith(base)) foreign.push(r.url());
        });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));

        await page.goto(`${base}/dashboard?from=2017-01-02&to=2017-01-23&engine=synthetic&interval=week`);
        await page.waitForSelector("#key-form:not([hidden])");
        await page.fill("#key", key);
        await page.click("#key-form button[type=submit]");
        await page.waitForSelector("body[data-state=ready]");

        const summary = (id: string) =>
          page.evaluate((chartId) => {
            const chart = (globalThis as unknown as { __charts: Record<string, ChartSummaryInPage> })
              .__charts[chartId];
            type ChartSummaryInPage = {
              data: { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };
            };
            return chart
              ? {
                  labels: chart.data.labels,
                  datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
                }
              : null;
          }, id) as Promise<ChartSummary | null>;

        // figure 19: one series per named category, biggest first, stacking to 100% each week
        const share = await summary("category-share");
        expect(share?.labels).toEqual(["2017-01-02", "2017-01-09", "2017-01-16"]);
        expect(share?.datasets.map((d) => d.label)).toEqual(["programming", "roleplay", "translation"]);
        for (let i = 0; i < 3; i++) {
          expect(share?.datasets.reduce((s, d) => s + (d.data[i] ?? 0), 0)).toBeCloseTo(100, 0);
        }
        expect(share?.datasets[0]?.data).toEqual([58.8, 58.8, 58.8]); // 60k of 102k estimated tokens

        // the last period's shares with their 95% intervals, drawn as whiskers
        const bars = await summary("category-intervals");
        expect(bars?.labels).toEqual(["programming", "roleplay", "translation"]);
        expect(bars?.datasets[0]?.data[0]).toBe(58.8);
        const drawn = await page.evaluate(() => {
          const chart = (
            globalThis as unknown as {
              __charts: Record<
                string,
                { config: { plugins: { id: string }[] }; data: { datasets: { intervals: number[][] }[] } }
              >;
            }
          ).__charts["category-intervals"];
          return {
            plugins: chart?.config.plugins.map((p) => p.id),
            intervals: chart?.data.datasets[0]?.intervals,
          };
        });
        expect(drawn.plugins).toContain("whiskers");
        (bars?.datasets[0]?.data ?? []).forEach((v, i) => {
          const [low, high] = drawn.intervals?.[i] ?? [];
          expect(low !== undefined && high !== undefined && low <= (v ?? 0) && (v ?? 0) <= high).toBe(true);
        });

        // figure 21: categories as 100% bars of their tags
        const tags = await summary("tag-composition");
        expect(tags?.labels).toEqual(["programming", "roleplay"]);
        const tag = (label: string) => tags?.datasets.find((d) => d.label === label)?.data;
        expect(tag("programming-other")).toEqual([66.7, 0]);
        expect(tag("development-tools")).toEqual([33.3, 0]);
        expect(tag("roleplaying-games")).toEqual([0, 50]);
        expect(tag("writers-resources")).toEqual([0, 50]);

        // figures 22-23: each author's category mix
        const authors = await summary("author-mix");
        expect(authors?.labels).toEqual(["openai", "anthropic", "google"]);
        const mix = (category: string) => authors?.datasets.find((d) => d.label === category)?.data;
        expect(mix("programming")).toEqual([40, 100, 0]);
        expect(mix("roleplay")).toEqual([60, 0, 0]);
        expect(mix("translation")).toEqual([0, 0, 100]);
        expect(authors?.datasets.map((d) => d.label)).not.toContain("legal"); // under k

        // Google usage: calls and cache hits per week, and the estimate
        const usage = await summary("usage");
        expect(usage?.labels).toEqual(["2017-01-02", "2017-01-09", "2017-01-16"]);
        const usageSeries = (label: string) => usage?.datasets.find((d) => d.label === label)?.data;
        expect(usageSeries("synthetic calls")).toEqual([82, 82, 82]); // refusals are calls too
        expect(usageSeries("cache hits")).toEqual([6, 6, 6]);
        // no call of engine synthetic went to Google: counted, never priced
        expect(usage?.datasets.map((d) => d.label)).not.toContain("estimated cost (USD)");
        expect(await page.textContent("#usage-summary")).toMatch(
          /^246 synthetic calls \(none went to Google: no cost\), 18 answered from the cache \(7%\)/,
        );

        // coverage, among released events: per week 69 classified (legal's 2 and the cached 6 are
        // in no released unit) and 11 refused for their language
        const coverage = await summary("coverage");
        const covered = (label: string) => coverage?.datasets.find((d) => d.label === label)?.data;
        expect(covered("classified")).toEqual([86.3, 86.3, 86.3]);
        expect(covered("unsupported language")).toEqual([13.8, 13.8, 13.8]);

        expect(await page.textContent("#status")).toMatch(
          /each a sum of units of at least 10 events \(the privacy floor\)/,
        );
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: new URL("dashboard.png", ARTIFACTS).pathname, fullPage: true });

        // the key is kept for the session: a reload goes straight to the charts
        await page.reload();
        await page.waitForSelector("body[data-state=ready]");
        expect(await page.isHidden("#key-form")).toBe(true);

        // one week, no engine chosen: the data's engine, said in a banner; figure 19 as bars (a
        // filled line through one point draws nothing); each chart as a table and as CSV
        await page.goto(`${base}/dashboard?from=2017-01-09&to=2017-01-16&interval=week`);
        await page.waitForSelector("body[data-state=ready]");
        expect(await page.textContent("#status")).toMatch(/^Engine synthetic \(the data's\)/);
        expect(await page.isVisible("#engine-banner")).toBe(true);
        expect(await page.textContent("#engine-banner")).toMatch(/^Engine synthetic: demo data/);
        const one = await summary("category-share");
        expect(one?.labels).toEqual(["2017-01-09"]);
        expect(one?.datasets[0]?.data).toEqual([58.8]);
        expect(
          await page.evaluate(
            () =>
              (globalThis as unknown as { __charts: Record<string, { config: { type: string } }> }).__charts[
                "category-share"
              ]?.config.type,
          ),
        ).toBe("bar");
        expect(await page.isHidden("#category-share-table")).toBe(true);
        await page.click("section:has(#category-share) .views button");
        await page.waitForSelector("#category-share-table:not([hidden])");
        const table = await page.$$eval("#category-share-table tr", (trs) =>
          trs.map((tr) => [...tr.children].map((c) => c.textContent)),
        );
        expect(table).toEqual([
          ["period", "programming (%)", "roleplay (%)", "translation (%)"],
          ["2017-01-09", ...(one?.datasets.map((d) => String(d.data[0])) ?? [])],
        ]);
        const csv = await page.getAttribute("section:has(#category-share) a.csv", "data-csv");
        expect(csv).toBe(
          `"period","programming (%)","roleplay (%)","translation (%)"\r\n"2017-01-09",${one?.datasets.map((d) => d.data[0]).join(",")}\r\n`,
        );
        expect(await page.getAttribute("section:has(#category-share) a.csv", "href")).toMatch(/^blob:/);

        // by source: figure 6 (open models' category share), one category split across the
        // groups (figures 8-9), and the catalogue's unknown share said under them
        await page.goto(`${base}/dashboard?from=2017-02-06&to=2017-02-20&engine=synthetic&interval=week`);
        await page.waitForSelector("body[data-state=ready]");
        const open = await summary("oss-share");
        expect(open?.labels).toEqual(["2017-02-06", "2017-02-13"]);
        expect(open?.datasets.map((d) => [d.label, d.data])).toEqual([
          ["roleplay", [68.8, 68.8]], // 22 of the open models' 32 events, the study's roleplay-first mix
          ["programming", [31.3, 31.3]],
        ]);
        const groups = ["closed", "open, China", "open, rest of world", "unknown to the catalogue"];
        const split = async () => {
          const s = await summary("source-split");
          expect(s?.datasets.map((d) => d.label)).toEqual(groups);
          return s?.datasets.map((d) => d.data[0]);
        };
        expect(await page.$$eval("#source-category option", (os) => os.map((o) => o.textContent))).toEqual([
          "programming",
          "roleplay",
        ]);
        expect(await split()).toEqual([50, 25, 0, 25]); // Claude 20, Qwen 10, acme/secret-model 10
        await page.selectOption("#source-category", "roleplay");
        expect(await split()).toEqual([0, 54.5, 45.5, 0]);
        expect(await page.textContent("#unknown-share")).toMatch(
          /^Models the catalogue does not know: 16\.1% of the window's released tokens/,
        );

        expect(foreign).toEqual([]); // no CDN, nothing from outside
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    BACKSTOP_MS,
  );

  it(
    "asks for the key again when it is not a read key",
    async () => {
      const { chromium } = await import("playwright-core");
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      try {
        const page = await browser.newPage();
        page.setDefaultTimeout(PAGE_WAIT_MS);
        await page.goto(`http://127.0.0.1:${http.port}/dashboard`);
        await page.fill("#key", await stack.key("ingest"));
        await page.click("#key-form button[type=submit]");
        await page.waitForSelector("body[data-state=key]");
        expect(await page.textContent("#status")).toMatch(/read scope/);
      } finally {
        await browser.close();
      }
    },
    BACKSTOP_MS,
  );
});
