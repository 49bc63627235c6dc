import { appToken } from './foyer-env.js';

/**
 * What the sign-in scenarios need from a fresh Foyer: a public client registered through Graph (as an admin
 * would), and the bootstrap admin's address, read back from Graph rather than assumed.
 */
export async function benchSpa(
  url: string,
  bootstrapClientId: string,
  redirectUri: string,
): Promise<{ appId: string; adminEmail: string }> {
  const token = await appToken(url, bootstrapClientId);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/v1.0/applications`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ displayName: 'bench spa', publicClient: { redirectUris: [redirectUri] } }),
  });
  const app = (await created.json()) as { appId?: string };
  if (created.status !== 201 || !app.appId) {
    throw new Error(`could not register the bench spa: ${created.status} ${JSON.stringify(app)}`);
  }
  const listed = await fetch(`${url}/v1.0/users`, { headers });
  const users = (await listed.json()) as { value?: Array<{ userPrincipalName: string }> };
  const admin = users.value?.find((user) => user.userPrincipalName.startsWith('admin@'));
  if (!admin) throw new Error(`no bootstrap admin among the users: ${JSON.stringify(users)}`);
  return { appId: app.appId, adminEmail: admin.userPrincipalName };
}
