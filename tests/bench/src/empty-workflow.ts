/** The baseline's workflow: does nothing, so a start measures Temporal alone. */
export async function emptyWorkflow(): Promise<void> {}
