import "./styles.css";

// A failure before the first render would leave a blank window; show it.
function fatal(what: unknown): void {
  const root = document.getElementById("app") ?? document.body;
  const box = document.createElement("pre");
  box.className = "fatal";
  box.textContent = `Faultline could not start:\n${what instanceof Error ? `${what.message}\n${what.stack ?? ""}` : String(what)}`;
  root.replaceChildren(box);
}

// Loaded dynamically so that an error while a module initializes (not just
// while the app starts) reaches `fatal` instead of leaving a blank window.
import("./app")
  .then(({ App }) => {
    const root = document.getElementById("app");
    if (!root) throw new Error("#app is missing from index.html");
    new App(root).start();
  })
  .catch(fatal);
