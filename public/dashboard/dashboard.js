// prompt-census dashboard: charts from the stats API, each also as a table and as CSV, drawn with Chart.js served locally.
// The key lives in sessionStorage (this tab only); nothing is fetched from outside this server.
(() => {
  const KEY = "prompt-census.key";
  const COLORS = {
    programming: "#2457d6",
    roleplay: "#d6246e",
    translation: "#15a37f",
    "general-qa": "#f59f00",
    "productivity-writing": "#7048e8",
    education: "#0c8599",
    "creative-writing": "#e8590c",
    adult: "#862e9c",
    technology: "#1c7ed6",
    science: "#2f9e44",
    health: "#e03131",
    finance: "#5c940d",
    legal: "#495057",
    academia: "#9c36b5",
    marketing: "#f76707",
    trivia: "#fab005",
    others: "#adb5bd",
  };
  const EXTRA = [
    "#4dabf7",
    "#f783ac",
    "#63e6be",
    "#ffd43b",
    "#b197fc",
    "#66d9e8",
    "#ffa94d",
    "#a9e34b",
    "#ced4da",
  ];
  const $ = (id) => document.getElementById(id);
  const charts = {};
  window.__charts = charts; // for the browser test and for curious analysts
  const views = window.censusViews(charts); // views.js: each chart as a table and as CSV

  const color = (name, i) => COLORS[name] ?? EXTRA[i % EXTRA.length];
  const iso = (d) => d.toISOString().slice(0, 10);

  function setStatus(text, error = false) {
    $("status").textContent = text;
    $("status").className = error ? "error" : "";
  }

  async function api(path, params) {
    const url = `${path}?${new URLSearchParams(params)}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${sessionStorage.getItem(KEY)}` } });
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem(KEY);
      showKeyForm();
      const err = new Error(res.status === 401 ? "That key is not valid." : "That key lacks the read scope.");
      err.askKey = true; // the page is back at the key form, not in an error state
      throw err;
    }
    const body = await res.json();
    if (!res.ok) throw new Error(body.detail ?? `HTTP ${res.status}`);
    return body;
  }

  function draw(id, config) {
    charts[id]?.destroy();
    charts[id] = new Chart($(id), config);
  }

  const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  /** A share's 95% interval in percent, [low, high], or null (docs/analytics.md "Error bars"). */
  const span = (r, field = "share") =>
    r && r[`${field}Low`] !== null && r[`${field}Low`] !== undefined
      ? [pct(r[`${field}Low`]), pct(r[`${field}High`])]
      : null;
  /** A tooltip line with the interval, when the dataset carries one per point. */
  const withInterval = (c) => {
    const iv = c.dataset.intervals?.[c.dataIndex];
    const v = c.parsed.y !== undefined && c.chart.options.indexAxis !== "y" ? c.parsed.y : c.parsed.x;
    return `${c.dataset.label}: ${v}%${iv ? ` (95%: ${iv[0]}-${iv[1]}%)` : ""}`;
  };

  // Whiskers from each point's `intervals` entry [low, high] on the value axis: the error bars.
  const whiskers = {
    id: "whiskers",
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      chart.data.datasets.forEach((d, di) => {
        const meta = chart.getDatasetMeta(di);
        if (!d.whiskers || !d.intervals || meta.hidden) return;
        const axis = chart.scales[meta.vAxisID];
        meta.data.forEach((el, i) => {
          const iv = d.intervals[i];
          if (!iv) return;
          const [lo, hi] = iv.map((v) => axis.getPixelForValue(v));
          ctx.save();
          ctx.strokeStyle = "#212529";
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          for (const [x1, y1, x2, y2] of [
            [el.x, lo, el.x, hi],
            [el.x - 6, lo, el.x + 6, lo],
            [el.x - 6, hi, el.x + 6, hi],
          ]) {
            ctx.moveTo(x1, y1);
            ctx.lineTo(x2, y2);
          }
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };
  const percentAxis = { stacked: true, min: 0, max: 100, ticks: { callback: (v) => `${v}%` } };

  /** Horizontal bars stacked to 100%, one per label (figures 21-23); intervals in the tooltips. */
  function percentBars(id, labels, datasets) {
    draw(id, {
      type: "bar",
      data: { labels, datasets },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: { x: percentAxis, y: { stacked: true } },
        plugins: { legend: { position: "right" }, tooltip: { callbacks: { label: withInterval } } },
      },
    });
  }

  // Figure 19 (and figure 6, the same for open models): stacked area of each named category's share per period.
  function drawCategoryShare(body, id = "category-share") {
    const periods = [...new Set(body.rows.map((r) => r.period))].sort();
    // named categories with a share in some period (`others` has none)
    const categories = [...new Set(body.rows.filter((r) => r.share !== null).map((r) => r.category))];
    const share = new Map(body.rows.map((r) => [`${r.period}|${r.category}`, r.share]));
    const row = new Map(body.rows.map((r) => [`${r.period}|${r.category}`, r]));
    // biggest first so the stack reads like the study's figure
    const total = (c) => periods.reduce((s, p) => s + (share.get(`${p}|${c}`) ?? 0), 0);
    categories.sort((a, b) => total(b) - total(a));
    // one period is one point per series, which a filled line without points leaves invisible:
    // draw stacked bars then
    const single = periods.length === 1;
    draw(id, {
      type: single ? "bar" : "line",
      data: {
        labels: periods,
        datasets: categories.map((c, i) => ({
          label: c,
          data: periods.map((p) => pct(share.get(`${p}|${c}`) ?? 0)),
          intervals: periods.map((p) => span(row.get(`${p}|${c}`))),
          fill: true,
          borderColor: color(c, i),
          backgroundColor: `${color(c, i)}cc`,
          pointRadius: 0,
          tension: 0.2,
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: { stacked: single }, y: percentAxis },
        plugins: { tooltip: { callbacks: { label: withInterval } } },
      },
    });
    if (id === "category-share") drawCategoryIntervals(body, periods.at(-1), categories);
  }

  const GROUPS = [
    ["closed", "closed", "#495057"],
    ["oss-china", "open, China", "#d6246e"],
    ["oss-row", "open, rest of world", "#2457d6"],
    ["unknown", "unknown to the catalogue", "#ced4da"],
  ];

  // Figures 8-9: a chosen category's split across the model groups per period, stacked to 100%.
  function drawSourceSplit(body, category) {
    const rows = body.rows.filter((r) => r.category === category);
    const periods = [...new Set(body.rows.map((r) => r.period))].sort();
    const at = (p, g) => rows.find((r) => r.period === p && r.group === g);
    draw("source-split", {
      type: "bar",
      data: {
        labels: periods,
        datasets: GROUPS.map(([group, label, color]) => ({
          label,
          data: periods.map((p) => pct(at(p, group)?.shareOfCategory ?? 0)),
          intervals: periods.map((p) => span(at(p, group))),
          backgroundColor: color,
          stack: "s",
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: percentAxis },
        plugins: { tooltip: { callbacks: { label: withInterval } } },
      },
    });
  }

  /** The by-source panel: its category choice (the categories with released rows, biggest
   * first), the split, and how much of the window the catalogue cannot place. */
  function drawSources(body, weight) {
    const volume = new Map();
    for (const r of body.rows) volume.set(r.category, (volume.get(r.category) ?? 0) + r.estimated);
    const categories = [...volume.keys()].sort((a, b) => volume.get(b) - volume.get(a));
    const select = $("source-category");
    const wanted = select.value || new URLSearchParams(location.search).get("category") || "programming";
    select.replaceChildren(
      ...categories.map((c) => Object.assign(document.createElement("option"), { value: c, textContent: c })),
    );
    select.value = categories.includes(wanted) ? wanted : (categories[0] ?? "");
    select.onchange = () => {
      drawSourceSplit(body, select.value);
      views.show("source-split");
    };
    drawSourceSplit(body, select.value);
    const all = body.rows.reduce((s, r) => s + r.estimated, 0);
    const unknown = body.rows.filter((r) => r.group === "unknown").reduce((s, r) => s + r.estimated, 0);
    $("unknown-share").textContent = all
      ? `Models the catalogue does not know: ${pct(unknown / all)}% of the window's released ${weight} (shown as unknown, in neither open nor closed; \`census catalogue check\` lists them).`
      : "No released units in this window.";
  }

  // The last period's category shares, each with its 95% interval as a whisker: how sure each is.
  function drawCategoryIntervals(body, period, categories) {
    const rows = categories.map((c) => body.rows.find((r) => r.period === period && r.category === c));
    draw("category-intervals", {
      type: "bar",
      data: {
        labels: categories,
        datasets: [
          {
            label: `share in the period from ${period ?? "-"}`,
            data: rows.map((r) => pct(r?.share ?? 0)),
            intervals: rows.map((r) => span(r)),
            whiskers: true,
            backgroundColor: categories.map((c, i) => `${color(c, i)}99`),
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        // room for the highest whisker
        scales: {
          y: {
            min: 0,
            suggestedMax: Math.max(0, ...rows.map((r) => span(r)?.[1] ?? 0)),
            ticks: { callback: (v) => `${v}%` },
          },
        },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: withInterval } } },
      },
      plugins: [whiskers],
    });
  }

  // Figure 21: for each category, its top tags as a 100% bar; the rest of the shown tags as "other tags".
  function drawTagComposition(body) {
    const byCategory = new Map();
    for (const r of body.rows) {
      if (r.share === null) continue;
      if (!byCategory.has(r.category)) byCategory.set(r.category, []);
      byCategory.get(r.category).push(r);
    }
    const volume = (rows) => rows.reduce((s, r) => s + (r.estimated ?? 0), 0);
    const categories = [...byCategory.keys()]
      .filter((c) => c !== "others")
      .sort((a, b) => volume(byCategory.get(b)) - volume(byCategory.get(a)))
      .slice(0, 8);
    const top = new Map(
      categories.map((c) => [
        c,
        byCategory
          .get(c)
          .sort((a, b) => b.share - a.share)
          .slice(0, 5),
      ]),
    );
    const tags = [...new Set([...top.values()].flat().map((r) => r.tag))];
    const datasets = tags.map((t, i) => ({
      label: t,
      data: categories.map((c) => pct(top.get(c).find((r) => r.tag === t)?.share ?? 0)),
      intervals: categories.map((c) => span(top.get(c).find((r) => r.tag === t))),
      backgroundColor: EXTRA[i % EXTRA.length],
    }));
    datasets.push({
      label: "other tags",
      data: categories.map((c) => pct(Math.max(0, 1 - top.get(c).reduce((s, r) => s + r.share, 0)))),
      backgroundColor: "#dee2e6",
    });
    percentBars("tag-composition", categories, datasets);
  }

  // Figures 22-23: each author's category mix (named categories) as a 100% bar.
  function drawAuthorMix(body) {
    const rows = body.rows.filter((r) => r.shareOfAuthor !== null);
    const volume = new Map();
    for (const r of rows) volume.set(r.author, (volume.get(r.author) ?? 0) + (r.estimated ?? 0));
    const authors = [...volume.keys()].sort((a, b) => volume.get(b) - volume.get(a)).slice(0, 12);
    const categories = [...new Set(rows.map((r) => r.category))].sort();
    percentBars(
      "author-mix",
      authors,
      categories.map((c, i) => ({
        label: c,
        data: authors.map((a) =>
          pct(rows.find((r) => r.author === a && r.category === c)?.shareOfAuthor ?? 0),
        ),
        intervals: authors.map((a) =>
          span(
            rows.find((r) => r.author === a && r.category === c),
            "shareOfAuthor",
          ),
        ),
        backgroundColor: color(c, i),
      })),
    );
  }

  // Coverage: per period, the share of sampled events Google classified, refused for their
  // language, found too short or invalid (of the released events, as in every chart).
  function drawCoverage(body) {
    const periods = [...new Set(body.rows.map((r) => r.period))];
    const outcomes = [
      ["classified", "#2457d6"],
      ["unsupported_language", "#e8590c"],
      ["too_short", "#ced4da"],
      ["invalid", "#c92a2a"],
    ];
    draw("coverage", {
      type: "bar",
      data: {
        labels: periods,
        datasets: outcomes.map(([outcome, color]) => ({
          label: outcome.replace("_", " "),
          data: periods.map((p) =>
            pct(body.rows.find((r) => r.period === p && r.outcome === outcome)?.share ?? 0),
          ),
          intervals: periods.map((p) => span(body.rows.find((r) => r.period === p && r.outcome === outcome))),
          backgroundColor: color,
          stack: "s",
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { stacked: true, max: 100, title: { display: true, text: "% of sampled events" } } },
        plugins: { tooltip: { callbacks: { label: withInterval } } },
      },
    });
  }

  // Classifier usage: calls made and calls the cache avoided per period (bars), and for Google's
  // engine the estimated cost (line). The emulator's and generated calls cost nothing: no line.
  function drawUsage(body) {
    const periods = body.rows.map((r) => r.period);
    const engine = body.query.engine;
    const priced = engine === "google";
    const calls = priced ? "Google calls" : `${engine} calls`;
    draw("usage", {
      data: {
        labels: periods,
        datasets: [
          // how each answer was obtained, stacked: what the classifier was asked, and what it was not
          ...[
            [calls, "calls", "#2457d6"],
            ["cache hits", "cacheHits", "#63e6be"],
          ].map(([label, field, color]) => ({
            type: "bar",
            label,
            data: body.rows.map((r) => r[field]),
            backgroundColor: color,
            stack: "n",
          })),
          ...(priced
            ? [
                {
                  type: "line",
                  label: "estimated cost (USD)",
                  data: body.rows.map((r) => r.estimatedCostUsd),
                  borderColor: "#e8590c",
                  yAxisID: "cost",
                  pointRadius: 2,
                },
              ]
            : []),
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { stacked: true, title: { display: true, text: "events" } },
          ...(priced
            ? {
                cost: {
                  position: "right",
                  grid: { drawOnChartArea: false },
                  title: { display: true, text: "USD" },
                },
              }
            : {}),
        },
      },
    });
    const n = body.rows.reduce((s, r) => s + r.calls, 0);
    const hits = body.rows.reduce((s, r) => s + r.cacheHits, 0);
    const rate = n + hits ? Math.round((100 * hits) / (n + hits)) : 0;
    const cost = body.rows.reduce((s, r) => s + (r.estimatedCostUsd ?? 0), 0);
    $("usage-summary").textContent = priced
      ? `${n} Google calls, ${hits} answered from the cache (${rate}%), about $${cost.toFixed(2)} at $${body.pricePer1kUnits} per 1,000 units.`
      : `${n} ${calls} (none went to Google: no cost), ${hits} answered from the cache (${rate}%).`;
  }

  /** Emulator or demo data: say so above every chart, in the answer's own words. */
  function showBanner(body) {
    const notice = body.notes.find((n) => n.startsWith("Engine "));
    $("engine-banner").hidden = !notice;
    $("engine-banner").textContent = notice ?? "";
  }

  async function load() {
    document.body.dataset.state = "loading";
    setStatus("Loading…");
    const span = { from: $("from").value, to: $("to").value };
    const chosen = $("engine").value;
    const weight = $("weight").value;
    try {
      // the categories first: with no engine chosen, their answer names the engine of the data,
      // and every other chart asks for that one, so the charts never mix engines
      const categories = await api("/v1/stats/categories", {
        ...span,
        ...(chosen ? { engine: chosen } : {}),
        interval: $("interval").value,
        weight,
      });
      const common = { ...span, engine: categories.query.engine };
      const [tags, authors, usage, coverage, oss, sources] = await Promise.all([
        api("/v1/stats/tags", {
          ...common,
          interval: "range",
          weight: weight === "spend" ? "tokens" : weight,
        }),
        api("/v1/stats/authors", { ...common, interval: "range", weight }),
        api("/v1/stats/usage", { ...common, interval: $("interval").value }),
        api("/v1/stats/coverage", { ...common, interval: $("interval").value }),
        api("/v1/stats/categories", { ...common, interval: $("interval").value, weight, source: "oss" }),
        api("/v1/stats/sources", { ...common, interval: $("interval").value, weight }),
      ]);
      $("k").textContent = String(categories.kMinEvents);
      $("mapping").textContent = `${categories.mapping.scheme} (${categories.mapping.version})`;
      showBanner(categories);
      $("charts").hidden = false;
      drawCategoryShare(categories);
      drawTagComposition(tags);
      drawAuthorMix(authors);
      drawUsage(usage);
      drawCoverage(coverage);
      drawCategoryShare(oss, "oss-share");
      drawSources(sources, weight);
      for (const id of Object.keys(charts)) views.show(id);
      setStatus(
        `Engine ${categories.query.engine}${chosen ? "" : " (the data's)"}: ${categories.rows.length} category cells, each a sum of units of at least ${categories.kMinEvents} events (the privacy floor).${weight === "spend" ? " Tags are weighted by tokens (spend is not kept per tag)." : ""}`,
      );
      document.body.dataset.state = "ready";
    } catch (err) {
      setStatus(err.message, true);
      document.body.dataset.state = err.askKey ? "key" : "error";
    }
  }

  function showKeyForm() {
    $("key-form").hidden = false;
    $("controls").hidden = true;
    $("charts").hidden = true;
    document.body.dataset.state = "key";
  }

  function start() {
    const params = new URLSearchParams(location.search);
    const to = new Date(Date.now() + 86_400_000);
    $("to").value = params.get("to") ?? iso(to);
    $("from").value = params.get("from") ?? iso(new Date(to.getTime() - 26 * 7 * 86_400_000));
    for (const id of ["interval", "weight", "engine"]) if (params.get(id)) $(id).value = params.get(id);
    views.add();
    $("key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, $("key").value.trim());
      $("key").value = "";
      $("key-form").hidden = true;
      $("controls").hidden = false;
      load();
    });
    $("controls").addEventListener("submit", (e) => {
      e.preventDefault();
      load();
    });
    $("forget").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      showKeyForm();
    });
    if (sessionStorage.getItem(KEY)) {
      $("controls").hidden = false;
      load();
    } else showKeyForm();
  }

  start();
})();
