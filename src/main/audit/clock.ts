// Record times: wall clock (UTC, ms) for people, and the boot's monotonic clock for ordering. Wall time can
// be stepped (NTP, an operator); monotonic time within one boot cannot go back, so verify checks it.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

export interface Timestamp {
  /** RFC 3339 UTC with milliseconds. */
  time: string;
  /** CLOCK_MONOTONIC in nanoseconds, as a decimal string (beyond 2^53). */
  mono_ns: string;
  boot_id: string;
}

let bootId: string | null = null;

/** Linux's per-boot id; elsewhere a per-process id, so monotonic times are compared only within it. */
export function currentBootId(): string {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = `process-${randomUUID()}`;
    }
  }
  return bootId;
}

export function now(): Timestamp {
  return { time: new Date().toISOString(), mono_ns: process.hrtime.bigint().toString(), boot_id: currentBootId() };
}
