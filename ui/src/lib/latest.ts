// Replies can arrive in any order: a request started later must not be
// overwritten by one started earlier that answered late.

/** Hands out tickets; only the newest one is current. */
export class Latest {
  private issued = 0;

  /** Starts a request: the returned check is true while no newer request (or `cancel`) came. */
  begin(): () => boolean {
    const ticket = ++this.issued;
    return () => ticket === this.issued;
  }

  /** Makes every outstanding request stale, so a late reply is dropped. */
  cancel(): void {
    this.issued++;
  }
}
