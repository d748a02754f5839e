// A minimal W3C WebDriver client over fetch (Node 20). tauri-driver speaks
// plain W3C WebDriver; the dozen endpoints the test needs do not justify
// webdriverio's dependency tree (and its optional browser/driver downloads).
// Spec: https://www.w3.org/TR/webdriver2/

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf"; // the W3C web element identifier

/** WebDriver's code points of the keys that are not characters. */
export const KEY = { Control: "\uE009", Shift: "\uE008", Enter: "\uE007", Escape: "\uE00C", Tab: "\uE004", ArrowDown: "\uE015", ArrowUp: "\uE013" };

function elementId(ref) {
  const id = ref && (ref[ELEMENT] ?? ref.ELEMENT);
  if (typeof id !== "string") throw new Error(`not an element reference: ${JSON.stringify(ref)}`);
  return id;
}

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path} -> ${status}: ${value?.error ?? ""} ${value?.message ?? JSON.stringify(value)}`);
    this.value = value;
  }
}

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) throw new WebDriverError(method, path, res.status, json.value);
  return json.value;
}

/**
 * Runs a polling command; while the page is being replaced (a reload) the
 * driver answers "no such frame" or loses the script to the unload, which
 * for a poll means "not yet": `fallback` is returned and the poll goes on.
 */
async function settling(command, fallback) {
  try {
    return await command();
  } catch (e) {
    if (e instanceof WebDriverError && /no such frame|before the unload/i.test(e.message)) return fallback;
    throw e;
  }
}

export class Session {
  static async create(base, capabilities) {
    const v = await request(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, v.sessionId);
  }

  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async delete() {
    await request(this.base, "DELETE", `/session/${this.id}`);
  }

  async findAll(css) {
    const els = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return els.map((e) => new Element(this, elementId(e)));
  }

  async find(css) {
    const e = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this, elementId(e), css);
  }

  /** Reloads the page and returns once the new one has loaded (W3C Refresh). */
  async reload() {
    await this.cmd("POST", "/refresh", {});
  }

  /** Polls until `css` matches at least `count` elements. */
  async waitFor(css, { count = 1, timeout = 20000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const els = await settling(() => this.findAll(css), []);
      if (els.length >= count) return els;
      if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${count} × ${css} (found ${els.length})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Polls a script until it returns something truthy. */
  async waitUntil(script, args = [], { timeout = 20000, what = script } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await settling(() => this.execute(script, args), null);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  /**
   * Presses keys as a user would, through the focused element (W3C Actions):
   * each chord is an array of keys held together, e.g. [KEY.Control, "f"];
   * a string is one key.
   */
  async keys(...chords) {
    const actions = [];
    for (const chord of chords) {
      const ks = Array.isArray(chord) ? chord : [chord];
      for (const k of ks) actions.push({ type: "keyDown", value: k });
      for (const k of [...ks].reverse()) actions.push({ type: "keyUp", value: k });
    }
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions").catch(() => {});
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }
}

export class Element {
  /** `css`: the selector it was found by, when it was found by one (see `click`). */
  constructor(session, id, css = null) {
    this.s = session;
    this.id = id;
    this.css = css;
  }

  /**
   * Clicks it. The page redraws a panel when data arrives (the recent cases
   * after a reload, hits as they stream): an element found by a selector and
   * redrawn before the click is found again and clicked, as a user would click
   * the button now on the screen.
   */
  async click() {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.s.cmd("POST", `/element/${this.id}/click`, {});
      } catch (e) {
        if (!(e instanceof WebDriverError) || !/stale element/i.test(e.message) || !this.css || attempt === 3) throw e;
        this.id = (await this.s.find(this.css)).id;
      }
    }
  }

  text() {
    return this.s.cmd("GET", `/element/${this.id}/text`);
  }

  attr(name) {
    return this.s.cmd("GET", `/element/${this.id}/attribute/${encodeURIComponent(name)}`);
  }

  clear() {
    return this.s.cmd("POST", `/element/${this.id}/clear`, {});
  }

  type(text) {
    return this.s.cmd("POST", `/element/${this.id}/value`, { text });
  }

  async findAll(css) {
    const els = await this.s.cmd("POST", `/element/${this.id}/elements`, { using: "css selector", value: css });
    return els.map((e) => new Element(this.s, elementId(e)));
  }
}
