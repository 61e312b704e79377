/** How serious a finding or a policy rule is: the one scale of the manifest engine, the policy engine and their reports. */
export type Severity = 'error' | 'warning' | 'info' | 'hint';
