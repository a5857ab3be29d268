// The profiles a runbook step can be marked for, lowest first. Kept apart from the model's schemas so the
// page can name them without loading zod (the host validates what it sends: shared/api.ts, api/dispatch.ts).
export const PROFILES = ['standard', 'regulated', 'restricted'] as const;
