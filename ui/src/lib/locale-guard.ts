// Under LANG=C (CI, containers, minimal desktops) WebKitGTK reports
// `navigator.language === "C"`, which is not a BCP 47 tag: uPlot calls
// `new Intl.NumberFormat(navigator.language)` while its module loads and the
// whole UI dies with "RangeError: invalid language tag: C". Import this
// module before uPlot: it replaces an invalid tag with en-US.

export function usableLanguage(tag: string | undefined): string {
  if (!tag) return "en-US";
  try {
    new Intl.NumberFormat(tag);
    return tag;
  } catch {
    return "en-US";
  }
}

if (typeof navigator !== "undefined") {
  const lang = usableLanguage(navigator.language);
  if (lang !== navigator.language) {
    Object.defineProperty(navigator, "language", { configurable: true, get: () => lang });
    Object.defineProperty(navigator, "languages", { configurable: true, get: () => [lang] });
  }
}
