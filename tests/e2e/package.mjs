// The installed package, used as an analyst would after `apt-get install
// ./Faultline_…deb`: a .faultline case opens in the installed app from the
// file manager (the desktop entry and the MIME type the package registered)
// and from the command line, the window shows the analysis, and the About
// panel names the packaged version. Run by scripts/package-test.sh, which
// installs the package, makes the case with the installed `faultline` CLI
// and provides the X display:
//
//   FAULTLINE_CASE=/tmp/x/sample.faultline FAULTLINE_VERSION=0.1.0 xvfb-run -a node tests/e2e/package.mjs
import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDriver, stopDriver } from "./driver.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const app = process.env.FAULTLINE_APP ?? "/usr/bin/faultline-desktop";
const casePath = process.env.FAULTLINE_CASE;
const version = process.env.FAULTLINE_VERSION;
const shots = path.resolve(root, process.env.FAULTLINE_SCREENSHOTS ?? "target/e2e-screenshots");

let step = 0;
function log(msg) {
  step += 1;
  console.log(`package ${String(step).padStart(2, "0")}: ${msg}`);
}

async function screenshot(s, name) {
  await s.executeAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
  fs.mkdirSync(shots, { recursive: true });
  const file = path.join(shots, `${name}.png`);
  fs.writeFileSync(file, await s.screenshot());
  console.log(`      screenshot ${path.relative(root, file)}`);
}

/** Running processes of the installed app: [{ pid, args }]. */
function appProcesses() {
  const out = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/exe`) !== app) continue;
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      out.push({ pid: Number(pid), args });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/**
 * A double click in a file manager: `gio open` asks GLib, as Nautilus and
 * the GTK file chooser do, for the file's type (from the MIME database the
 * package's faultline.xml joined) and for that type's application (the
 * package's desktop entry), and runs its Exec line with the file's path.
 * The app it starts is found by its executable and stopped with SIGTERM.
 */
async function openedFromFileManager(env) {
  const before = new Set(appProcesses().map((p) => p.pid));
  const gio = spawn("gio", ["open", casePath], { stdio: ["ignore", "inherit", "inherit"], env });
  const gioExit = new Promise((r) => gio.once("exit", r));
  const end = Date.now() + 20000;
  let started = null;
  while (!started && Date.now() < end) {
    started = appProcesses().find((p) => !before.has(p.pid)) ?? null;
    if (!started) await new Promise((r) => setTimeout(r, 100));
  }
  await gioExit;
  assert.ok(started, `gio open ${casePath} started no ${app}`);
  process.kill(started.pid, "SIGTERM");
  return started.args;
}

async function run(open, env) {
  log("a double-clicked .faultline file starts the installed app with its path");
  const args = await openedFromFileManager(env);
  assert.deepEqual(args.slice(1), [casePath], `the app was started as: ${args.join(" ")}`);

  log("the installed app opens the case named on its command line");
  const s = await open(app, [casePath]);
  try {
    const suspects = await s.waitFor("[data-testid=suspect]", { timeout: 60000 });
    assert.ok(suspects.length >= 1);
    await s.waitFor("[data-testid=timeline-entry]");
    await s.waitFor(".chart-host canvas");
    const title = await s.execute("return document.querySelector('.case-title').title;");
    assert.equal(title, casePath, "the window says which case file it shows");

    log("in the incident's zone, the top suspect is the 11:20 config push");
    // A case keeps no display zone: the analyst picks the incident's, +03:00.
    await s.execute(
      "const z = document.querySelector('[aria-label=\"Display time zone\"]'); z.value = '+03:00'; z.dispatchEvent(new Event('change'));",
    );
    const top = await s.waitUntil(
      "const t = document.querySelector('[data-testid=suspect]'); return t && /11:20/.test(t.textContent) && t.textContent;",
      [],
      { what: "the top suspect at 11:20 (+03:00)" },
    );
    assert.match(top, /likely root cause/i, `top suspect: ${top}`);
    await screenshot(s, "package-01-installed-app-on-the-sample-case");

    log("the About panel shows the packaged version and the licence");
    await (await s.find("[data-testid=about]")).click();
    const shown = await s.waitUntil(
      "const v = document.querySelector('[data-testid=about-version]'); return v && v.textContent !== '…' && v.textContent;",
      [],
      { what: "the version in the About panel" },
    );
    assert.equal(shown, version);
    assert.equal(await (await s.find("[data-testid=about-licence]")).text(), "MIT");
    await screenshot(s, "package-02-about");
  } finally {
    await s.delete().catch(() => {});
  }
}

async function main() {
  if (!casePath || !version) throw new Error("FAULTLINE_CASE and FAULTLINE_VERSION are required (scripts/package-test.sh sets them)");
  if (!fs.existsSync(app)) throw new Error(`${app} does not exist: install the package first`);
  if (!process.env.DISPLAY) throw new Error("no display: run under xvfb-run (scripts/package-test.sh does)");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-package-"));
  // A fresh user's folders: the recent-cases list and the cache start empty.
  const env = { ...process.env, TMPDIR: tmp, XDG_CACHE_HOME: path.join(tmp, "cache"), XDG_CONFIG_HOME: path.join(tmp, "config") };
  const { driver, open } = await startDriver(env);
  let failed = false;
  try {
    await run(open, env);
    console.log(`package: ${step} passed, 0 failed`);
  } catch (e) {
    failed = true;
    console.error(`package: FAILED at step ${step}: ${e.stack ?? e}`);
    console.log(`package: ${Math.max(step - 1, 0)} passed, 1 failed`);
  } finally {
    await stopDriver(driver);
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); // the app may still be writing its shader cache
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
