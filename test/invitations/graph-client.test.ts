import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Client, GraphError, ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller } from '../helpers/graph.js';

// A throwaway self-signed certificate for 127.0.0.1 (P-256), used only to put TLS in front of the test app.
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYZm+tWvpy8OiZy5F
0Rtd3dZYp8jaJAJCuykQuD5opIGhRANCAASkSYi7UeMSS6WAizGeQUjlvE2spQvS
ddNR9Rci8VsEkxOXT4oQRBeXjeYCXyfI+1hh790mVtH6IaZIHS7+8uzc
-----END PRIVATE KEY-----`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUM+vBqsHjh08Ive5q1EGV+4mfR5UwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNTIwMTcwMloYDzIxMjYxMTAx
MjAxNzAyWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASkSYi7UeMSS6WAizGeQUjlvE2spQvSddNR9Rci8VsEkxOXT4oQRBeX
jeYCXyfI+1hh790mVtH6IaZIHS7+8uzco28wbTAdBgNVHQ4EFgQUywKHGOLwzAPi
wz0031Fg32iDanowHwYDVR0jBBgwFoAUywKHGOLwzAPiwz0031Fg32iDanowDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIgAmBWs0n0RjWyLwtnx3x3AkNlwFG9/WOaz+dZVzbbsmwCIQDa
IR7wt6w91p2v1rckYOSdDyDKk1T+pfwTiT+WA1Xu+w==
-----END CERTIFICATE-----`;

// Microsoft's own Graph SDK, unmodified, against Foyer on a real port. The SDK's AuthenticationHandler only
// attaches the bearer token to https URLs of Graph or of `customHosts`, and strips it otherwise, so plain
// http://127.0.0.1 cannot work: Foyer is served here behind TLS, as in a real deployment (PRODUCT §8), by
// handing each request of a local https server to the app's router. Node's fetch has no per-call CA option
// without undici, so certificate verification is off for this file only. The redeem links still carry
// FOYER_BASE_URL (https://foyer.test), as they would behind a reverse proxy.
describe.each(testDialects())(
  '@microsoft/microsoft-graph-client calling POST /invitations on %s',
  (dialect) => {
    let t: TestApp;
    let server: Server;
    let client: Client;
    const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      const token = (await adminCaller(t)).token;
      server = createServer({ key: TLS_KEY, cert: TLS_CERT }, (request, response) =>
        t.app.routing(request, response),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      client = Client.init({
        authProvider: (done) => done(null, token),
        baseUrl: `https://127.0.0.1:${port}/`,
        defaultVersion: 'v1.0',
        customHosts: new Set(['127.0.0.1']),
      });
    });
    afterAll(async () => {
      if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
      await new Promise((resolve) => server.close(resolve));
      await t.close();
    });

    it('creates the invitation from the documented request body and reads the guest back', async () => {
      // The request of https://learn.microsoft.com/graph/api/invitation-post, as the docs' JavaScript sample sends it.
      const invitation = {
        invitedUserEmailAddress: 'admin@fabrikam.com',
        inviteRedirectUrl: 'https://myapp.contoso.com',
      };
      const created = await client.api('/invitations').post(invitation);
      expect(created).toMatchObject({
        '@odata.context': 'https://foyer.test/v1.0/$metadata#invitations/$entity',
        invitedUserEmailAddress: 'admin@fabrikam.com',
        inviteRedirectUrl: 'https://myapp.contoso.com',
        invitedUserType: 'Guest',
        sendInvitationMessage: false,
        status: 'PendingAcceptance',
      });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.inviteRedeemUrl).toMatch(/^https:\/\/foyer\.test\/redeem\?ticket=[A-Za-z0-9_-]{43}$/);

      const guest = await client
        .api(`/users/${created.invitedUser.id}`)
        .select(['userType', 'externalUserState', 'mail', 'creationType'])
        .get();
      expect(guest).toMatchObject({
        userType: 'Guest',
        externalUserState: 'PendingAcceptance',
        mail: 'admin@fabrikam.com',
        creationType: 'Invitation',
      });
    });

    it('sends every optional property of the invitation resource', async () => {
      const created = await client.api('/invitations').post({
        invitedUserEmailAddress: 'full@fabrikam.com',
        inviteRedirectUrl: 'https://myapp.contoso.com/start',
        invitedUserDisplayName: 'Full Options',
        invitedUserType: 'Guest',
        sendInvitationMessage: true,
        invitedUserMessageInfo: {
          customizedMessageBody: 'Welcome!',
          messageLanguage: 'fr-FR',
          ccRecipients: [{ emailAddress: { address: 'cc@fabrikam.com', name: 'Cc' } }],
        },
      });
      expect(created).toMatchObject({
        invitedUserDisplayName: 'Full Options',
        sendInvitationMessage: true,
        invitedUserMessageInfo: {
          customizedMessageBody: 'Welcome!',
          messageLanguage: 'fr-FR',
          ccRecipients: [{ emailAddress: { address: 'cc@fabrikam.com', name: 'Cc' } }],
        },
      });
    });

    it('turns Foyer’s errors into GraphError with the Graph code and request id', async () => {
      const attempt = client
        .api('/invitations')
        .post({ invitedUserEmailAddress: 'not-an-email', inviteRedirectUrl: 'https://x.example' });
      await expect(attempt).rejects.toBeInstanceOf(GraphError);
      await attempt.catch((error: GraphError) => {
        expect(error.statusCode).toBe(400);
        expect(error.code).toBe('Request_BadRequest');
        expect(error.message).toContain('not a valid email address');
        expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      });
    });

    it('exposes the raw 201 response with its request-id header', async () => {
      const response: Response = await client
        .api('/invitations')
        .header('client-request-id', '7c2b1d3e-0000-4000-8000-000000000001')
        .responseType(ResponseType.RAW)
        .post({
          invitedUserEmailAddress: 'raw@fabrikam.com',
          inviteRedirectUrl: 'https://myapp.contoso.com',
        });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('client-request-id')).toBe('7c2b1d3e-0000-4000-8000-000000000001');
      expect(await response.json()).toMatchObject({ invitedUserEmailAddress: 'raw@fabrikam.com' });
    });
  },
);
