import type { MailLogger } from '../mail/worker.js';

export interface Poller {
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
  /** Works until nothing is due at the clock's current time (tests). */
  drain(): Promise<void>;
  /** Whether stop() was called: long steps check it to hand their work back early. */
  isStopped(): boolean;
}

/**
 * The loop of every background worker (mail outbox, bulk invitations, webhook deliveries): every `pollMs`, one
 * round at a time (the poll and drain() take turns, so a worker never runs two batches at once), each round
 * calling `step` until it reports that nothing was done. Its timer never keeps a process (a CLI command, a test)
 * alive.
 */
export function startPoller(options: {
  name: string;
  pollMs: number;
  logger: MailLogger;
  /** One batch of work; resolves with whether anything was done (then the round goes on). */
  step: () => Promise<boolean>;
}): Poller {
  const { name, pollMs, logger, step } = options;
  let turn: Promise<unknown> = Promise.resolve();
  const exclusively = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => undefined);
    return run;
  };
  const untilIdle = async (keepGoing: () => boolean) => {
    while (keepGoing() && (await step())) {
      // keep going while anything was done
    }
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    timer = undefined;
    try {
      await exclusively(() => untilIdle(() => !stopped));
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, `${name} poll failed`);
    }
    if (!stopped) schedule(pollMs);
  };
  const schedule = (delay: number) => {
    timer = setTimeout(poll, delay);
    timer.unref();
  };
  schedule(0);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await turn;
    },
    drain: () => exclusively(() => untilIdle(() => true)),
    isStopped: () => stopped,
  };
}
