/** Progress on stderr for long runs: silent for the first second, and only on a terminal. */
export interface Progress {
  phase(name: string): void;
  done(): void;
}

export const silentProgress: Progress = { phase() {}, done() {} };

const quietPeriodMs = 1000;

export function terminalProgress(stream: NodeJS.WriteStream): Progress {
  const started = Date.now();
  let current = '';
  let shown = false;
  const show = () => {
    shown = true;
    stream.write(`\r\u001b[2K${current}…`);
  };
  const timer = setInterval(() => {
    if (Date.now() - started >= quietPeriodMs) show();
  }, 250);
  timer.unref();
  return {
    phase(name) {
      current = name;
      if (shown) show();
    },
    done() {
      clearInterval(timer);
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
