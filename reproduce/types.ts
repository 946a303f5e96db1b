// What a reproduction observed: per interpreter, and for the whole run (the JSON of `ftaudit reproduce`).

/** What one interpreter showed; field names follow `ftaudit bench`'s JSON (snake_case, lost_fraction). */
export interface Observation {
  label: string;
  path: string;
  version?: string;
  gil_enabled?: boolean;
  free_threaded_build?: boolean;
  status: 'ok' | 'error' | 'timeout';
  /** Why the run failed (status error/timeout). */
  error?: string;
  /** The harness phase that was running when it failed or hung: import, calibrate, serial, concurrent. */
  phase?: string;
  threads?: number;
  calls_per_thread?: number;
  expected_change?: number;
  actual_change?: number;
  lost_fraction?: number | null;
  act_line?: number;
  acts_serial?: number;
  acts_concurrent?: number;
  extra_acts?: number;
  exceptions?: Record<string, { count: number; example: string }>;
  wrong_results?: number;
  /** Extra distinct objects returned where every serial call returned the same one (duplicate singletons). */
  duplicate_objects?: number;
  wrong_example?: { args: string; expected: string; got: string } | null;
  serial_seconds?: number;
  concurrent_seconds?: number;
  reproduced: boolean;
  /** One line for people: "lost 64 % of updates (expected +80,000, got +28,800)". */
  summary: string;
}

export interface Reproduction {
  file: string;
  line: number;
  code?: string;
  target?: string;
  state?: string;
  /** The function every other thread ran, changing the same state (for a reader racing with writers). */
  companion?: string;
  harness: string;
  interpreters: Observation[];
  /** Seen on at least one interpreter. */
  reproduced: boolean;
}
