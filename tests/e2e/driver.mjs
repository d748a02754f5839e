// Starting and stopping tauri-driver (which starts WebKitWebDriver, which
// starts the app) for a test that drives a Faultline binary.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { Session } from "./webdriver.mjs";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.end();
        r(true);
      });
      s.on("error", () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`tauri-driver did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM (not SIGKILL: that orphans WebKitWebDriver on its port) and wait for exit. */
export async function stopDriver(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => console.error("tauri-driver is slow to exit after SIGTERM"), 5000);
  await exited;
  clearTimeout(t);
}

/**
 * Starts tauri-driver with `env` (the app inherits it) and returns
 * `{ driver, open(application, args) }`; `open` starts the app and returns
 * its WebDriver session. The driver's pid goes to FAULTLINE_E2E_PIDFILE so
 * the calling script can stop it if node dies first.
 */
export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], { stdio: ["ignore", "inherit", "inherit"], env });
  if (process.env.FAULTLINE_E2E_PIDFILE) fs.writeFileSync(process.env.FAULTLINE_E2E_PIDFILE, String(driver.pid));
  await waitForPort(port);
  const open = (application, args = []) => Session.create(`http://127.0.0.1:${port}`, { "tauri:options": { application, args } });
  return { driver, open };
}
