// What `vrrpd lab` prints: numbered steps, indented progress lines, and the commands it runs
// (prefixed `$`) with their output, so an operator can repeat any of them by hand.
export class Narrator {
  private stepNumber = 0;

  constructor(
    private readonly write: (text: string) => void,
    /** Bold step titles and dim command lines, for a terminal. */
    private readonly styled: boolean,
  ) {}

  title(text: string): void {
    this.write(`${this.bold(text)}\n`);
  }

  step(text: string): void {
    this.write(`\n${this.bold(`${++this.stepNumber}. ${text}`)}\n`);
  }

  line(text: string): void {
    this.write(`   ${text}\n`);
  }

  /** A command as the operator would type it, then what it printed. */
  command(commandLine: string, output = ''): void {
    this.write(`   ${this.dim(`$ ${commandLine}`)}\n`);
    for (const outputLine of output.split('\n').filter((text) => text !== '')) this.write(`     ${outputLine}\n`);
  }

  private bold(text: string): string {
    return this.styled ? `\x1b[1m${text}\x1b[0m` : text;
  }

  private dim(text: string): string {
    return this.styled ? `\x1b[2m${text}\x1b[0m` : text;
  }
}

export function seconds(ms: number, digits = 2): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}
