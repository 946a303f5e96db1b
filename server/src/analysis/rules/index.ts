// The rule catalogue. Adding a rule: write rules/<CODE>-<name>.ts and docs/rules/<CODE>.md, add fixtures
// under test/fixtures/rules/<CODE>/, and list it here.
import type { Rule } from '../types';
import { FT101 } from './FT101-unguarded-augmented-assignment';
import { FT102 } from './FT102-read-modify-write';
import { FT103 } from './FT103-check-then-act';
import { FT104 } from './FT104-lazy-initialization';
import { FT105 } from './FT105-inconsistent-locking';
import { FT106 } from './FT106-shared-container-mutation';
import { FT107 } from './FT107-iteration-over-mutated-container';
import { FT108 } from './FT108-lock-in-tight-loop';
import { FT109 } from './FT109-scratch-state-on-shared-object';
import { FT110 } from './FT110-guarded-by-violation';
import { FT111 } from './FT111-use-after-check';
import { FT112 } from './FT112-flag-used-as-lock';
import { FT113 } from './FT113-started-before-initialised';
import { FT114 } from './FT114-set-when-thread-starts';
import { FT115 } from './FT115-exchange-without-lock';
import { FT116 } from './FT116-torn-read';
import { FT117 } from './FT117-published-before-ready';
import { FT201 } from './FT201-shared-iterator';
import { FT202 } from './FT202-process-wide-state';
import { FT203 } from './FT203-decimal-context';
import { FT204 } from './FT204-warnings-in-threads';
import { FT205 } from './FT205-thread-local-misuse';
import { FT206 } from './FT206-contextvar-in-function';
import { FT207 } from './FT207-lock-created-per-call';
import { FT208 } from './FT208-acquire-without-finally';
import { FT209 } from './FT209-release-without-acquire';
import { FT210 } from './FT210-blocking-under-lock';
import { FT211 } from './FT211-global-lock-bottleneck';
import { FT212 } from './FT212-shared-random';
import { FT213 } from './FT213-shared-counter-iterator';
import { FT214 } from './FT214-cached-property-side-effects';
import { FT215 } from './FT215-time-time-elapsed';
import { FT216 } from './FT216-gil-reenabling-extension';
import { FT217 } from './FT217-loop-call-from-another-thread';
import { FT218 } from './FT218-task-done-before-work';
import { FT219 } from './FT219-sqlite-connection-from-another-thread';
import { FT220 } from './FT220-gui-object-from-worker-thread';
import { FT221 } from './FT221-lock-reacquired';
import { FT222 } from './FT222-condition-wait-without-loop';
import { FT223 } from './FT223-notify-without-lock';
import { FT224 } from './FT224-unsafe-client-shared';
import { FT900 } from './FT900-invalid-suppression';

export const ALL_RULES: readonly Rule[] = [FT101, FT102, FT103, FT104, FT105, FT106, FT107, FT108, FT109, FT110, FT111, FT112, FT113, FT114, FT115, FT116, FT117, FT201, FT202, FT203, FT204, FT205, FT206, FT207, FT208, FT209, FT210, FT211, FT212, FT213, FT214, FT215, FT216, FT217, FT218, FT219, FT220, FT221, FT222, FT223, FT224, FT900];

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.code, r]));

/** Where each rule's documentation lives (the diagnostic's codeDescription and the JSON `url`). */
export const DOCS_BASE_URL = 'https://github.com/ftaudit/ftaudit/blob/main/docs/rules/';

export function ruleDocUrl(code: string): string {
  return `${DOCS_BASE_URL}${code}.md`;
}
