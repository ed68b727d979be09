// Open one HTML file in headless Chromium, run axe-core over it (WCAG 2.1 A and AA rules and
// axe's best practices) and print a JSON object on stdout: {"violations": [...], "focus": [...], "title": "..."}.
//
//   node axe_check.mjs PAGE.html [--screenshot OUT.png] [--tabs N] [--width W] [--height H]
//                    [--select ID=VALUE ...] [--eval EXPRESSION]
//
// --select sets a <select> (by id) to a value and fires its change event, as a user would,
// before the audit; --eval evaluates a JavaScript expression in the page afterwards and returns
// its (JSON) value as "eval". --tabs N presses Tab N times and lists the element that has the focus after each press
// (tag, id, role, accessible text), so a test can check the keyboard order. The browser is
// $CHROMIUM, else chromium / chromium-browser / google-chrome on the PATH.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const page_path = args[0];
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

function browser_path() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim();
    } catch {}
  }
  throw new Error("no Chromium found (set CHROMIUM)");
}

const browser = await puppeteer.launch({
  executablePath: browser_path(),
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: Number(option("--width", 1280)), height: Number(option("--height", 900)) });
  const failed_requests = [];
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("file:") && !url.startsWith("data:") && !url.startsWith("about:")) failed_requests.push(url);
  });
  await page.goto(pathToFileURL(path.resolve(page_path)).href, { waitUntil: "load" });
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== "--select") continue;
    const [id, ...rest] = args[i + 1].split("=");
    await page.select(`#${id}`, rest.join("="));
  }
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(async () =>
    await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
  const violations = result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200), summary: n.failureSummary })),
  }));
  const focus = [];
  const tabs = Number(option("--tabs", 0));
  for (let i = 0; i < tabs; i++) {
    await page.keyboard.press("Tab");
    focus.push(await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      return { tag: el.tagName.toLowerCase(), id: el.id || null, role: el.getAttribute("role"),
               text: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 80) };
    }));
  }
  const expression = option("--eval", null);
  const evaluated = expression ? await page.evaluate(expression) : null;
  const shot = option("--screenshot", null);
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  process.stdout.write(JSON.stringify({ title: await page.title(), violations, focus, eval: evaluated,
                                        external_requests: failed_requests }));
} finally {
  await browser.close();
}
