import { parseArgs } from 'node:util';
import { ConfigError } from '../config/index.js';
import { DatabaseUnavailableError } from '../db/unavailable.js';
import { FoyerError } from '../errors/catalogue.js';
import { type Command, commands, UsageError } from './commands.js';

/**
 * `foyer <command>`: exit code 0 on success, 1 when the operation failed (refused, not found, database
 * unavailable), 2 when the command line itself is wrong (unknown command or option, missing arguments).
 * Help that was asked for (`foyer help`, `--help`, `foyer help <command>`) is a success.
 */

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

export const usage = `Usage: foyer <command> [options]

Commands:
${commands.map((c) => `  foyer ${c.usage}\n      ${c.summary}`).join('\n')}

foyer help <command> (or foyer <command> --help) describes one command. Configuration comes from the
environment and .env, as for the server (see README.md).`;

const commandHelp = (command: Command) => `Usage: foyer ${command.usage}\n\n${command.summary}.\n`;

const isHelpFlag = (arg: string) => arg === '--help' || arg === '-h';

/** The command named by the leading words of argv, the longest name first (`invite resend` before `invite`). */
function findCommand(words: string[]): Command | undefined {
  return [...commands]
    .sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.every((word, i) => words[i] === word));
}

async function main(argv: string[]): Promise<number> {
  const [first, ...others] = argv;
  if (first === undefined) {
    process.stderr.write(`${usage}\n`);
    return EXIT_USAGE;
  }
  if (first === 'help' || isHelpFlag(first)) {
    const command = others.length > 0 ? findCommand(others) : undefined;
    if (others.length > 0 && !command) return unknownCommand(others);
    process.stdout.write(command ? commandHelp(command) : `${usage}\n`);
    return EXIT_OK;
  }
  const command = findCommand(argv);
  if (!command) return unknownCommand(argv);
  const rest = argv.slice(command.name.length);
  if (rest.some(isHelpFlag)) {
    process.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(command, error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length !== command.arity) {
    const problem =
      parsed.positionals.length < command.arity
        ? 'missing arguments'
        : `unexpected argument '${parsed.positionals[command.arity]}'`;
    return usageError(command, problem);
  }
  await command.run(parsed.positionals, parsed.values as Record<string, string | boolean | undefined>);
  return EXIT_OK;
}

function unknownCommand(words: string[]): number {
  const shown = words.filter((word) => !word.startsWith('-')).join(' ');
  process.stderr.write(`foyer: unknown command '${shown}'. Run 'foyer help' for the list of commands.\n`);
  return EXIT_USAGE;
}

function usageError(command: Command, problem: string): number {
  process.stderr.write(`foyer: ${problem}\nUsage: foyer ${command.usage}\n`);
  return EXIT_USAGE;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`foyer: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    if (
      error instanceof ConfigError ||
      error instanceof FoyerError ||
      error instanceof DatabaseUnavailableError
    ) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(
        `foyer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(EXIT_FAILURE);
  },
);
