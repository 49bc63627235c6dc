import { parseArgs } from 'node:util';
import { ConfigError } from '../config/index.js';
import { FoyerError } from '../errors/catalogue.js';
import { commands } from './commands.js';

const usage = `Usage: foyer <command> [options]

Commands:
${commands.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`).join('\n')}

Configuration comes from the environment and .env, as for the server (see README.md).`;

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = [...commands]
    .sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.every((word, i) => words[i] === word));
  if (!command || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return command || argv.length === 0 || argv.includes('--help') ? 0 : 2;
  }
  const rest = argv.slice(argv.indexOf(command.name.at(-1)!) + 1);
  const { values, positionals } = parseArgs({
    args: rest,
    options: command.options ?? {},
    allowPositionals: true,
  });
  if (positionals.length < command.arity) {
    process.stderr.write(`Usage: foyer ${command.usage}\n`);
    return 2;
  }
  await command.run(positionals, values as Record<string, string | boolean | undefined>);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof FoyerError)
      process.stderr.write(`${error.message}\n`);
    else if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${error.message}\n`);
    } else
      process.stderr.write(
        `foyer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exit(1);
  },
);
