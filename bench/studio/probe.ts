/// <reference lib="dom" />
// What runs inside the page (installed with addInitScript, so it is serialized: no imports, no
// closures over module scope). All times are performance.now() in the page.

/** The page-side API that measure.ts calls through page.evaluate. */
export interface Probe {
  /**
   * Time of the first frame that drew the final set of visible nodes in the final viewport; once
   * nothing changed for 500 ms it is `settled` and the per-frame sampling stops.
   */
  firstRender(): { ms: number; visibleNodes: number; settled: boolean };
  /** Starts collecting the duration of each frame that handled pointer input. */
  startFrames(): void;
  stopFrames(): number[];
  /** Arms a timer from the next pointerdown to the end of the frame that shows `nodeId` selected. */
  armSelect(nodeId: string): Promise<number>;
}

export function installProbe(): void {
  const w = window as unknown as { __bench: Probe };
  const channel = new MessageChannel();
  const afterFrame: (() => void)[] = [];
  channel.port1.onmessage = () => afterFrame.shift()?.();
  /** Runs `fn` once the current frame's rendering (style, layout, paint) is done. */
  const whenFrameDone = (fn: () => void) => {
    afterFrame.push(fn);
    channel.port2.postMessage(0);
  };

  // First render: every frame until settled, the number of visible nodes and the viewport transform.
  const samples: { t: number; key: string; visible: number }[] = [];
  let sampling = true;
  const sample = () => {
    if (!sampling) return;
    const nodes = document.querySelectorAll<HTMLElement>('.react-flow__node');
    let visible = 0;
    for (const n of nodes) if (n.style.visibility !== 'hidden') visible++;
    const transform = document.querySelector<HTMLElement>('.react-flow__viewport')?.style.transform ?? '';
    whenFrameDone(() => samples.push({ t: performance.now(), key: `${visible} ${transform}`, visible }));
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);

  // Frame times: from the first pointer event a frame handles to the end of that frame's rendering.
  let frames: number[] | undefined;
  let inputAt: number | undefined;
  const frameLoop = () => {
    if (!frames) return;
    const start = inputAt;
    inputAt = undefined;
    whenFrameDone(() => {
      if (frames && start !== undefined) frames.push(performance.now() - start);
    });
    requestAnimationFrame(frameLoop);
  };
  const onInput = () => {
    if (frames && inputAt === undefined) inputAt = performance.now();
  };
  for (const type of ['pointermove', 'pointerdown', 'pointerup'])
    window.addEventListener(type, onInput, { capture: true });

  w.__bench = {
    firstRender() {
      const last = samples.at(-1);
      if (!last || last.visible === 0) return { ms: NaN, visibleNodes: 0, settled: false };
      let i = samples.length - 1;
      while (i > 0 && samples[i - 1]!.key === last.key) i--;
      const settled = last.t - samples[i]!.t >= 500;
      if (settled) sampling = false;
      return { ms: samples[i]!.t, visibleNodes: last.visible, settled };
    },
    startFrames() {
      frames = [];
      inputAt = undefined;
      requestAnimationFrame(frameLoop);
    },
    stopFrames() {
      const done = frames ?? [];
      frames = undefined;
      return done;
    },
    armSelect(nodeId) {
      return new Promise((resolve) => {
        window.addEventListener(
          'pointerdown',
          () => {
            const t0 = performance.now();
            const check = () => {
              const el = document.querySelector(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
              if (el?.classList.contains('selected')) whenFrameDone(() => resolve(performance.now() - t0));
              else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          },
          { capture: true, once: true },
        );
      });
    },
  };
}
