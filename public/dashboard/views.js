// prompt-census dashboard: every chart as a table and as a CSV download, exactly the numbers it
// draws (its labels by its series). Loaded before dashboard.js, which calls censusViews(charts).
window.censusViews = (charts) => {
  const FIRST_COLUMN = {
    "category-share": "period",
    "category-intervals": "category",
    "tag-composition": "category",
    "author-mix": "author",
    coverage: "period",
    usage: "period",
    "oss-share": "period",
    "source-split": "period",
  };
  const PERCENT = new Set([
    "category-share",
    "category-intervals",
    "tag-composition",
    "author-mix",
    "coverage",
    "oss-share",
    "source-split",
  ]);

  function chartTable(id) {
    const { labels, datasets } = charts[id].data;
    const unit = PERCENT.has(id) ? " (%)" : "";
    return [
      [FIRST_COLUMN[id], ...datasets.map((d) => `${d.label}${unit}`)],
      ...labels.map((label, i) => [label, ...datasets.map((d) => d.data[i] ?? null)]),
    ];
  }

  // RFC 4180, every text cell quoted, and a cell that a spreadsheet would run as a formula (model
  // and author names come from routers) prefixed with a quote, as the API's CSV does.
  function csvCell(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return String(v);
    const text = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(String(v)) ? `'${v}` : String(v);
    return `"${text.replaceAll('"', '""')}"`;
  }

  function show(id) {
    const section = document.getElementById(id).closest("section");
    const rows = chartTable(id);
    const table = section.querySelector("table.data-table");
    table.replaceChildren();
    rows.forEach((cells, r) => {
      const tr = document.createElement("tr");
      for (const c of cells) {
        const cell = document.createElement(r === 0 ? "th" : "td");
        cell.textContent = c === null ? "" : String(c);
        tr.append(cell);
      }
      (r === 0 ? table.createTHead() : table.tBodies[0] || table.createTBody()).append(tr);
    });
    const link = section.querySelector("a.csv");
    if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
    const csv = `${rows.map((cells) => cells.map(csvCell).join(",")).join("\r\n")}\r\n`;
    link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
    link.dataset.csv = csv; // what the download holds, for the browser test
  }

  /** The table toggle and the CSV link under each chart, made once. */
  function add() {
    for (const section of document.querySelectorAll("section[data-chart]")) {
      const id = section.querySelector("canvas").id;
      const views = document.createElement("div");
      views.className = "views";
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.textContent = "Show table";
      const link = document.createElement("a");
      link.className = "csv";
      link.download = `${id}.csv`;
      link.textContent = "Download CSV";
      const table = document.createElement("table");
      table.className = "data-table";
      table.id = `${id}-table`;
      table.hidden = true;
      toggle.addEventListener("click", () => {
        table.hidden = !table.hidden;
        toggle.textContent = table.hidden ? "Show table" : "Hide table";
      });
      views.append(toggle, link);
      section.append(views, table);
    }
  }

  return { add, show };
};
