// The plan of a reproduction as plain data: made by plan.ts (which needs the tree), read by the harness
// generator, the CLI and the VS Code client (which must not pull the planner in).

/** Findings whose racing code a harness can drive (the rest have no observable effect to measure). */
export const REPRODUCIBLE_CODES: ReadonlySet<string> = new Set(['FT101', 'FT102', 'FT103', 'FT104', 'FT106', 'FT107', 'FT109']);

export interface ReproTarget {
  /** `work` or `Parser.feed`. */
  qualname: string;
  kind: 'function' | 'method' | 'classmethod' | 'staticmethod';
  name: string;
  className?: string;
  /** Line (1-based) of the `def`. */
  defLine: number;
  isGenerator: boolean;
}

export interface ReproPlan {
  file: string;
  /** 1-based line of the finding (the statement the plan was made from). */
  line: number;
  code?: string;
  message?: string;
  target?: ReproTarget;
  /** Python expression (module namespace) giving the object the method runs on; shared by all threads. */
  instance?: string;
  /** How `instance` was chosen, for the report: "the module-level PARSER", "Parser() (no arguments needed)". */
  instanceWhy?: string;
  /** Python expression (module namespace) giving a list of argument tuples; threads cycle through it. */
  argSets?: string;
  argsWhy?: string;
  /** Python expression over `mod` names and `inst` for the racing state, observed before and after. */
  state?: string;
  /** The state as written in the code: `counter[0]`, `self.n`. */
  stateLabel?: string;
  /**
   * Another function that changes the racing state (an iteration races with the writer, not with
   * itself): every other thread calls it. `callable` is Python over the module's names and `inst`.
   */
  companion?: { qualname: string; callable: string; argSets: string };
  /** What the plan could not do but ran anyway (a writer it could not drive): said with the result. */
  notes?: string[];
  /** A line whose executions are counted (check-then-act/lazy init: the act); 1-based. */
  actLine?: number;
  /** Why the code cannot be driven as it is; the harness still gets written, with these as TODOs. */
  blockers: string[];
}
