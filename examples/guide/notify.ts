// Where the run status examples send their messages (Slack and email come with their own issue).
export const notifications: string[] = [];

export async function notify(message: string): Promise<void> {
  notifications.push(message);
}
