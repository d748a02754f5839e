// Drawing work spread over frames, one job per frame, so that a big redraw
// (the first analysis after an ingest) never makes one long frame.

type Raf = (cb: () => void) => unknown;

export class FrameQueue {
  /** Jobs waiting for a frame of their own, in the order asked. */
  private jobs = new Map<string, () => void>();

  constructor(private raf: Raf = (cb) => requestAnimationFrame(cb)) {}

  /**
   * Runs `job` in a later frame, one job per frame, in the order asked;
   * asking again for a pending `key` keeps its place and replaces the job.
   * The first job waits two callbacks: a frame callback asked for during a
   * task runs before that same frame is painted, which would put the job
   * back into it.
   */
  next(key: string, job: () => void): void {
    this.jobs.set(key, job);
    if (this.jobs.size === 1) this.raf(() => this.raf(() => this.runOne()));
  }

  private runOne(): void {
    const next = this.jobs.entries().next();
    if (next.done) return;
    const [key, job] = next.value;
    this.jobs.delete(key);
    // Named in the browser's performance timeline: the frame probe of `make bench` says which job a slow frame ran.
    const mark = performance.mark(`faultline:${key}`);
    job();
    // Measured from a microtask: uPlot draws in one queued by the job, which this one follows.
    queueMicrotask(() => performance.measure(`faultline:${key}`, { start: mark.startTime }));
    if (this.jobs.size > 0) this.raf(() => this.runOne());
  }
}
