/** The few ANSI styles the pretty report uses; `plain` keeps text unchanged for files, pipes and NO_COLOR. */
export interface Styles {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly underline: (text: string) => string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const colored: Styles = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  cyan: wrap(36, 39),
  underline: wrap(4, 24),
};

const same = (text: string) => text;

export const plain: Styles = { bold: same, dim: same, red: same, yellow: same, green: same, cyan: same, underline: same };

/** Colour only a terminal, and never when NO_COLOR is set to anything non-empty (https://no-color.org). */
export function shouldColor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env['NO_COLOR'];
}
