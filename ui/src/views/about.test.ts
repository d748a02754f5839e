import { describe, expect, it } from "vitest";
// The files the panel must agree with, read as text at test time.
import cargoToml from "../../../Cargo.toml?raw";
import copyright from "../../../packaging/copyright?raw";
import { AboutPanel, CREDITS, LICENCE } from "./about";

const info = { name: "Faultline", version: "0.1.0", tauriVersion: "2.12.5" };

describe("About panel", () => {
  it("shows the running binary's name and version, the licence and the credits", async () => {
    const about = new AboutPanel(async () => info);
    await about.open();
    expect(about.el.hidden).toBe(false);
    expect(about.el.querySelector("#about-title")?.textContent).toBe("Faultline");
    expect(about.el.querySelector("[data-testid=about-version]")?.textContent).toBe("0.1.0");
    expect(about.el.querySelector("[data-testid=about-licence]")?.textContent).toBe("MIT");
    const credits = about.el.querySelector("[data-testid=about-credits]")?.textContent ?? "";
    for (const c of CREDITS) expect(credits).toContain(c.name);
  });

  it("says the version could not be read instead of showing a stale or empty one", async () => {
    const about = new AboutPanel(async () => {
      throw { code: "internal", message: "app.version not allowed" };
    });
    await about.open();
    expect(about.el.querySelector("[data-testid=about-version]")?.textContent).toBe("unknown");
    expect(about.el.textContent).toContain("app.version not allowed");
  });

  it("closes on Escape and on its button", async () => {
    const about = new AboutPanel(async () => info);
    await about.open();
    about.el.querySelector("[data-testid=about-card], [role=dialog]")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(about.el.hidden).toBe(true);
    await about.open();
    about.el.querySelector<HTMLButtonElement>("[data-testid=about-close]")!.click();
    expect(about.el.hidden).toBe(true);
  });

  it("states the licence Cargo.toml declares", () => {
    const declared = /\[workspace\.package\][^[]*?\blicense\s*=\s*"([^"]+)"/.exec(cargoToml)?.[1];
    expect(declared).toBe(LICENCE);
  });
});

describe("the package's copyright file", () => {
  it("credits everything the About panel credits", () => {
    for (const c of CREDITS) expect(copyright).toContain(c.name);
    expect(copyright).toContain(`${LICENCE} licence`);
  });
});
