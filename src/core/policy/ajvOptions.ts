/** ajv options of the policy validators, shared by the runtime ones and the build-time (standalone) ones: they must be identical. */
export const POLICY_AJV_OPTIONS = { allErrors: true, strict: false, $data: true } as const;
