import { describe, expect, it } from "vitest";
import { App } from "./app";

describe("App outside Tauri", () => {
  it("renders the empty state with the sample button and says commands are unavailable", () => {
    const root = document.createElement("div");
    document.body.append(root);
    new App(root).start();
    expect(root.querySelector("[data-testid=empty-state]")).not.toBeNull();
    expect(root.querySelector("[data-testid=open-sample]")?.textContent).toBe("Open the sample incident");
    expect(root.querySelector(".toast")?.textContent).toMatch(/Not running inside the Faultline app/);
  });
});
