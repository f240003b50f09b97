/**
 * The longest stretch of CPU this process spent between two turns of its event loop.
 *
 * A wall-clock delay histogram also counts the time the operating system gave to other processes,
 * so on a shared, busy machine it reports stalls the server never caused. Process CPU time only
 * advances while this process runs: a request that holds the loop shows up as CPU spent between
 * two ticks, while time spent descheduled does not. Process CPU includes the other threads of the
 * process (the thread pool, parallel GC), so the figure can exceed the loop's own share; bounds
 * should leave room for that.
 */
export interface LoopHoldMonitor {
  /** Stops sampling and answers the longest stretch seen, in milliseconds of CPU. */
  stop(): number;
}

export function monitorLoopHold(tickMs = 5): LoopHoldMonitor {
  let last = process.cpuUsage();
  let longestMicros = 0;
  const timer = setInterval(() => {
    const now = process.cpuUsage();
    const spent = now.user - last.user + (now.system - last.system);
    if (spent > longestMicros) longestMicros = spent;
    last = now;
  }, tickMs);
  return {
    stop() {
      clearInterval(timer);
      return longestMicros / 1000;
    },
  };
}
